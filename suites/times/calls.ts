// The calls POSIX says change times: the right ones advance, the others stay. Owner and mode
// changes touch only ctime; content changes mtime and ctime; a dir whose entries change gets a
// new mtime and ctime, and a file that gains or loses a name a new ctime.
import { dirname } from 'node:path'
import type { Arg, CheckContext, CheckSpec, Need } from '../../agent/check-api.ts'
import type { TimesWanted } from './changes.ts'
import { watchTimes } from './watch.ts'

const STATUS: TimesWanted = { atime: 'stays', mtime: 'stays', ctime: 'advances' }
const CONTENT: TimesWanted = { atime: 'stays', mtime: 'advances', ctime: 'advances' }
/** A dir whose entries change. */
const ENTRIES: TimesWanted = CONTENT

/** `name`: a call (op with args) on a new file that must move its times as wanted. */
const onFile = (name: string, title: string, wanted: TimesWanted, op: string, args: (x: CheckContext) => Arg[], needs: Need[] = []): CheckSpec => ({
  id: `times/${name}/file`,
  title,
  needs,
  async run(x) {
    await watchTimes(x, async (n) => {
      const f = await x.make('file', `file${n}`)
      return { watched: { file: { path: f, ...wanted } }, call: () => x.expect(0, op, f, ...args(x)) }
    })
  },
})

/** A call that adds or removes an entry of the check's dir: the dir's mtime and ctime advance. */
const inDir = (name: string, title: string, act: (x: CheckContext, p: string) => Promise<unknown>, prepare?: (x: CheckContext, p: string) => Promise<unknown>): CheckSpec => ({
  id: `times/${name}/dir`,
  title,
  async run(x) {
    await watchTimes(x, async (n) => {
      const p = x.path(`entry${n}`)
      await prepare?.(x, p)
      return { watched: { dir: { path: dirname(p), ...ENTRIES } }, call: () => act(x, p) }
    })
  },
})

export const CALLS: CheckSpec[] = [
  onFile('chmod', 'chmod of a file: its ctime advances, atime and mtime stay', STATUS, 'chmod', () => [0o600]),
  onFile('chown', 'chown of a file to another uid:gid: its ctime advances, atime and mtime stay', STATUS, 'lchown', (x) => [x.other.uid, x.other.gid], ['root']),
  onFile('chgrp', 'chgrp of a file (uid -1): its ctime advances, atime and mtime stay', STATUS, 'lchown', (x) => [-1, x.other.gid], ['root']),
  onFile('write', 'write(2) to a file (O_APPEND, no truncation): its mtime and ctime advance, atime stays', CONTENT, 'append', () => ['more\n']),
  onFile('truncate', 'truncate(2) a file to a new size: its mtime and ctime advance, atime stays', CONTENT, 'truncate', () => [100]),
  onFile('ftruncate', 'ftruncate(2) a file to a new size: its mtime and ctime advance, atime stays', CONTENT, 'ftruncate', () => [100]),
  onFile('setxattr', 'setxattr of a user.* xattr on a file: its ctime advances, atime and mtime stay', STATUS, 'setxattr', () => ['user.limafs.t', '61'], ['xattr']),
  {
    id: 'times/removexattr/file',
    title: 'removexattr on a file: its ctime advances, atime and mtime stay',
    needs: ['xattr'],
    async run(x) {
      await watchTimes(x, async (n) => {
        const f = await x.make('file', `file${n}`)
        await x.setup('setxattr', f, 'user.limafs.t', '61')
        return { watched: { file: { path: f, ...STATUS } }, call: () => x.expect(0, 'removexattr', f, 'user.limafs.t') }
      })
    },
  },
  {
    id: 'times/link/file',
    title: 'a hard link to a file: the file\'s ctime advances (mtime stays), the dir\'s mtime and ctime advance',
    async run(x) {
      await watchTimes(x, async (n) => {
        const f = await x.make('file', `file${n}`)
        return { watched: { file: { path: f, ...STATUS }, dir: { path: dirname(f), ...ENTRIES } }, call: () => x.expect(0, 'link', f, x.path(`link${n}`)) }
      })
    },
  },
  {
    id: 'times/unlink/file',
    title: 'unlink of one of a file\'s two names: the file\'s ctime advances (mtime stays), the dir\'s mtime and ctime advance',
    async run(x) {
      await watchTimes(x, async (n) => {
        const f = await x.make('file', `file${n}`)
        await x.setup('link', f, x.path(`link${n}`))
        return { watched: { file: { path: f, ...STATUS }, dir: { path: dirname(f), ...ENTRIES } }, call: () => x.expect(0, 'unlink', x.path(`link${n}`)) }
      })
    },
  },
  {
    id: 'times/rename/file',
    title: 'rename of a file into another dir: the file\'s ctime advances (as Linux file systems do), both dirs\' mtime and ctime advance',
    async run(x) {
      await watchTimes(x, async (n) => {
        const f = await x.make('file', `file${n}`)
        const to = x.path(`to${n}`)
        await x.setup('mkdir', to, 0o755)
        return {
          watched: { file: { path: f, pathAfter: `${to}/file`, ...STATUS }, from: { path: dirname(f), ...ENTRIES }, to: { path: to, ...ENTRIES } },
          call: () => x.expect(0, 'rename', f, `${to}/file`),
        }
      })
    },
  },
  inDir('create', 'a file created in a dir: the dir\'s mtime and ctime advance', (x, p) => x.expect(0, 'create', p, 0o644)),
  inDir('mkdir', 'a dir made in a dir: the dir\'s mtime and ctime advance', (x, p) => x.expect(0, 'mkdir', p, 0o755)),
  inDir('rmdir', 'a dir removed from a dir: the dir\'s mtime and ctime advance', (x, p) => x.expect(0, 'rmdir', p), (x, p) => x.setup('mkdir', p, 0o755)),
  inDir('mkfifo', 'a fifo made in a dir: the dir\'s mtime and ctime advance', (x, p) => x.expect(0, 'mkfifo', p, 0o644)),
  inDir('symlink', 'a symlink made in a dir: the dir\'s mtime and ctime advance', (x, p) => x.expect(0, 'symlink', 'target', p)),
]
