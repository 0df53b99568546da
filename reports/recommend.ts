// `limafs recommend`: which mount to put in lima.yaml, decided from what a run MEASURED here.
//
// A need (ownership, symlinks, xattrs, host-edits, times, ...: reports/needs.ts) is a set of
// check ids. A config meets it when every such check it ran passed (ok, or a TODO that passed)
// and at least one ran; a failure of any kind (loud, silent, a failing TODO: a known deviation
// is still a deviation) or no measurement at all means it does not (reports/need-verdict.ts). Configs that crashed or failed their
// infrastructure are never recommended. Among the configs that meet every need, the choice
// follows one order, the same everywhere (Apple Silicon/APFS included):
//   mountType      virtiofs when it was measured and meets the needs, else 9p
//   securityModel  ownership needed: mapped-xattr first, then mapped-file (the fallback when
//                  symlinks or xattrs misbehave under mapped-xattr), passthrough, none;
//                  not needed: none first (nothing to map), then the same order
//   cache          mmap (host edits at once, shared writable mmap works), none, loose, fscache
// With `speed`, the bench figures decide instead: the config with the best geometric mean of
// its ratios to tmpfs (over the workloads every candidate measured) wins, so loose is chosen
// only when it meets the other needs and the bench says it is faster. When nothing meets every
// need, the closest config is the best compromise (fewest needs given up, then fewest given up
// silently: a loud failure tells its user), with what it gives up; it is not a recommendation.
import { geometricMean, measuredRatios } from './bench.ts'
import { failingCaveats, judgeNeeds, type Evidence, type NeedVerdict } from './need-verdict.ts'
import { NEEDS, type Need } from './needs.ts'
import { shareSettings, type ShareSettings } from './share-settings.ts'
import type { ConfigResult, ConfigStatus, Environment, Results } from './types.ts'

export type { Evidence, NeedVerdict } from './need-verdict.ts'

/** What a share should keep, when neither --need nor --profile is given; speed only when asked (it needs the bench suite). */
export const DEFAULT_NEEDS: readonly Need[] = ['ownership', 'symlinks', 'xattrs', 'host-edits']

const MOUNT_TYPE_ORDER = ['virtiofs', '9p']
const MODEL_ORDER_OWNERSHIP = ['mapped-xattr', 'mapped-file', 'passthrough', 'none']
const MODEL_ORDER_NO_OWNERSHIP = ['none', 'mapped-xattr', 'mapped-file', 'passthrough']
const CACHE_ORDER = ['mmap', 'none', 'loose', 'fscache']
const SPEED_ORDER = 'speed needed: the fastest by the bench (geometric mean of its ratios to tmpfs) among those that meet the other needs'

export interface SpeedVerdict {
  met: boolean
  /** Geometric mean of the ratios over `workloads`. */
  score?: number
  workloads: string[]
  ratios: Array<{ id: string; workload: string; ratio: number }>
  notMeasured?: string
}

export interface ConfigVerdict {
  config: string
  settings: ShareSettings
  /** Every asked-for need but speed, in NEEDS order. */
  needs: NeedVerdict[]
  /** Set when speed was asked for and this config meets the other needs. */
  speed?: SpeedVerdict
  /** Meets every asked-for need (speed included). */
  meetsAll: boolean
}

export interface Alternative {
  /** The value this alternative has on the axis ("mapped-file", "loose", "virtiofs"). */
  value: string
  config: string
  /** fails: misses a need (listed); ranked-lower: meets them all but comes later in the order; slower: speed decided. */
  verdict: 'fails' | 'ranked-lower' | 'slower'
  failed: Array<{ need: Need; evidence: Evidence[]; notMeasured?: string }>
  score?: number
}

export interface Axis {
  axis: 'mountType' | 'securityModel' | 'cache'
  chosen: string
  /** Why this order, in one line (the reasoning, not a measurement). */
  order: string
  alternatives: Alternative[]
}

/** When nothing meets every need: the config that comes closest, and what it gives up. */
export interface Compromise {
  verdict: ConfigVerdict
  /** The needs it does not keep: failing (loud or silently, with the checks) or not measured. */
  givesUp: NeedVerdict[]
}

export interface Recommendation {
  needs: Need[]
  environment: Environment
  /** The recommended config, when one meets every need. */
  chosen?: ConfigVerdict
  /** Nothing meets every need: the closest config (fewest needs given up, silent ones weighing more). */
  compromise?: Compromise
  /** The choice along each axis, with its neighbours (same settings but one) and why they lost. */
  axes: Axis[]
  /** Failing checks near the needs, on the chosen config: not required, worth knowing. */
  caveats: Array<{ what: string; evidence: Evidence[] }>
  /** Every config that completed, closest to meeting the needs first. */
  verdicts: ConfigVerdict[]
  /** Configs that crashed or could not be set up: never recommended. */
  notConsidered: Array<{ config: string; status: ConfigStatus; error?: string }>
}

export interface RecommendOptions {
  needs: readonly Need[]
}

export function recommend(results: Pick<Results, 'configs' | 'environment'>, { needs: asked }: RecommendOptions): Recommendation {
  const needs = NEEDS.filter((n) => asked.includes(n))
  const completed = results.configs.filter((c) => c.status === 'completed')
  const notConsidered = results.configs.filter((c) => c.status !== 'completed')
    .map((c) => ({ config: c.name, status: c.status, ...(c.error === undefined ? {} : { error: c.error }) }))
  const order = preference(needs)
  const verdicts = completed.map((config) => configVerdict(config, needs))
  if (needs.includes('speed')) judgeSpeed(completed, verdicts)
  const candidates = verdicts.filter((v) => v.meetsAll).sort((a, b) => compareBy(a, b, order, needs))
  const chosen = candidates[0]
  const closestFirst = [...verdicts].sort((a, b) => missing(a) - missing(b) || silentlyMissing(a) - silentlyMissing(b) || order(a) - order(b))
  const closest = closestFirst[0]
  const compromise = !chosen && closest && closest.needs.some((n) => n.met) ? { verdict: closest, givesUp: closest.needs.filter((n) => !n.met) } : undefined
  return {
    needs,
    environment: results.environment,
    ...(chosen ? { chosen } : {}),
    ...(compromise ? { compromise } : {}),
    axes: chosen ? axes(chosen, verdicts, needs, order) : [],
    caveats: chosen ? caveats(completed.find((c) => c.name === chosen.config)!, needs) : [],
    verdicts: closestFirst,
    notConsidered,
  }
}

/** The exit code `limafs recommend` gives: 0 with a recommendation, 1 when nothing meets the needs (a compromise included). */
export function recommendExitCode(rec: Recommendation): 0 | 1 {
  return rec.chosen ? 0 : 1
}

function configVerdict(config: ConfigResult, needs: readonly Need[]): ConfigVerdict {
  const list = judgeNeeds(config.checks, needs.filter((n) => n !== 'speed'), needs)
  return { config: config.name, settings: shareSettings(config.config), needs: list, meetsAll: list.every((v) => v.met) }
}

/** Speed among the configs that meet the other needs: the bench decides which is fastest. */
function judgeSpeed(configs: readonly ConfigResult[], verdicts: ConfigVerdict[]): void {
  const eligible = verdicts.filter((v) => v.meetsAll)
  const ratiosOf = (name: string) => measuredRatios(configs.find((c) => c.name === name)!)
  const measured = eligible.map((v) => ({ v, ratios: ratiosOf(v.config) })).filter((m) => m.ratios.length)
  // Compare like with like: the workloads every measured candidate has.
  const common = measured.length ? measured[0]!.ratios.map((r) => r.workload).filter((w) => measured.every((m) => m.ratios.some((r) => r.workload === w))) : []
  for (const v of verdicts) {
    if (!v.meetsAll) continue
    const ratios = ratiosOf(v.config)
    const used = ratios.filter((r) => common.includes(r.workload))
    const score = geometricMean(used.map((r) => r.ratio))
    v.speed = {
      met: score !== undefined,
      ...(score === undefined ? {} : { score }),
      workloads: common,
      ratios,
      ...(score !== undefined ? {} : {
        notMeasured: ratios.length
          ? 'not comparable: no bench workload that every other candidate measured too'
          : 'not measured: no bench figures for this config (run the bench suite: suites: [bench])',
      }),
    }
    v.meetsAll = v.speed.met
  }
}

function missing(v: ConfigVerdict): number {
  return v.needs.filter((n) => !n.met).length + (v.speed && !v.speed.met ? 1 : 0)
}

/** Needs a config fails silently: a compromise that fails loudly tells its user; a silent one does not. */
function silentlyMissing(v: ConfigVerdict): number {
  return v.needs.filter((n) => n.state === 'fails-silently').length
}
type Order = (v: ConfigVerdict) => number

/** The preference order as one number per config (lower first); see the header comment. */
function preference(needs: readonly Need[]): Order {
  const models = needs.includes('ownership') ? MODEL_ORDER_OWNERSHIP : MODEL_ORDER_NO_OWNERSHIP
  const rank = (list: readonly string[], value: string | undefined) => {
    const i = value === undefined ? -1 : list.indexOf(value)
    return i < 0 ? list.length : i
  }
  return (v) => rank(MOUNT_TYPE_ORDER, v.settings.mountType) * 100 + rank(models, v.settings.securityModel) * 10 + rank(CACHE_ORDER, v.settings.cache)
}

function compareBy(a: ConfigVerdict, b: ConfigVerdict, order: Order, needs: readonly Need[]): number {
  if (needs.includes('speed')) {
    const diff = (b.speed?.score ?? 0) - (a.speed?.score ?? 0)
    if (diff) return diff
  }
  return order(a) - order(b)
}

function axes(chosen: ConfigVerdict, verdicts: readonly ConfigVerdict[], needs: readonly Need[], order: Order): Axis[] {
  const s = chosen.settings
  const alternative = (v: ConfigVerdict, value: string): Alternative => {
    const failed = [
      ...v.needs.filter((n) => !n.met).map((n) => ({ need: n.need as Need, evidence: n.failed, ...(n.notMeasured ? { notMeasured: n.notMeasured } : {}) })),
      ...(v.speed && !v.speed.met && v.needs.every((n) => n.met) ? [{ need: 'speed' as Need, evidence: [], ...(v.speed.notMeasured ? { notMeasured: v.speed.notMeasured } : {}) }] : []),
    ]
    const verdict = failed.length ? 'fails' : needs.includes('speed') && (v.speed?.score ?? 0) < (chosen.speed?.score ?? 0) ? 'slower' : 'ranked-lower'
    return { value, config: v.config, verdict, failed, ...(v.speed?.score === undefined ? {} : { score: v.speed.score }) }
  }
  const others = verdicts.filter((v) => v.config !== chosen.config)
  const bySpeed = needs.includes('speed') ? SPEED_ORDER : undefined
  const out: Axis[] = []
  // mountType: the best of the other mount types (the one that meets the needs, or the closest).
  const otherTypes = [...new Set(others.map((v) => v.settings.mountType ?? '?'))].filter((t) => t !== s.mountType)
  out.push({
    axis: 'mountType',
    chosen: s.mountType ?? '?',
    order: bySpeed ?? 'virtiofs when it was measured here and meets the needs, else 9p',
    alternatives: otherTypes.map((type) => {
      const best = others.filter((v) => (v.settings.mountType ?? '?') === type).sort((a, b) => missing(a) - missing(b) || order(a) - order(b))[0]!
      return alternative(best, type)
    }),
  })
  if (s.mountType === '9p') {
    const sameMount = others.filter((v) => v.settings.mountType === '9p')
    out.push({
      axis: 'securityModel',
      chosen: s.securityModel ?? '?',
      order: bySpeed ?? (needs.includes('ownership')
        ? 'ownership needed: mapped-xattr first, mapped-file when symlinks or xattrs misbehave under it, then passthrough, none'
        : 'ownership not needed: none first (nothing to map), then mapped-xattr, mapped-file, passthrough'),
      alternatives: sameMount.filter((v) => v.settings.cache === s.cache && v.settings.securityModel !== s.securityModel)
        .sort((a, b) => order(a) - order(b)).map((v) => alternative(v, v.settings.securityModel ?? '?')),
    })
    out.push({
      axis: 'cache',
      chosen: s.cache ?? '?',
      order: bySpeed ?? 'mmap first (host edits at once, shared writable mmap), then none, loose, fscache (loose and fscache keep what the guest read)',
      alternatives: sameMount.filter((v) => v.settings.securityModel === s.securityModel && v.settings.cache !== s.cache)
        .sort((a, b) => order(a) - order(b)).map((v) => alternative(v, v.settings.cache ?? '?')),
    })
  }
  return out
}

function caveats(config: ConfigResult, needs: readonly Need[]): Recommendation['caveats'] {
  return needs.flatMap((need) => failingCaveats(config.checks, need))
}
