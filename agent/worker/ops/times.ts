// Timestamps: atime/mtime/ctime to the nanosecond (a bigint stat: a double can't hold ns since
// the epoch), utimensat with explicit times, UTIME_NOW and UTIME_OMIT, with or without
// AT_SYMLINK_NOFOLLOW, and futimens (nanoseconds, UTIME_NOW and UTIME_OMIT through the python3
// helper: Node rounds times through a double and has neither); ftruncate through a descriptor.
import * as fs from 'node:fs'
import type { OpFamily } from './op-env.ts'

const NS_PER_S = 1_000_000_000n

/** A time as "SECONDS.NANOSECONDS" (9 digits): exact, comparable as text once parsed back. */
export function timeText(ns: bigint): string {
  const s = ns / NS_PER_S
  const n = ns % NS_PER_S
  return n < 0n ? `${s - 1n}.${String(n + NS_PER_S).padStart(9, '0')}` : `${s}.${String(n).padStart(9, '0')}`
}

/**
 * Both times as whole seconds, when they are: Node sets those exactly (a whole number of seconds
 * survives its trip through a double), without a round trip to the python3 helper (~10 ms under
 * emulation). Nanoseconds, UTIME_NOW and UTIME_OMIT go to the helper.
 */
function wholeSeconds(atime: string, mtime: string): [number, number] | undefined {
  const whole = (t: string) => (/^\d+(\.0{1,9})?$/.test(t) ? Number(t.split('.')[0]) : undefined)
  const a = whole(atime)
  const m = whole(mtime)
  return a !== undefined && m !== undefined && Number.isSafeInteger(a) && Number.isSafeInteger(m) ? [a, m] : undefined
}

export const timesOps: OpFamily = {
  // lstat: never follows, so a symlink's own times
  times: ({ guard }, [p]) => {
    const st = fs.lstatSync(guard.assertNoFollow(p), { bigint: true })
    return { atime: timeText(st.atimeNs), mtime: timeText(st.mtimeNs), ctime: timeText(st.ctimeNs) }
  },
  // atime and mtime each "SECONDS.NANOSECONDS", "now" (UTIME_NOW) or "omit" (UTIME_OMIT)
  utimensat: ({ guard, special }, [p, atime, mtime, follow = 'nofollow']) => {
    const path = follow === 'follow' ? guard.assertFollow(p) : guard.assertNoFollow(p)
    const whole = wholeSeconds(atime, mtime)
    if (!whole) return special.call('utimensat', [path, atime, mtime, follow])
    if (follow === 'follow') fs.utimesSync(path, ...whole)
    else fs.lutimesSync(path, ...whole)
  },
  futimens: ({ guard, special }, [p, atime, mtime]) => {
    const whole = wholeSeconds(atime, mtime)
    if (!whole) return special.call('futimens', [guard.assertFollow(p), atime, mtime])
    const fd = fs.openSync(guard.assertFollow(p), 'r')
    try {
      fs.futimesSync(fd, ...whole)
    } finally {
      fs.closeSync(fd)
    }
  },
  ftruncate: ({ guard }, [p, length]) => {
    const fd = fs.openSync(guard.assertFollow(p), 'r+')
    try {
      fs.ftruncateSync(fd, length)
    } finally {
      fs.closeSync(fd)
    }
  },
}
