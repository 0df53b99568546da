// Lima parses sizes with docker/go-units RAMInBytes (v0.5.0, parseSize without a regexp): every
// unit is binary (k = KiB = 1024), "128KiB", "128k", "128 KB", "131072", "1.5M", ".5k" and "32."
// are accepted; "-32", " 32", "32ib", "32 bm" are not.
const MULTIPLIERS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }
/** Go's strconv.ParseFloat syntax in decimal ("Inf" has no digit, so never gets here; hex floats such as 0x1p4, which Go takes, are refused). */
const GO_DECIMAL_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/

/** Bytes for a Lima size string, or undefined when go-units would reject it. */
export function ramInBytes(size: string): number | undefined {
  // go-units: the number ends at the last digit, dot or space; a space there is dropped.
  let sep = -1
  for (let i = size.length - 1; i >= 0; i--) {
    if (/[0-9. ]/.test(size[i]!)) {
      sep = i
      break
    }
  }
  if (sep < 0) return undefined
  const num = size[sep] === ' ' ? size.slice(0, sep) : size.slice(0, sep + 1)
  const suffix = size.slice(sep + 1).toLowerCase()
  if (!GO_DECIMAL_FLOAT.test(num)) return undefined
  let value = Number(num)
  // ParseFloat fails with ErrRange on overflow; go-units rejects negative sizes (but not -0).
  if (!Number.isFinite(value) || value < 0) return undefined
  if (suffix.length > 3) return undefined
  if (suffix.length > 0 && suffix[0] !== 'b') {
    const multiplier = MULTIPLIERS[suffix[0]!]
    if (multiplier === undefined) return undefined
    if (suffix.length === 2 && suffix[1] !== 'b') return undefined
    if (suffix.length === 3 && suffix.slice(1) !== 'ib') return undefined
    value *= multiplier
  } else if (suffix.length > 1) return undefined // nothing may follow a bare "b"
  return Math.trunc(value) + 0 // + 0 turns -0 into 0
}
