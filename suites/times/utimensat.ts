// Setting times: utimensat with explicit times (kept to the nanosecond? past 2038?), UTIME_NOW
// and UTIME_OMIT, futimens, on a file, a dir and a symlink itself (AT_SYMLINK_NOFOLLOW) or
// through it. Explicit times must last: at once, after drop_caches, a remount, a restart.
import { PERSIST_STAGES, type CheckSpec } from '../../agent/check-api.ts'
import type { Times, TimesWanted } from './changes.ts'
import { watchTimes } from './watch.ts'

// Whole seconds, atime later than mtime (utimensat may set them in any order: pjdfstest utimensat/04).
const ATIME = '1500000000.000000000'
const MTIME = '1200000000.000000000'
// Different nanoseconds in each (pjdfstest utimensat/08 asks only for tenths of a second).
const ATIME_NS = '1000000000.123456789'
const MTIME_NS = '1000000001.987654321'
// 2^31 and 2^32 seconds: past a 32-bit time_t (pjdfstest utimensat/09).
const ATIME_2038 = '2147483648.000000000'
const MTIME_2106 = '4294967296.000000000'

const PY: CheckSpec['needs'] = ['python3']

/** Explicit whole-second times set on an object of a kind: the call, then the times at every stage. */
const persisting = (kind: 'file' | 'dir', call: 'utimensat' | 'futimens'): CheckSpec => ({
  id: `times/${call}-{stage}/${kind}`,
  title: `${call} with explicit atime and mtime on a ${kind}: the call, then both times {stage}`,
  stages: PERSIST_STAGES,
  needs: PY,
  async run(x) {
    const p = await x.make(kind)
    x.persists(`${ATIME},${MTIME}`, 'times', p, 'atime,mtime')
    await x.expect(0, call, p, ATIME, MTIME)
  },
})

/** utimensat(atime, mtime) on a new file: its times move as wanted. */
const utimensatOnFile = (aspect: string, title: string, atime: string, mtime: string, wanted: TimesWanted): CheckSpec => ({
  id: `times/${aspect}/file`,
  title,
  needs: PY,
  async run(x) {
    await watchTimes(x, async (n) => {
      const f = await x.make('file', `file${n}`)
      return { watched: { file: { path: f, ...wanted } }, call: () => x.expect(0, 'utimensat', f, atime, mtime) }
    })
  },
})

export const SETTERS: CheckSpec[] = [
  persisting('file', 'utimensat'),
  persisting('dir', 'utimensat'),
  persisting('file', 'futimens'),
  {
    id: 'times/utimensat-{stage}/symlink',
    title: 'utimensat with AT_SYMLINK_NOFOLLOW on a symlink sets the link\'s own times, not its target\'s: the call, then {stage}',
    stages: PERSIST_STAGES,
    needs: PY,
    async run(x) {
      const link = await x.make('symlink')
      const target = (await x.setup('times', `${link}.target`)) as Times
      x.persists(`${ATIME},${MTIME}`, 'times', link, 'atime,mtime')
      x.persists(`${target.atime},${target.mtime}`, 'times', `${link}.target`, 'atime,mtime')
      await x.expect(0, 'utimensat', link, ATIME, MTIME, 'nofollow')
    },
  },
  utimensatOnFile('utimensat-ns', 'utimensat keeps nanoseconds: atime and mtime read back exactly as set', ATIME_NS, MTIME_NS, { atime: ATIME_NS, mtime: MTIME_NS }),
  utimensatOnFile('utimensat-y2038', 'utimensat to 2^31 and 2^32 seconds (past a 32-bit time_t) reads back exactly', ATIME_2038, MTIME_2106, { atime: ATIME_2038, mtime: MTIME_2106 }),
  utimensatOnFile('utime-now', 'utimensat with UTIME_NOW for both: atime, mtime and ctime advance', 'now', 'now', { atime: 'advances', mtime: 'advances', ctime: 'advances' }),
  utimensatOnFile('utime-omit', 'utimensat with an explicit atime and UTIME_OMIT for mtime: atime is set, mtime stays, ctime advances', ATIME, 'omit', { atime: ATIME, mtime: 'stays', ctime: 'advances' }),
  {
    id: 'times/utimensat-follow/symlink',
    title: 'utimensat without AT_SYMLINK_NOFOLLOW on a symlink sets its target\'s times; the link\'s mtime and ctime stay',
    needs: PY,
    async run(x) {
      await watchTimes(x, async (n) => {
        const link = await x.make('symlink', `symlink${n}`)
        return {
          watched: { target: { path: `${link}.target`, atime: ATIME, mtime: MTIME }, link: { path: link, mtime: 'stays', ctime: 'stays' } },
          call: () => x.expect(0, 'utimensat', link, ATIME, MTIME, 'follow'),
        }
      })
    },
  },
]
