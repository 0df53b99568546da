// Timestamps: atime/mtime/ctime to the nanosecond (a bigint stat: a double can't hold ns since
// the epoch), utimensat with explicit times, UTIME_NOW and UTIME_OMIT, with or without
// AT_SYMLINK_NOFOLLOW, and futimens (through the python3 helper: Node rounds times through a
// double and has neither UTIME_NOW nor UTIME_OMIT); ftruncate through a descriptor.
import * as fs from 'node:fs'
import type { OpFamily } from './op-env.ts'

const NS_PER_S = 1_000_000_000n

/** A time as "SECONDS.NANOSECONDS" (9 digits): exact, comparable as text once parsed back. */
export function timeText(ns: bigint): string {
  const s = ns / NS_PER_S
  const n = ns % NS_PER_S
  return n < 0n ? `${s - 1n}.${String(n + NS_PER_S).padStart(9, '0')}` : `${s}.${String(n).padStart(9, '0')}`
}

export const timesOps: OpFamily = {
  // lstat: never follows, so a symlink's own times
  times: ({ guard }, [p]) => {
    const st = fs.lstatSync(guard.assertNoFollow(p), { bigint: true })
    return { atime: timeText(st.atimeNs), mtime: timeText(st.mtimeNs), ctime: timeText(st.ctimeNs), nlink: Number(st.nlink) }
  },
  // atime and mtime each "SECONDS.NANOSECONDS", "now" (UTIME_NOW) or "omit" (UTIME_OMIT)
  utimensat: ({ guard, special }, [p, atime, mtime, follow = 'nofollow']) =>
    special.call('utimensat', [follow === 'follow' ? guard.assertFollow(p) : guard.assertNoFollow(p), atime, mtime, follow]),
  futimens: ({ guard, special }, [p, atime, mtime]) => special.call('futimens', [guard.assertFollow(p), atime, mtime]),
  ftruncate: ({ guard }, [p, length]) => {
    const fd = fs.openSync(guard.assertFollow(p), 'r+')
    try {
      fs.ftruncateSync(fd, length)
    } finally {
      fs.closeSync(fd)
    }
  },
}
