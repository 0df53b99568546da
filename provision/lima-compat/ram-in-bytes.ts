// Lima parses sizes with docker/go-units RAMInBytes: every unit is binary (k = KiB = 1024),
// "128KiB", "128k", "128 KB" and "131072" are all accepted.
const SIZE_RE = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/
const MULTIPLIERS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }

/** Bytes for a Lima size string, or undefined when go-units would reject it. */
export function ramInBytes(size: string): number | undefined {
  const m = SIZE_RE.exec(size)
  if (!m) return undefined
  const digits = m[1] ?? ''
  // The pattern lets "1.2.3" through; go-units' ParseFloat then rejects it.
  if (digits.split('.').length > 2) return undefined
  const value = Number.parseFloat(digits)
  const unit = m[2]?.toLowerCase()
  return Math.trunc(value * (unit ? (MULTIPLIERS[unit] ?? 1) : 1))
}
