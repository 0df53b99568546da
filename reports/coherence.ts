// The coherence suite's points as a table a person reads: per config and event, how soon the
// change showed ("at once", "180 ms") or how it stayed stale ("stale until drop_caches"). Read
// from what the agent wrote: an ok point's latencyMs and note, a stale point's found, and the
// matching .../after-drop-caches point. Shared by summary.md and report.html.
import type { CheckResult, ConfigResult, ConfigStatus } from './types.ts'

const COHERENCE_SUITE = 'coherence'
/** The note the agent puts on a point seen at its first look after the change. */
export const FIRST_LOOK_NOTE = 'seen at the first look'
const DROP_CACHES_SUFFIX = '/after-drop-caches'
/** Only a `.../visible` point has an after-drop-caches twin that looks at the same thing the same way. */
const VISIBLE_SUFFIX = '/visible'

/**
 * at-once: seen at the first look; later: seen within the window, after latencyMs;
 * stale-until-drop-caches / stale-after-drop-caches: unseen in the window, and then seen (or
 * still not) after drop_caches; stale: unseen in the window, no drop_caches look for it;
 * ok: passed without a latency; wrong: a silent failure that is not staleness; error: a loud
 * failure (the errno); skip, crashed: as the check's status.
 */
export type CoherenceState =
  | 'at-once' | 'later' | 'ok' | 'stale' | 'stale-until-drop-caches' | 'stale-after-drop-caches' | 'wrong' | 'error' | 'skip' | 'crashed'

export interface CoherenceCell {
  checkId: string
  state: CoherenceState
  /** As shown: "at once", "180 ms", "stale until drop_caches", "error EINVAL"; " (TODO)" marks a known deviation. */
  text: string
  latencyMs?: number
  /** The check is a TODO (a known deviation); passed: it passed anyway. */
  todo?: { reason?: string; passed: boolean }
  /** How the cell counts as a pass, a loud or a silent failure (what colour it gets). */
  verdict: 'ok' | 'loud' | 'silent' | 'skip' | 'crashed'
}

export interface CoherenceRow {
  config: string
  status: ConfigStatus
  /** One per event (undefined: the config has no such point). */
  cells: Array<CoherenceCell | undefined>
}

export interface CoherenceTable {
  /** Check ids, one column each: every coherence point but the after-drop-caches ones (they qualify the stale cells). */
  events: string[]
  rows: CoherenceRow[]
  /** The observation window the stale points name ("stale after 2000 ms"), when they name one. */
  windowMs?: number
}

/** The coherence table of a run, or undefined when no config has a coherence point. */
export function coherenceTable(configs: readonly ConfigResult[]): CoherenceTable | undefined {
  const events: string[] = []
  for (const config of configs) {
    for (const check of config.checks) {
      if (check.suite === COHERENCE_SUITE && !check.id.endsWith(DROP_CACHES_SUFFIX) && !events.includes(check.id)) events.push(check.id)
    }
  }
  if (!events.length) return undefined
  let windowMs: number | undefined
  const rows = configs.map((config): CoherenceRow => {
    const byId = new Map(config.checks.map((c) => [c.id, c]))
    return {
      config: config.name,
      status: config.status,
      cells: events.map((id) => {
        const check = byId.get(id)
        if (!check) return undefined
        const window = staleWindowMs(check)
        if (window !== undefined) windowMs = Math.max(windowMs ?? 0, window)
        return coherenceCell(check, byId.get(dropCachesIdOf(id) ?? ''))
      }),
    }
  })
  return { events, rows, ...(windowMs === undefined ? {} : { windowMs }) }
}

/** A column's heading: the id without `coherence/` and without a trailing `/visible`. */
export function coherenceEventLabel(id: string): string {
  return id.replace(/^coherence\//, '').replace(/\/visible$/, '')
}

/** The after-drop-caches point that looked again at what a `.../visible` point watched. */
export function dropCachesIdOf(id: string): string | undefined {
  return id.endsWith(VISIBLE_SUFFIX) ? `${id.slice(0, -VISIBLE_SUFFIX.length)}${DROP_CACHES_SUFFIX}` : undefined
}

/** One cell: the check's outcome in words; `dropCaches` is its after-drop-caches twin, when it has one. */
export function coherenceCell(check: CheckResult, dropCaches: CheckResult | undefined): CoherenceCell {
  const todo = check.status === 'todo' ? { ...(check.reason ? { reason: check.reason } : {}), passed: !!check.todoPassed } : undefined
  const passed = check.status === 'ok' || (check.status === 'todo' && !!check.todoPassed)
  const failed = check.status === 'fail' || (check.status === 'todo' && !check.todoPassed)
  const d = check.diagnostics
  let state: CoherenceState
  let text: string
  let verdict: CoherenceCell['verdict']
  if (passed) {
    verdict = 'ok'
    if (d?.note === FIRST_LOOK_NOTE) [state, text] = ['at-once', 'at once']
    else if (typeof d?.latencyMs === 'number') [state, text] = ['later', `${Math.round(d.latencyMs)} ms`]
    else [state, text] = ['ok', 'ok']
  } else if (failed) {
    verdict = check.class ?? 'silent'
    if (verdict === 'loud') [state, text] = ['error', `error ${d?.errno ?? d?.found ?? ''}`.trim()]
    else if (!isStale(check)) [state, text] = ['wrong', 'wrong']
    else if (!dropCaches || dropCaches.status === 'skip' || dropCaches.status === 'crashed') [state, text] = ['stale', 'stale']
    else if (dropCaches.status === 'ok' || (dropCaches.status === 'todo' && dropCaches.todoPassed)) [state, text] = ['stale-until-drop-caches', 'stale until drop_caches']
    else [state, text] = ['stale-after-drop-caches', 'stale even after drop_caches']
  } else {
    state = check.status === 'crashed' ? 'crashed' : 'skip'
    verdict = state
    text = state
  }
  if (todo) text += todo.passed ? ' (TODO passes)' : ' (TODO)'
  return {
    checkId: check.id,
    state,
    text,
    verdict,
    ...(passed && typeof d?.latencyMs === 'number' ? { latencyMs: d.latencyMs } : {}),
    ...(todo ? { todo } : {}),
  }
}

/** The agent says "stale after 2000 ms: ..." for a change never seen in the window. */
function isStale(check: CheckResult): boolean {
  return /^(?:still )?stale\b/.test(check.diagnostics?.found ?? '')
}

function staleWindowMs(check: CheckResult): number | undefined {
  const m = /^stale after (\d+) ms/.exec(check.diagnostics?.found ?? '')
  return m ? Number(m[1]) : undefined
}
