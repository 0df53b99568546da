// A check's verdict: what the share did (ok, failed loud, failed silently, skipped, crashed),
// whether or not the matrix expected it. A known deviation (TAP TODO) is a CI notion: it keeps
// the gate green. A person choosing a configuration needs the behaviour, so every report leads
// with verdicts and says "known" second: `4 silent (3 known)`.
import type { CheckResult, ConfigResult } from './types.ts'

export type Verdict = 'ok' | 'loud' | 'silent' | 'skip' | 'crashed'

/** The order verdicts are counted in: the dangerous kind first. */
export const VERDICTS: readonly Verdict[] = ['silent', 'loud', 'ok', 'skip', 'crashed']

/** ok for a TODO that passed; a failing TODO's class for one that did not; skip and crashed as they are. */
export function verdictOf(check: CheckResult): Verdict {
  if (check.status === 'ok' || (check.status === 'todo' && check.todoPassed)) return 'ok'
  if (check.status === 'fail' || check.status === 'todo') return check.class ?? 'silent'
  return check.status
}

/** A known deviation: the matrix's `expect` table names it (a TAP TODO), whatever it did. */
export function isKnown(check: CheckResult): boolean {
  return check.status === 'todo'
}

/** A security finding: a point whose diagnostics carry `security` (one line: why). */
export function securityOf(check: CheckResult): string | undefined {
  const why = check.diagnostics?.security
  return typeof why === 'string' && why !== '' ? why : undefined
}

export interface VerdictCounts extends Record<Verdict, number> {
  /** Of each verdict, how many were known deviations. */
  known: Record<Verdict, number>
  /** Points with a security finding, known or not. */
  security: number
}

export function verdictCounts(checks: Iterable<CheckResult>): VerdictCounts {
  const counts: VerdictCounts = { ok: 0, loud: 0, silent: 0, skip: 0, crashed: 0, known: { ok: 0, loud: 0, silent: 0, skip: 0, crashed: 0 }, security: 0 }
  for (const check of checks) {
    const v = verdictOf(check)
    counts[v]++
    if (isKnown(check)) counts.known[v]++
    if (securityOf(check) !== undefined) counts.security++
  }
  return counts
}

export function runVerdictCounts(configs: readonly Pick<ConfigResult, 'checks'>[]): VerdictCounts {
  return verdictCounts(configs.flatMap((c) => c.checks))
}

export interface VerdictTextOptions {
  /** Show verdicts that count 0 (the headline does; a table cell does not). */
  zeros: boolean
  /** Wraps a part that must stand out (a silent failure, a security finding), e.g. in **bold**. */
  strong?: (text: string) => string
  /** Between parts (default " · "). */
  separator?: string
  /** Say "(0 known)" too (the headline does: it answers "how many of these were expected?"). */
  knownZeros?: boolean
}

/**
 * "2 security findings · 4 silent (3 known) · 3 loud (1 known) · 9 ok · 2 skip · 5 crashed": the
 * dangerous kind first, known deviations counted inside, never left out of a failure count.
 */
export function verdictCountsText(counts: VerdictCounts, { zeros, strong = (s) => s, separator = ' · ', knownZeros = zeros }: VerdictTextOptions): string {
  const parts: string[] = []
  if (counts.security) parts.push(strong(`${counts.security} security finding${counts.security === 1 ? '' : 's'}`))
  for (const v of VERDICTS) {
    const n = counts[v]
    if (!n && !zeros) continue
    const known = (v === 'silent' || v === 'loud') && n && (counts.known[v] || knownZeros) ? ` (${counts.known[v]} known)` : ''
    const text = `${n} ${v}${known}`
    parts.push(v === 'silent' && n ? strong(text) : text)
  }
  return parts.join(separator) || 'no checks'
}
