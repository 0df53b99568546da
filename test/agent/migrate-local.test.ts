// The migrate suite's machinery on local dirs as root (no VM): two "mounts" told apart only by
// --model, their sibling scratch dirs on ONE shared dir, each source's tree read through the
// other's sibling path. A local file system keeps everything `cp -a` keeps, so every point that
// runs must pass; the pairs without a configuration of their model are SKIPs saying so; the
// shared dir and the mounts are left as they were.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { bundleCopy, countLeaves, parseTap, runAgent, tempDir } from '../helpers/agent-bundle.ts'

t.setTimeout(0)
const isRoot = process.getuid?.() === 0

t.test('migrate on two local dirs with one shared sibling dir: every pair that runs keeps everything, the others say why', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const bundle = await bundleCopy(t)
  const a = tempDir(t, 'limafs-mig-a-')
  const b = tempDir(t, 'limafs-mig-b-')
  const shared = tempDir(t, 'limafs-mig-shared-')
  const r = await runAgent([
    'run', '--suite', 'migrate', '--allow-any-fs', '--mount', a, '--mount', b,
    '--sibling', `${a}=${shared}`, '--sibling', `${b}=${shared}`, '--model', `${a}=none`, '--model', `${b}=mapped-xattr`,
  ], { bundle })
  const { leaves, parseErrors } = parseTap(r.stdout)
  t.strictSame(parseErrors, [], 'the TAP parses')
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr })
  const ofA = leaves.filter((l) => l.fullname.startsWith(`${a} > migrate`))
  const ofB = leaves.filter((l) => l.fullname.startsWith(`${b} > migrate`))
  const ran = (list: typeof leaves, model: string) => list.filter((l) => l.name.startsWith(`migrate/to-${model}/`) && l.skip === false)
  t.ok(ran(ofA, 'mapped-xattr').length >= 30, `A's tree through B: ${ran(ofA, 'mapped-xattr').length} points ran`)
  t.ok(ran(ofB, 'none').length >= 30, `B's tree through A: ${ran(ofB, 'none').length} points ran`)
  t.ok(ran(ofA, 'mapped-xattr').some((l) => l.name.endsWith('/planted-owner-xattr/owner')), "the guest user's plantings are looked at too")
  t.equal(countLeaves([...ofA, ...ofB]).notOk, 0, 'none failed: a local fs keeps them all', { failed: [...ofA, ...ofB].filter((l) => !l.ok).map((l) => ({ name: l.fullname, diag: l.diag })) })
  t.strictSame(ofA.filter((l) => l.name.startsWith('migrate/to-none/')), [], "no point of A's own model")
  const noConfig = ofA.filter((l) => l.name.startsWith('migrate/to-mapped-file/'))
  t.ok(noConfig.length > 0 && noConfig.every((l) => l.skip === 'no configuration of model mapped-file with a sibling share in this run'), 'a model with no configuration in the run: SKIP saying so')
  for (const dir of [a, b, shared]) t.strictSame(readdirSync(dir), [], `${dir} is left empty`)
})

t.test('without --model the suite says what it needs, point by point', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const bundle = await bundleCopy(t)
  const a = tempDir(t, 'limafs-mig-a-')
  const shared = tempDir(t, 'limafs-mig-shared-')
  const r = await runAgent(['run', '--suite', 'migrate', '--allow-any-fs', '--mount', a, '--sibling', `${a}=${shared}`], { bundle })
  const { leaves } = parseTap(r.stdout)
  t.equal(r.exitCode, 0, 'exit 0')
  t.ok(leaves.length >= 4 * 30, `every declared point is there (${leaves.length})`)
  t.ok(leaves.every((l) => typeof l.skip === 'string' && /security model is not known.*--model/.test(l.skip)), 'each a SKIP naming --model')
  t.strictSame(readdirSync(join(shared)), [], 'the shared dir is left empty')
})
