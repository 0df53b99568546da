import { lstatSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { OutsideScratch, PathGuard } from '../../agent/worker/path-guard.ts'
import { runOp } from '../../agent/worker/ops/index.ts'
import { SpecialFiles } from '../../agent/worker/special-files.ts'
import { tempDir } from '../helpers/agent-bundle.ts'

const isRoot = process.getuid?.() === 0

/** A mount dir with a scratch dir in it, an outside dir with a file, and a guard over them. */
function layout(t: Parameters<typeof tempDir>[0]) {
  const mount = tempDir(t, 'limafs-guard-mount-')
  const outside = tempDir(t, 'limafs-guard-outside-')
  const scratch = join(mount, '.limafs-abc123')
  mkdirSync(join(scratch, 'sub'), { recursive: true })
  writeFileSync(join(scratch, 'file'), 'inside\n')
  writeFileSync(join(outside, 'secret'), 'outside\n')
  const guard = new PathGuard([mount])
  guard.addRoot(scratch)
  return { mount, outside, scratch, guard }
}

const refused = (fn: () => unknown) => {
  try {
    fn()
    return false
  } catch (err) {
    return err instanceof OutsideScratch && err.errno === 'EOUTSIDE'
  }
}

t.test('paths inside the scratch dir are allowed, for following and non-following ops', async (t) => {
  const { scratch, guard } = layout(t)
  for (const p of [scratch, join(scratch, 'file'), join(scratch, 'sub'), join(scratch, 'sub/new-name'), join(scratch, 'sub/../file')]) {
    t.notOk(refused(() => guard.assertNoFollow(p)), `no-follow ${p}`)
    t.notOk(refused(() => guard.assertFollow(p)), `follow ${p}`)
  }
  t.equal(guard.assertNoFollow(join(scratch, 'sub/../file')), join(scratch, 'file'), 'returned resolved')
})

t.test('.. that leads out of the scratch dir is refused', async (t) => {
  const { mount, scratch, guard } = layout(t)
  for (const p of [join(scratch, '..'), `${scratch}/../other`, `${scratch}/sub/../../x`, `${scratch}/../.limafs-abc123x/f`, join(mount, 'x'), '/etc/passwd']) {
    t.ok(refused(() => guard.assertNoFollow(p)), `no-follow ${p}`)
    t.ok(refused(() => guard.assertFollow(p)), `follow ${p}`)
  }
})

t.test('a symlinked directory leading out is refused even for ops that do not follow the last component', async (t) => {
  const { outside, scratch, guard } = layout(t)
  symlinkSync(outside, join(scratch, 'out-dir'))
  t.ok(refused(() => guard.assertNoFollow(join(scratch, 'out-dir/secret'))), 'lstat/lchown through it')
  t.ok(refused(() => guard.assertNoFollow(join(scratch, 'out-dir/new'))), 'creating through it')
  t.ok(refused(() => guard.assertFollow(join(scratch, 'out-dir/secret'))), 'reading through it')
  t.notOk(refused(() => guard.assertNoFollow(join(scratch, 'out-dir'))), 'the symlink itself may be lstat-ed')
})

t.test('a symlink whose target leads out is refused for following ops, allowed for lstat and lchown', async (t) => {
  const { outside, scratch, guard } = layout(t)
  const links: Array<[string, string]> = [
    ['abs-out', join(outside, 'secret')],
    ['rel-out', '../../' + outside.split('/').slice(-1)[0] + '/secret'],
    ['dangling-out', '/no/such/place'],
    ['dotdot', '..'],
  ]
  symlinkSync(join(scratch, 'abs-out'), join(scratch, 'chain')) // inside -> a link that leads out
  for (const [name, target] of links) symlinkSync(target, join(scratch, name))
  for (const name of [...links.map(([n]) => n), 'chain']) {
    t.ok(refused(() => guard.assertFollow(join(scratch, name))), `follow ${name}`)
    t.notOk(refused(() => guard.assertNoFollow(join(scratch, name))), `no-follow ${name}`)
  }
  symlinkSync('file', join(scratch, 'in'))
  symlinkSync('sub/../in', join(scratch, 'in-chain'))
  symlinkSync('no-such-file', join(scratch, 'dangling-in'))
  for (const name of ['in', 'in-chain', 'dangling-in']) t.notOk(refused(() => guard.assertFollow(join(scratch, name))), `follow ${name} (stays inside)`)
  symlinkSync('loop-b', join(scratch, 'loop-a'))
  symlinkSync('loop-a', join(scratch, 'loop-b'))
  t.notOk(refused(() => guard.assertFollow(join(scratch, 'loop-a'))), 'a loop is left to the op (ELOOP), not refused')
})

t.test('the ops themselves refuse what leads out, with EOUTSIDE, and leave the outside alone', async (t) => {
  const { outside, scratch, guard } = layout(t)
  const env = { guard, special: new SpecialFiles('none'), handles: new Map() }
  const secret = join(outside, 'secret')
  symlinkSync(secret, join(scratch, 'link'))
  const before = statSync(secret)
  for (const [op, args] of [
    ['read', [join(scratch, 'link')]],
    ['write', [join(scratch, 'link'), 'overwritten']],
    ['chmod', [join(scratch, 'link'), 0o777]],
    ['chown', [join(scratch, 'link'), 1234, 5678]],
    ['stat', [join(scratch, 'link')]],
    ['create', [`${scratch}/../escaped`]],
    ['unlink', [secret]],
  ] as const) {
    const r = await runOp(env, op, [...args])
    t.equal(r.ok ? 'ok' : r.errno, 'EOUTSIDE', `${op} refused`)
  }
  const after = statSync(secret)
  t.strictSame([after.mode, after.uid, after.size, after.mtimeMs], [before.mode, before.uid, before.size, before.mtimeMs], 'the outside file is unchanged')
  const lstat = await runOp(env, 'lstat', [join(scratch, 'link')])
  t.equal(lstat.ok && (lstat.value as { type: string }).type, 'symlink', 'lstat of the link works')
  if (isRoot) {
    const lchown = await runOp(env, 'lchown', [join(scratch, 'link'), 1234, 5678])
    t.ok(lchown.ok, 'lchown of the link works')
    t.equal(lstatSync(join(scratch, 'link')).uid, 1234, 'and changed the link')
    t.equal(statSync(secret).uid, before.uid, 'not its target')
  }
})

t.test('scratch dirs are .limafs-XXXXXX (6+ letters or digits) directly inside a --mount path', async (t) => {
  const { mount, outside, guard } = layout(t)
  const table: Array<[string, boolean]> = [
    [join(mount, '.limafs-abc123'), true],
    [join(mount, '.limafs-AbC123xyz'), true],
    [`${mount}/sub/../.limafs-abc123`, true],
    [join(mount, '.limafs-abc12'), false],
    [join(mount, '.limafs-abc_123'), false],
    [join(mount, '.limafs-'), false],
    [join(mount, 'limafs-abc123'), false],
    [join(mount, 'sub/.limafs-abc123'), false],
    [join(mount, '.limafs-abc123/.limafs-abc123'), false],
    [join(outside, '.limafs-abc123'), false],
    [mount, false],
  ]
  for (const [p, ok] of table) t.equal(!refused(() => guard.assertScratchDir(p)), ok, `${p} ${ok ? 'is' : 'is not'} a scratch dir`)
  t.notOk(refused(() => guard.assertMountPath(mount)), 'the --mount path itself may be looked at')
  t.ok(refused(() => guard.assertMountPath(join(mount, '.limafs-abc123'))), 'nothing else is a mount path')
})

t.test('a --mount path reached through a symlink works (the scratch root is also known by its real path)', async (t) => {
  const real = tempDir(t, 'limafs-guard-real-')
  const via = join(tempDir(t, 'limafs-guard-via-'), 'share')
  symlinkSync(real, via)
  const scratch = join(via, '.limafs-xyz789')
  mkdirSync(scratch)
  const guard = new PathGuard([via])
  guard.addRoot(guard.assertScratchDir(scratch))
  t.notOk(refused(() => guard.assertNoFollow(join(scratch, 'chown'))), 'a new name in the scratch dir')
  mkdirSync(join(scratch, 'chown'))
  t.notOk(refused(() => guard.assertNoFollow(join(scratch, 'chown/0-file'))), 'a name in a dir of the scratch dir')
  t.ok(refused(() => guard.assertNoFollow(join(via, 'x'))), 'the mount path beside the scratch dir stays out')
})
