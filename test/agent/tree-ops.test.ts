// The tree ops (the migrate suite's): a tree made from steps and looked at in one request each,
// through the python3 helper, never leaving the guarded root: not by `..`, not through a
// symlinked dir, not by changing what a symlink points at.
import { lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { PathGuard } from '../../agent/worker/path-guard.ts'
import { runOp } from '../../agent/worker/ops/index.ts'
import { SpecialFiles } from '../../agent/worker/special-files.ts'
import { tempDir } from '../helpers/agent-bundle.ts'

const isRoot = process.getuid?.() === 0
const hex = (s: string) => Buffer.from(s).toString('hex')

function layout(t: Parameters<typeof tempDir>[0]) {
  const mount = tempDir(t, 'limafs-tree-mount-')
  const outside = tempDir(t, 'limafs-tree-outside-')
  const scratch = join(mount, '.limafs-tree01')
  mkdirSync(scratch)
  writeFileSync(join(outside, 'secret'), 'outside\n')
  const guard = new PathGuard([mount])
  guard.addRoot(scratch)
  const env = { guard, special: new SpecialFiles('python3'), handles: new Map() }
  t.teardown(() => env.special.close())
  return { scratch, outside, env }
}

t.test('tree-make makes every kind of object in one request; tree-look reads them back, xattrs and content where asked', { skip: isRoot ? false : 'needs root (chown, mknod)' }, async (t) => {
  const { scratch, env } = layout(t)
  const steps = [
    ['mkdir', 'd', 0o755], ['write', 'd/f', hex('hi\n'), 0o644], ['chown', 'd/f', 1234, 5678], ['chmod', 'd/f', 0o4750],
    ['symlink', 'd/s', 'f'], ['link', 'd/h', 'f'], ['mkfifo', 'd/p', 0o640], ['mknod', 'd/k', 0o644, 's', 0, 0],
    ['mknod', 'd/c', 0o600, 'c', 1, 3], ['setxattr', 'd/f', 'user.limafs', hex('v')], ['chmod', 'd/s', 0o600], ['mkdir', 'd', 0o755],
  ]
  const made = await runOp(env, 'tree-make', [[[scratch, steps]]])
  t.strictSame(made, { ok: true, value: [[null, null, null, null, null, null, null, null, null, null, 'ELOOP', 'EEXIST']] }, "each step's outcome: chmod refuses a symlink, a second mkdir EEXIST")
  const looked = await runOp(env, 'tree-look', [[[scratch, { xattrs: ['d/f'], content: ['d/f'] }], [join(scratch, 'nope'), {}]]])
  t.equal(looked.ok, true)
  const [look, missing] = (looked as { value: [Record<string, Record<string, unknown>>, unknown] }).value
  t.match(look['d/f'], { type: 'file', mode: '4750', uid: 1234, gid: 5678, nlink: 2, xattrs: { 'user.limafs': hex('v') }, content: hex('hi\n') })
  t.equal(look['d/h']!.ino, look['d/f']!.ino, 'the hard link is the same file')
  t.notOk('xattrs' in look['d/h']!, 'xattrs only where asked')
  t.match(look['d/s'], { type: 'symlink', target: 'f' })
  t.match(look['d/p'], { type: 'fifo', mode: '0640' })
  t.match(look['d/k'], { type: 'socket' })
  t.match(look['d/c'], { type: 'char', rdev: '1:3' })
  t.strictSame(missing, { errno: 'ENOENT' }, "a tree that is not there is that job's errno; the others are answered")
})

t.test('tree ops never leave the root: `..` is refused, a symlinked dir is not followed, a symlink is not chmodded through', async (t) => {
  const { scratch, outside, env } = layout(t)
  symlinkSync(outside, join(scratch, 'out'))
  writeFileSync(join(scratch, 'f'), 'inside\n')
  symlinkSync(join(outside, 'secret'), join(scratch, 'to-secret'))
  t.match(await runOp(env, 'tree-make', [[[scratch, [['mkdir', '../escape', 0o755]]]]]), { ok: false, errno: 'EINVAL' }, '`..` refuses the whole request')
  const made = await runOp(env, 'tree-make', [[[scratch, [['write', 'out/planted', hex('x'), 0o644], ['chmod', 'to-secret', 0o777], ['setxattr', 'out/secret', 'user.x', hex('x')]]]]])
  t.strictSame(made, { ok: true, value: [['ENOTDIR', 'ELOOP', 'ENOTDIR']] }, 'through a symlinked dir: ENOTDIR; a symlink itself: ELOOP')
  t.strictSame(readFileSync(join(outside, 'secret'), 'utf8'), 'outside\n', 'the outside file is untouched')
  t.equal(statSync(join(outside, 'secret')).mode & 0o777, 0o644, 'its mode too')
  t.throws(() => lstatSync(join(outside, 'planted')), 'nothing made outside')
  t.match(await runOp(env, 'tree-look', [[[join(scratch, 'out'), {}]]]), { ok: false, errno: 'EOUTSIDE' }, 'a root that leads out is refused by the guard')
  const looked = await runOp(env, 'tree-look', [[[scratch, { xattrs: '*', content: '*' }]]])
  const look = (looked as { value: [Record<string, Record<string, unknown>>] }).value[0]
  t.strictSame(Object.keys(look).sort(), ['f', 'out', 'to-secret'], 'the look does not descend into a symlinked dir')
  t.notOk('content' in look['to-secret']!, "nor reads a symlink's target file")
})
