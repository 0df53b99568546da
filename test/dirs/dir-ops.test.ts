// The dirs suite's ops on a real local dir: make-entries makes exactly the names the host
// bridge's verb makes, a held stream reads the dir in steps, telldir/seekdir and rewinddir
// (python3) come back to the same names, remove-tree removes the dir; nothing outside.
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import t from 'tap'
import { entryName, MAX_ENTRIES } from '../../agent/worker/ops/dirs.ts'
import { runOp, type OpEnv } from '../../agent/worker/ops/index.ts'
import { PathGuard } from '../../agent/worker/path-guard.ts'
import { SpecialFiles } from '../../agent/worker/special-files.ts'
import { tempDir } from '../helpers/agent-bundle.ts'

const hasPython = spawnSync('python3', ['-c', '0']).status === 0

function env(t: Parameters<typeof tempDir>[0], tool: 'python3' | 'none' = 'none') {
  const mount = tempDir(t, 'limafs-dirs-')
  const scratch = join(mount, '.limafs-dirs01')
  mkdirSync(join(scratch, 'big'), { recursive: true })
  const guard = new PathGuard([mount])
  guard.addRoot(scratch)
  const special = new SpecialFiles(tool)
  t.teardown(() => special.close())
  const e: OpEnv = { guard, special, handles: new Map() }
  const op = async (name: string, ...args: unknown[]) => (await runOp(e, name, args)) as { ok: boolean; value?: unknown; errno?: string }
  return { dir: join(scratch, 'big'), scratch, op }
}

t.test('make-entries makes PREFIX + six digits, COUNT of them; its bounds are EINVAL', async (t) => {
  const { dir, op } = env(t)
  t.match(await op('make-entries', dir, 300, 'p-'), { ok: true })
  t.strictSame(readdirSync(dir).sort(), Array.from({ length: 300 }, (_, i) => entryName('p-', i)))
  t.equal(entryName('p-', 7), 'p-000007')
  t.match(await op('make-entries', dir, MAX_ENTRIES + 1, 'q-'), { ok: false, errno: 'EINVAL' }, 'more than the bound')
  t.match(await op('make-entries', dir, 1, '../x'), { ok: false, errno: 'EINVAL' }, 'a prefix that is not a plain name')
  t.match(await op('make-entries', dir, 1, 'p-'), { ok: false, errno: 'EEXIST' }, 'never over what is there')
  t.strictSame(await op('list-names', dir).then((r) => (r.value as string[]).length), 300, 'list-names reads them all')
})

t.test('a held stream reads the dir in steps to its end, then nothing more', { skip: hasPython ? false : 'no python3 here' }, async (t) => {
  const { dir, op } = env(t, 'python3')
  await op('make-entries', dir, 100, 'e')
  const handle = (await op('dir-open', dir)).value as number
  const first = (await op('dir-next', handle, 40)).value as string[]
  const rest = (await op('dir-next', handle, 1000)).value as string[]
  t.equal(first.length, 40)
  t.equal(rest.length, 60, 'the rest, without . and ..')
  t.strictSame([...first, ...rest].sort(), readdirSync(dir).sort(), 'every entry once')
  t.strictSame((await op('dir-next', handle, 10)).value, [], 'at the end: nothing')
  t.match(await op('dir-close', handle), { ok: true })
  t.match(await op('dir-next', handle, 10), { ok: false, errno: 'EBADF' }, 'a closed stream is EBADF')
})

t.test('telldir/seekdir and rewinddir through ctypes come back to the same names', { skip: hasPython ? false : 'no python3 here' }, async (t) => {
  const { dir, op } = env(t, 'python3')
  await op('make-entries', dir, 500, 'e')
  const r = await op('dir-seek', dir, 200, 50)
  t.match(r, { ok: true })
  const v = r.value as { head: string[]; ahead: string[]; again: string[]; rewound: string[]; position: string }
  t.equal(v.ahead.length, 50)
  t.strictSame(v.again, v.ahead, 'after seekdir: the same 50 names')
  t.equal(v.head.length, 50, 'the first 50 of the 200 read before telldir')
  t.strictSame(v.rewound, v.head, 'after rewinddir: the first names again')
  t.match(v.position, /^-?\d+$/, 'telldir\'s position, as text (it may not fit a double)')
  t.match(await op('dir-seek', join(dir, 'nope'), 1, 1), { ok: false, errno: 'ENOENT' })
})

t.test('remove-tree removes a dir of ours; a dir through a symlink out is refused', async (t) => {
  const { dir, scratch, op } = env(t)
  await op('make-entries', dir, 10, 'e')
  const outside = tempDir(t, 'limafs-dirs-outside-')
  mkdirSync(join(outside, 'keep'))
  symlinkSync(outside, join(scratch, 'out'))
  t.match(await op('remove-tree', join(scratch, 'out/keep')), { ok: false, errno: 'EOUTSIDE' })
  t.match(await op('make-entries', join(scratch, 'out'), 1, 'x'), { ok: false, errno: 'EOUTSIDE' })
  t.strictSame(readdirSync(outside), ['keep'], 'nothing outside touched')
  t.match(await op('remove-tree', dir), { ok: true })
  t.strictSame(readdirSync(scratch), ['out'], 'the dir is gone, the symlink (not followed) stays')
})
