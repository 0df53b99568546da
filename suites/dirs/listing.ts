// Judging a directory listing against what the dir holds: every entry exactly once, none missing,
// nothing unknown; entries added while it was read may show or not, but at most once. Pure.

export interface ListingJudgment {
  ok: boolean
  /** "2000 entries: 0 missing, 0 twice, 0 unknown" */
  summary: string
  /** A few of each, to name in the diagnostics. */
  missing: string[]
  twice: string[]
  unknown: string[]
  /** How many of the entries that may or may not show did show. */
  optionalSeen: number
}

/** How many names of each kind the diagnostics name. */
const SHOWN = 5

export function judgeListing(found: readonly string[], expected: readonly string[], optional: readonly string[] = []): ListingJudgment {
  const want = new Set(expected)
  const maybe = new Set(optional)
  const seen = new Map<string, number>()
  for (const name of found) seen.set(name, (seen.get(name) ?? 0) + 1)
  const missing = expected.filter((n) => !seen.has(n))
  const twice = [...seen].filter(([, count]) => count > 1).map(([n]) => n)
  const unknown = [...seen.keys()].filter((n) => !want.has(n) && !maybe.has(n))
  const optionalSeen = optional.filter((n) => seen.has(n)).length
  const ok = !missing.length && !twice.length && !unknown.length
  const extra = optional.length ? `, ${optionalSeen} of ${optional.length} added meanwhile` : ''
  return {
    ok,
    summary: `${found.length} entries read: ${missing.length} missing, ${twice.length} twice, ${unknown.length} unknown${extra}`,
    missing: missing.slice(0, SHOWN),
    twice: twice.slice(0, SHOWN),
    unknown: unknown.slice(0, SHOWN),
    optionalSeen,
  }
}

/** What is wanted of a listing of `count` entries, as the point says it. */
export const wantedListing = (count: number) => `${count} entries read: 0 missing, 0 twice, 0 unknown`
