// The batch ops (make-objects, look-objects) on a local dir, through the real python3 helper:
// objects made with owner, mode and xattr in one request, looked at in one request, items of
// several groups in parallel threads answered in order; a path outside the scratch dir refused.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { runOp, type OpEnv } from '../../agent/worker/ops/index.ts'
import { PathGuard } from '../../agent/worker/path-guard.ts'
import { SpecialFiles } from '../../agent/worker/special-files.ts'
import { tempDir } from '../helpers/agent-bundle.ts'

const isRoot = process.getuid?.() === 0
const XATTR = 'user.limafs.t'

function env(t: Parameters<typeof tempDir>[0]): { env: OpEnv; scratch: string; outside: string } {
  const mount = tempDir(t, 'limafs-objects-')
  const outside = tempDir(t, 'limafs-objects-outside-')
  const scratch = join(mount, '.limafs-abc123')
  mkdirSync(join(scratch, 'a'), { recursive: true })
  mkdirSync(join(scratch, 'b'))
  const guard = new PathGuard([mount])
  guard.addRoot(scratch)
  const special = new SpecialFiles('python3')
  t.teardown(() => special.close())
  return { env: { guard, special, handles: new Map() }, scratch, outside }
}

t.test('make-objects then look-objects: owner, mode, xattr, content, link target, per group in order', { skip: isRoot ? false : 'needs root (chown to root:5678)' }, async (t) => {
  const { env: e, scratch } = env(t)
  const items = ['a', 'b'].flatMap((g) => [
    { group: g, path: join(scratch, g, 'file'), kind: 'file', owner: [0, 5678], mode: 0o6755, xattr: [XATTR, '67'] },
    { group: g, path: join(scratch, g, 'dir'), kind: 'dir', owner: [0, 5678], mode: 0o2775, xattr: [XATTR, '67'] },
    { group: g, path: join(scratch, g, 'dir', 'inner'), kind: 'file' },
    { group: g, path: join(scratch, g, 'link'), kind: 'symlink', target: 'file', owner: [0, 5678] },
  ])
  const made = await runOp(e, 'make-objects', [JSON.stringify(items)])
  t.equal(made.ok, true, 'one answer')
  const results = (made as { value: Array<{ ok: boolean; value?: { view: Record<string, unknown>; unset: object } }> }).value
  t.equal(results.length, 8, 'an answer per item, in order')
  t.match(results[0], { ok: true, value: { view: { type: 'file', uid: 0, gid: 5678, mode: '6755', xattr: '67' }, unset: {} } })
  t.match(results[1], { ok: true, value: { view: { type: 'dir', mode: '2775', xattr: '67' } } })
  t.match(results[2], { ok: true, value: { view: { type: 'file' } } }, 'an item after its dir in the same group was made')
  t.match(results[3], { ok: true, value: { view: { type: 'symlink', uid: 0, gid: 5678, target: 'file' } } })
  writeFileSync(join(scratch, 'a', 'file'), 'text\n')
  const looked = await runOp(e, 'look-objects', [JSON.stringify([
    { group: 'a', path: join(scratch, 'a', 'file'), xattr: XATTR, content: true },
    { group: 'b', path: join(scratch, 'b', 'dir', 'inner'), xattr: XATTR, content: false },
    { group: 'b', path: join(scratch, 'b', 'gone'), xattr: XATTR },
  ])])
  t.match((looked as { value: unknown[] }).value, [
    { ok: true, value: { type: 'file', mode: '6755', xattr: '67', content: 'text\n' } },
    { ok: true, value: { type: 'file', xattr: null } },
    { ok: false, errno: 'ENOENT' },
  ], 'views; no xattr is null; a missing object its errno')
})

t.test('a path outside the scratch dir is refused before anything is made', async (t) => {
  const { env: e, scratch, outside } = env(t)
  symlinkSync(outside, join(scratch, 'out'))
  const r = await runOp(e, 'make-objects', [JSON.stringify([{ group: 'a', path: join(scratch, 'out', 'x'), kind: 'file', mode: 0o644 }])])
  t.match(r, { ok: false, errno: 'EOUTSIDE' })
  const r2 = await runOp(e, 'look-objects', [JSON.stringify([{ group: 'a', path: join(outside, 'x') }])])
  t.match(r2, { ok: false, errno: 'EOUTSIDE' })
})
