// The coherence suite's one observation window: every experiment (a change on one mount) is
// fired, then looked at on its own clock until it shows or the window ends, and judged.
import { waitMs } from '../../agent/profile.ts'
import type { Arg, PointVerdict, SharedTarget } from '../../agent/check-api.ts'

/** When the guest looks after a change: at once, then 10 ms, 100 ms, 1 s, and the window's end. */
const LOOKS_MS = [0, 10, 100, 1000]

/** One change on one mount, watched until it shows: set up, then fired with all the others. */
export interface Experiment {
  target: SharedTarget
  id: string
  describe: { op: string; args: Arg[]; wanted: string }
  /** Host-side changes fire together, in parallel; guest-side ones right after, in turn. */
  side: 'host' | 'guest'
  /** Makes the change; says why not when it could not. */
  fire: () => Promise<{ ok: boolean; found?: string; errno?: string }>
  look: () => Promise<{ found: string; visible: boolean }>
  /** Set when setting it up already failed. */
  failed?: { found: string; errno?: string }
  since?: number
  seenAfterMs?: number
  /** Seen at the very first look after the change. */
  firstLook?: boolean
  lastFound?: string
}

export type Outcome = { ok: boolean; value?: unknown; errno?: string }
export const failure = (r: Outcome | { ok: boolean; error?: string }, what: string) =>
  r.ok ? undefined : 'errno' in r && r.errno ? { found: r.errno, errno: r.errno } : { found: `${what}: ${'error' in r ? r.error : 'failed'}` }

/** The experiment's `failed` field when there is a failure: it is then judged without a look. */
export const withFailure = (failed: Experiment['failed'] | undefined) => (failed ? { failed } : {})

/**
 * Looks at every experiment on its own clock (at once, 10 ms, 100 ms, 1 s, then the window's
 * end after its change) until it shows. Looks run one after another in one process, so the
 * time measured is from the change to the first look that saw it: an upper bound.
 */
export async function watchAll(experiments: Experiment[], windowMs: number): Promise<void> {
  const schedule = [...LOOKS_MS.filter((ms) => ms < windowMs), windowMs]
  const looksDone = new Map<Experiment, number>()
  const dueAt = (e: Experiment) => e.since! + schedule[looksDone.get(e) ?? 0]!
  for (;;) {
    const pending = experiments.filter((e) => e.seenAfterMs === undefined && !e.failed && (looksDone.get(e) ?? 0) < schedule.length)
    if (!pending.length) return
    const wait = Math.min(...pending.map(dueAt)) - Date.now()
    if (wait > 0) await waitMs(wait)
    const now = Date.now()
    for (const e of pending.filter((p) => dueAt(p) <= now)) {
      const { found, visible } = await e.look()
      e.lastFound = found
      if (visible) {
        e.seenAfterMs = Date.now() - e.since!
        e.firstLook = !looksDone.get(e)
      }
      looksDone.set(e, (looksDone.get(e) ?? 0) + 1)
    }
  }
}

export function verdict(e: Experiment, windowMs: number, stage: 'at-once' | 'after-drop-caches'): PointVerdict {
  const base = { ...e.describe, stage }
  if (e.failed) return { ok: false, diagnostics: { ...base, found: e.failed.found, ...(e.failed.errno ? { errno: e.failed.errno } : {}), class: 'loud' } }
  if (e.seenAfterMs !== undefined) return { ok: true, diagnostics: { ...base, found: e.describe.wanted, latencyMs: e.seenAfterMs, ...(e.firstLook ? { note: 'seen at the first look' } : {}) } }
  const found = stage === 'at-once' ? `stale after ${windowMs} ms: ${short(e.lastFound)}` : `still stale after drop_caches: ${short(e.lastFound)}`
  return { ok: false, diagnostics: { ...base, found, class: 'silent' } }
}

const short = (s: string | undefined) => (s === undefined ? 'nothing' : s.length > 60 ? `${s.slice(0, 60)}…` : s).replace(/\n/g, '\\n')
