// Whether a config keeps a need (reports/needs.ts), from its measured checks: keeps (every such
// check that ran passed, and one did), fails loud, fails silently (any one silent failure is
// enough), or not measured (nothing ran: the suite was not in the run, every check was skipped,
// or the config crashed before all of them ran). A known deviation is judged by what it did: a failing TODO
// fails, a TODO that passed keeps. A check that did not run is never counted as keeping.
import type { FailureClass } from '../agent/diagnostics.ts'
import { globRegExp } from '../agent/glob.ts'
import { FIRST_LOOK_NOTE } from './coherence.ts'
import { CAVEAT_GROUPS, CHECK_GROUPS, needChecksText, type Need } from './needs.ts'
import type { CheckResult, CheckStatus } from './types.ts'
import { verdictOf } from './verdicts.ts'

/** One check as evidence: its id and outcome. */
export interface Evidence {
  id: string
  status: CheckStatus
  class?: FailureClass
  todoPassed?: boolean
  found?: string
  errno?: string
  latencyMs?: number
  atOnce?: boolean
  reason?: string
}

export type NeedState = 'keeps' | 'fails-loud' | 'fails-silently' | 'not-measured'

export interface NeedVerdict {
  need: Need
  state: NeedState
  /** keeps: every check behind it that ran passed, and at least one ran. */
  met: boolean
  passed: Evidence[]
  failed: Evidence[]
  /** Skipped or crashed: not measured here. */
  unmeasured: Evidence[]
  /** Why it is not met when no check failed: nothing measured it. */
  notMeasured?: string
}

/** The tables' globs as RegExps, made once: a run's reports match thousands of ids against them. */
const GROUPS = CHECK_GROUPS.map((g) => ({ ...g, match: g.checks.map(globRegExp), skip: (g.except ?? []).map(globRegExp) }))
const CAVEATS = CAVEAT_GROUPS.map((g) => ({ ...g, match: g.checks.map(globRegExp) }))

/** The needs (of those asked for) a check id counts for. */
export function needsOf(id: string, asked: readonly Need[]): Need[] {
  const out = new Set<Need>()
  for (const group of GROUPS) {
    if (!asked.includes(group.need) || !(group.when ?? []).every((n) => asked.includes(n))) continue
    if (group.match.some((re) => re.test(id)) && !group.skip.some((re) => re.test(id))) out.add(group.need)
  }
  return [...out]
}

/** Failing checks near a need that it does not require (CAVEAT_GROUPS), per group that has any. */
export function failingCaveats(checks: readonly CheckResult[], need: Need): Array<{ what: string; evidence: Evidence[] }> {
  return CAVEATS.filter((g) => g.need === need).flatMap((g) => {
    const evidence = checks.filter((c) => g.match.some((re) => re.test(c.id)) && outcomeOf(c) === 'fail').map(evidenceOf)
    return evidence.length ? [{ what: g.what, evidence }] : []
  })
}

/**
 * One verdict per need asked for, in the order given. `asked` also decides the `when` groups
 * (the answer table asks for every need at once).
 */
export function judgeNeeds(checks: readonly CheckResult[], needs: readonly Need[], asked: readonly Need[] = needs): NeedVerdict[] {
  const verdicts = new Map<Need, NeedVerdict>(needs.map((need) => [need, { need, state: 'not-measured', met: false, passed: [], failed: [], unmeasured: [] }]))
  for (const check of checks) {
    for (const need of needsOf(check.id, asked)) {
      const v = verdicts.get(need)
      if (!v) continue
      const outcome = outcomeOf(check)
      ;(outcome === 'pass' ? v.passed : outcome === 'fail' ? v.failed : v.unmeasured).push(evidenceOf(check))
    }
  }
  for (const v of verdicts.values()) {
    // The silent failures first: they are what a reader must not miss.
    v.failed.sort((a, b) => Number((b.class ?? 'silent') === 'silent') - Number((a.class ?? 'silent') === 'silent'))
    // A crash cut the need's checks short: what passed before it does not make it kept.
    const cutShort = v.unmeasured.some((e) => e.status === 'crashed')
    v.state = v.failed.some((e) => (e.class ?? 'silent') === 'silent') ? 'fails-silently' : v.failed.length ? 'fails-loud' : v.passed.length && !cutShort ? 'keeps' : 'not-measured'
    v.met = v.state === 'keeps'
    if (v.state === 'not-measured') {
      const first = v.unmeasured[0]
      v.notMeasured = cutShort
        ? `not measured: the config crashed before ${v.unmeasured.filter((e) => e.status === 'crashed').length} of its checks ran`
        : first
          ? `not measured: every check was skipped (${first.reason ?? 'skip'})`
          : `not measured: no check in these results matches ${needChecksText(v.need)}`
    }
  }
  return [...verdicts.values()]
}

/** pass: ok, or a TODO that passed; fail: a failure of either class, a failing TODO; unmeasured: skipped or crashed. */
export function outcomeOf(check: CheckResult): 'pass' | 'fail' | 'unmeasured' {
  const v = verdictOf(check)
  return v === 'ok' ? 'pass' : v === 'loud' || v === 'silent' ? 'fail' : 'unmeasured'
}

export function evidenceOf(check: CheckResult): Evidence {
  const d = check.diagnostics
  const outcome = outcomeOf(check)
  return {
    id: check.id,
    status: check.status,
    ...(check.class ? { class: check.class } : {}),
    ...(check.todoPassed ? { todoPassed: true } : {}),
    ...(d?.found !== undefined && outcome === 'fail' ? { found: d.found } : {}),
    ...(d?.errno ? { errno: d.errno } : {}),
    ...(typeof d?.latencyMs === 'number' && outcome === 'pass' ? { latencyMs: d.latencyMs } : {}),
    ...(d?.note === FIRST_LOOK_NOTE ? { atOnce: true } : {}),
    ...(check.reason ? { reason: check.reason } : {}),
  }
}
