// One call, watched: the objects' times before, the call, their times after, judged against
// what a local POSIX file system does. Times are compared with their own earlier values, so a
// call that lands in the same tick of the file system's clock as the change before it can look
// as if it moved nothing. No sleep per check: only when a time that should advance stayed and
// the call came within a tick, the check is done once more on new objects, a tick apart.
import { setTimeout as sleep } from 'node:timers/promises'
import type { CheckContext } from '../../agent/check-api.ts'
import { judgeTimes, valuesText, type Times, type TimesWanted } from './changes.ts'

/**
 * The coarsest clock tick a file system stamps times with (Linux with HZ=100: 10 ms; HZ=250,
 * 1000 and multigrain timestamps are finer, APFS has nanoseconds) and a margin.
 */
export const CLOCK_TICK_MS = 12

export interface Watched extends TimesWanted {
  path: string
  /** Where the object is after the call, when the call moves it (rename). */
  pathAfter?: string
}

/** A check's scene: makes its objects (their names end in `suffix`), says what to watch and the call (the check's own expectation). */
export type Scene = (suffix: string) => Promise<{ watched: Record<string, Watched>; call: () => Promise<unknown> }>

/**
 * Sets the scene, reads each watched object's times, runs the call (a failure there is loud),
 * reads the times again and fails (silent: the call said OK) naming each time that moved
 * otherwise than wanted. A first try that only found times staying that should advance, with
 * the call less than a clock tick after the last change, is not judged: the scene is set again
 * and the call made a tick after it.
 */
export async function watchTimes(x: CheckContext, scene: Scene): Promise<void> {
  for (const suffix of ['', '-again']) {
    const { watched, call } = await scene(suffix)
    const since = performance.now()
    const entries = Object.entries(watched)
    const before = new Map<string, Times>()
    for (const [name, w] of entries) before.set(name, (await x.setup('times', w.path)) as Times)
    // A timer may fire up to a millisecond early: wait again for what is left.
    if (suffix) for (let left; (left = since + CLOCK_TICK_MS - performance.now()) > 0;) await sleep(left)
    const withinTick = performance.now() - since < CLOCK_TICK_MS
    await call()
    const wanted: string[] = []
    const found: string[] = []
    const values: string[] = []
    let onlyStayed = true
    for (const [name, w] of entries) {
      const path = w.pathAfter ?? w.path
      const r = await x.attempt('times', path)
      if (!r.ok) x.fail({ op: 'times', args: [path], wanted: 'its times', found: r.errno!, errno: r.errno!, stage: 'call', class: 'loud' })
      const b = before.get(name)!
      const a = r.value as Times
      for (const v of judgeTimes(b, a, w)) {
        if (v.wanted === v.found) continue
        onlyStayed &&= v.wanted === 'advances' && v.found === 'stays'
        wanted.push(`${name} ${v.field} ${v.wanted}`)
        found.push(`${name} ${v.field} ${v.found}`)
      }
      values.push(`${name}: ${valuesText(b, a, w)}`)
    }
    if (!wanted.length) return
    if (!suffix && onlyStayed && withinTick) continue
    x.fail({
      op: 'times', args: entries.map(([, w]) => w.pathAfter ?? w.path), wanted: wanted.join(', '), found: found.join(', '), stage: 'call', class: 'silent',
      note: `${values.join('; ')}${suffix ? `; (tried again on new objects, the call a clock tick, ${CLOCK_TICK_MS} ms, after the last change)` : ''}`,
    })
  }
}
