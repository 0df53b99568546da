// One call, watched: the objects' times before, the call, their times after, judged against
// what a local POSIX file system does. No sleep per check beyond one clock tick: times are
// compared with their own earlier values, so only a call that lands in the same tick of the
// file system's clock as the last change before it could look as if it changed nothing.
import { setTimeout as sleep } from 'node:timers/promises'
import type { CheckContext } from '../../agent/check-api.ts'
import { judgeTimes, valuesText, type Times, type TimesWanted } from './changes.ts'

/**
 * The coarsest clock tick a file system stamps times with (Linux with HZ=100: 10 ms; HZ=250,
 * 1000 and multigrain timestamps are finer, APFS has nanoseconds) and a margin. Under emulation
 * the reads before the call take about this long already, so little or nothing waits there.
 */
export const CLOCK_TICK_MS = 12

export interface Watched extends TimesWanted {
  path: string
  /** Where the object is after the call, when the call moves it (rename). */
  pathAfter?: string
}

/**
 * Reads each watched object's times, waits until a clock tick has passed since the last change
 * before this, runs the call (the check's own expectation: a failure there is loud), reads the
 * times again and fails (silent: the call said OK) naming each time that moved otherwise than wanted.
 */
export async function watchTimes(x: CheckContext, watched: Record<string, Watched>, call: () => Promise<unknown>): Promise<void> {
  const since = performance.now()
  const entries = Object.entries(watched)
  const before = new Map<string, Times>()
  for (const [name, w] of entries) before.set(name, (await x.setup('times', w.path)) as Times)
  const left = since + CLOCK_TICK_MS - performance.now()
  if (left > 0) await sleep(left)
  await call()
  const wanted: string[] = []
  const found: string[] = []
  const values: string[] = []
  for (const [name, w] of entries) {
    const path = w.pathAfter ?? w.path
    const r = await x.attempt('times', path)
    if (!r.ok) x.fail({ op: 'times', args: [path], wanted: 'its times', found: r.errno!, errno: r.errno!, stage: 'call', class: 'loud' })
    const b = before.get(name)!
    const a = r.value as Times
    for (const v of judgeTimes(b, a, w)) {
      if (v.wanted === v.found) continue
      wanted.push(`${name} ${v.field} ${v.wanted}`)
      found.push(`${name} ${v.field} ${v.found}`)
    }
    values.push(`${name}: ${valuesText(b, a, w)}`)
  }
  if (wanted.length) x.fail({ op: 'times', args: entries.map(([, w]) => w.pathAfter ?? w.path), wanted: wanted.join(', '), found: found.join(', '), stage: 'call', class: 'silent', note: values.join('; ') })
}
