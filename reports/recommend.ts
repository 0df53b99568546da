// `limafs recommend`: which mount to put in lima.yaml, decided from what a run MEASURED here.
//
// A need (chown, symlinks, xattrs, host-edits) is a set of check ids (below, as globs). A config
// meets it when every such check it ran passed (ok, or a TODO that passed) and at least one
// ran; a failure of any kind (loud, silent, a failing TODO: a known deviation is still a
// deviation) or no measurement at all means it does not. Configs that crashed or failed their
// infrastructure are never recommended. Among the configs that meet every need, the choice
// follows one order, the same everywhere (Apple Silicon/APFS included):
//   mountType      virtiofs when it was measured and meets the needs, else 9p
//   securityModel  ownership needed: mapped-xattr first, then mapped-file (the fallback when
//                  symlinks or xattrs misbehave under mapped-xattr), passthrough, none;
//                  not needed: none first (nothing to map), then the same order
//   cache          mmap (host edits at once, shared writable mmap works), none, loose, fscache
// With `speed`, the bench figures decide instead: the config with the best geometric mean of
// its ratios to tmpfs (over the workloads every candidate measured) wins, so loose is chosen
// only when it meets the other needs and the bench says it is faster.
import type { FailureClass } from '../agent/diagnostics.ts'
import { globMatch } from '../agent/glob.ts'
import { BENCH_SUITE, geometricMean, ratioOf } from './bench.ts'
import { FIRST_LOOK_NOTE } from './coherence.ts'
import { shareSettings, type ShareSettings } from './share-settings.ts'
import type { CheckResult, CheckStatus, ConfigResult, ConfigStatus, Environment, Results } from './types.ts'

export const NEEDS = ['chown', 'symlinks', 'xattrs', 'host-edits', 'speed'] as const
export type Need = (typeof NEEDS)[number]
/** What a share should keep, when no --need is given; speed only when asked (it needs the bench suite). */
export const DEFAULT_NEEDS: readonly Need[] = ['chown', 'symlinks', 'xattrs', 'host-edits']

type ConformanceNeed = Exclude<Need, 'speed'>

/** Checks that decide a need; with `when`, they count only when those needs are asked for too. */
interface CheckGroup {
  need: ConformanceNeed
  when?: readonly Need[]
  checks: readonly string[]
  except?: readonly string[]
}

/** Which checks each need rests on (globs over check ids, `*` spans `/`, as in the matrix's expect). */
const CHECK_GROUPS: readonly CheckGroup[] = [
  // chown/chgrp made in the guest: the call, at once, after drop_caches, remount and restart, what the host stored.
  { need: 'chown', checks: ['chown/*'] },
  // symlinks made in the guest (and what the host gets), symlinks made on the host (readlink, follow).
  { need: 'symlinks', checks: ['symlink/*'], except: ['symlink/lchown*', 'symlink/host-made/lchown'] },
  // chown -h on symlinks (made in the guest or on the host): a symlink matter, when ownership is needed too.
  { need: 'symlinks', when: ['chown'], checks: ['symlink/lchown*', 'symlink/host-made/lchown'] },
  // user.* xattrs: set, get, list, remove, sizes, and that they last.
  { need: 'xattrs', checks: ['xattr/*'], except: ['xattr/trusted/*', 'xattr/security/*', 'xattr/acl/*', 'xattr/empty-value/*'] },
  // host changes seen in the guest within the window (by path and through an open descriptor), guest writes seen on the host.
  { need: 'host-edits', checks: ['coherence/host-*/visible', 'coherence/host-*/open-fd', 'coherence/guest-write-*/host-sees'] },
]

/** Checks near a need that it does not require: listed when they fail on the recommended config. */
const CAVEAT_GROUPS: ReadonlyArray<{ need: Need; checks: readonly string[]; what: string }> = [
  { need: 'xattrs', checks: ['xattr/trusted/*', 'xattr/security/*', 'xattr/acl/*', 'xattr/empty-value/*'], what: 'trusted.* and security.* xattrs, POSIX ACLs, empty values' },
  { need: 'host-edits', checks: ['coherence/*mmap*', 'coherence/inotify/*', 'coherence/*/after-drop-caches'], what: 'mmap, inotify, drop_caches' },
]

const MOUNT_TYPE_ORDER = ['virtiofs', '9p']
const MODEL_ORDER_OWNERSHIP = ['mapped-xattr', 'mapped-file', 'passthrough', 'none']
const MODEL_ORDER_NO_OWNERSHIP = ['none', 'mapped-xattr', 'mapped-file', 'passthrough']
const CACHE_ORDER = ['mmap', 'none', 'loose', 'fscache']
const SPEED_ORDER = 'speed needed: the fastest by the bench (geometric mean of its ratios to tmpfs) among those that meet the other needs'

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

export interface NeedVerdict {
  need: ConformanceNeed
  met: boolean
  passed: Evidence[]
  failed: Evidence[]
  /** Skipped: not measured here. */
  unmeasured: Evidence[]
  /** Why it is not met when no check failed: nothing measured it. */
  notMeasured?: string
}

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

export interface Recommendation {
  needs: Need[]
  environment: Environment
  /** The recommended config, when one meets every need. */
  chosen?: ConfigVerdict
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
  const closestFirst = [...verdicts].sort((a, b) => missing(a) - missing(b) || order(a) - order(b))
  return {
    needs,
    environment: results.environment,
    ...(chosen ? { chosen } : {}),
    axes: chosen ? axes(chosen, verdicts, needs, order) : [],
    caveats: chosen ? caveats(completed.find((c) => c.name === chosen.config)!, needs) : [],
    verdicts: closestFirst,
    notConsidered,
  }
}

/** The exit code `limafs recommend` gives: 0 with a recommendation, 1 when nothing meets the needs. */
export function recommendExitCode(rec: Recommendation): 0 | 1 {
  return rec.chosen ? 0 : 1
}

/** The needs (of those asked for) a check id counts for. */
export function needsOf(id: string, asked: readonly Need[]): ConformanceNeed[] {
  const out = new Set<ConformanceNeed>()
  for (const group of CHECK_GROUPS) {
    if (!asked.includes(group.need) || !(group.when ?? []).every((n) => asked.includes(n))) continue
    if (group.checks.some((g) => globMatch(g, id)) && !group.except?.some((g) => globMatch(g, id))) out.add(group.need)
  }
  return [...out]
}

function configVerdict(config: ConfigResult, needs: readonly Need[]): ConfigVerdict {
  const verdicts = new Map<ConformanceNeed, NeedVerdict>()
  for (const need of needs) if (need !== 'speed') verdicts.set(need, { need, met: false, passed: [], failed: [], unmeasured: [] })
  for (const check of config.checks) {
    for (const need of needsOf(check.id, needs)) {
      const v = verdicts.get(need)!
      const evidence = evidenceOf(check)
      const outcome = outcomeOf(check)
      ;(outcome === 'pass' ? v.passed : outcome === 'fail' ? v.failed : v.unmeasured).push(evidence)
    }
  }
  for (const v of verdicts.values()) {
    v.met = !v.failed.length && v.passed.length > 0
    if (!v.failed.length && !v.passed.length) {
      v.notMeasured = v.unmeasured.length
        ? `not measured: every check was skipped (${v.unmeasured[0]!.reason ?? 'skip'})`
        : `not measured: no check in these results matches ${needChecksText(v.need)}`
    }
  }
  const list = [...verdicts.values()]
  return { config: config.name, settings: shareSettings(config.config), needs: list, meetsAll: list.every((v) => v.met) }
}

/** Speed among the configs that meet the other needs: the bench decides which is fastest. */
function judgeSpeed(configs: readonly ConfigResult[], verdicts: ConfigVerdict[]): void {
  const eligible = verdicts.filter((v) => v.meetsAll)
  const ratiosOf = (name: string) => configs.find((c) => c.name === name)!.checks
    .flatMap((c) => {
      const figures = c.suite === BENCH_SUITE && outcomeOf(c) === 'pass' ? c.diagnostics?.bench : undefined
      const ratio = figures ? ratioOf(figures) : undefined
      return figures && ratio !== undefined ? [{ id: c.id, workload: figures.workload, ratio }] : []
    })
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

type Order = (v: ConfigVerdict) => number

/** The preference order as one number per config (lower first); see the header comment. */
function preference(needs: readonly Need[]): Order {
  const models = needs.includes('chown') ? MODEL_ORDER_OWNERSHIP : MODEL_ORDER_NO_OWNERSHIP
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
      order: bySpeed ?? (needs.includes('chown')
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
  return CAVEAT_GROUPS.filter((g) => needs.includes(g.need)).flatMap((g) => {
    const evidence = config.checks.filter((c) => g.checks.some((p) => globMatch(p, c.id)) && outcomeOf(c) === 'fail').map(evidenceOf)
    return evidence.length ? [{ what: g.what, evidence }] : []
  })
}

/** pass: ok, or a TODO that passed; fail: a failure of any class, a failing TODO, a crash; unmeasured: skipped. */
function outcomeOf(check: CheckResult): 'pass' | 'fail' | 'unmeasured' {
  if (check.status === 'ok' || (check.status === 'todo' && check.todoPassed)) return 'pass'
  return check.status === 'skip' ? 'unmeasured' : 'fail'
}

function evidenceOf(check: CheckResult): Evidence {
  const d = check.diagnostics
  return {
    id: check.id,
    status: check.status,
    ...(check.class ? { class: check.class } : {}),
    ...(check.todoPassed ? { todoPassed: true } : {}),
    ...(d?.found !== undefined && outcomeOf(check) === 'fail' ? { found: d.found } : {}),
    ...(d?.errno ? { errno: d.errno } : {}),
    ...(typeof d?.latencyMs === 'number' && outcomeOf(check) === 'pass' ? { latencyMs: d.latencyMs } : {}),
    ...(d?.note === FIRST_LOOK_NOTE ? { atOnce: true } : {}),
    ...(check.reason ? { reason: check.reason } : {}),
  }
}

function needChecksText(need: ConformanceNeed): string {
  return CHECK_GROUPS.filter((g) => g.need === need && !g.when).flatMap((g) => g.checks).join(', ')
}
