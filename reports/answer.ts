// The answer a person wants before any detail: for each configuration, does it keep what users
// need (ownership, symlinks, xattrs, host edits seen, times, ...: reports/needs.ts), and which
// configuration to use for a few ways of working (profiles), each resting on named check ids.
// Read by summary.md and report.html. Pure.
import { geometricMean, measuredRatios } from './bench.ts'
import { failingCaveats, judgeNeeds, needsOf, type Evidence, type NeedVerdict } from './need-verdict.ts'
import { NEEDS, PROFILES, type Need, type Profile } from './needs.ts'
import { recommend, type Recommendation } from './recommend.ts'
import type { ConfigResult, ConfigStatus, Results } from './types.ts'

export interface AnswerCell {
  verdict: NeedVerdict
  /** Failing checks near the need that it does not require (trusted.* xattrs, inotify...). */
  caveats: Evidence[]
  /** speed: the geometric mean of the config's ratios to tmpfs over the workloads every config measured. */
  speed?: number
}

export interface AnswerRow {
  config: string
  status: ConfigStatus
  /** One per Answer.needs; empty for a config that could not be set up. */
  cells: AnswerCell[]
}

export interface ProfileAnswer {
  profile: Profile
  recommendation: Recommendation
}

export interface Answer {
  /** The needs some check of this run measures (columns), in NEEDS order. */
  needs: Need[]
  /** Needs no check of this run touches: their suites did not run. */
  unmeasured: Need[]
  rows: AnswerRow[]
  /** The bench workloads the speed column is the geometric mean over. */
  speedWorkloads: string[]
  profiles: ProfileAnswer[]
}

/** The answer of one run; undefined when it has no checks at all. */
export function answerOf(results: Pick<Results, 'configs' | 'environment'>): Answer | undefined {
  const all = results.configs.flatMap((c) => c.checks)
  if (!all.length) return undefined
  const needs = NEEDS.filter((need) => all.some((check) => needsOf(check.id, NEEDS).includes(need)))
  const speedWorkloads = commonWorkloads(results.configs)
  const rows = results.configs.map((config): AnswerRow => ({
    config: config.name,
    status: config.status,
    cells: config.status === 'infra-failed' ? [] : judgeNeeds(config.checks, needs, NEEDS).map((verdict) => ({
      verdict,
      caveats: failingCaveats(config.checks, verdict.need).flatMap((c) => c.evidence),
      ...(verdict.need === 'speed' ? speedOf(config, speedWorkloads) : {}),
    })),
  }))
  return {
    needs,
    unmeasured: NEEDS.filter((n) => !needs.includes(n)),
    rows,
    speedWorkloads,
    profiles: PROFILES.map((profile) => ({ profile, recommendation: recommend(results, { needs: profile.needs }) })),
  }
}

/** "keeps", "fails loud", "fails silently", "not measured". */
export function needStateText(verdict: NeedVerdict): string {
  return verdict.state.replace('-', ' ')
}

/** The check ids a profile's answer rests on: what passed on the chosen config, or what the compromise gives up. */
export function profileEvidence(rec: Recommendation): { kept: Evidence[]; givenUp: Evidence[] } {
  const verdict = rec.chosen ?? rec.compromise?.verdict
  if (!verdict) return { kept: [], givenUp: [] }
  return { kept: verdict.needs.flatMap((n) => n.passed), givenUp: verdict.needs.flatMap((n) => n.failed) }
}

/** Workloads every config with bench ratios measured: the speed column compares like with like. */
function commonWorkloads(configs: readonly ConfigResult[]): string[] {
  const sets = configs.map((c) => new Set(measuredRatios(c).map((r) => r.workload))).filter((s) => s.size)
  if (!sets.length) return []
  return [...sets[0]!].filter((w) => sets.every((s) => s.has(w)))
}

function speedOf(config: ConfigResult, workloads: readonly string[]): { speed?: number } {
  const score = geometricMean(measuredRatios(config).filter((r) => workloads.includes(r.workload)).map((r) => r.ratio))
  return score === undefined ? {} : { speed: score }
}
