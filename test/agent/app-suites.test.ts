// The suites of what applications do (locks, open-files, space) on a local dir, as root: a
// real POSIX file system, so every point that runs must pass (the expectations are POSIX's);
// the ENOSPC points fill a small tmpfs given as the sibling share, and leave it empty again.
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import t from 'tap'
import { countLeaves, parseTap, runAgent, tempDir, type Leaf } from '../helpers/agent-bundle.ts'

t.setTimeout(0)
const isRoot = process.getuid?.() === 0
const SUITES = 'locks,open-files,space'

/** A small tmpfs (MiB) mounted on a fresh dir, unmounted when the test ends. */
function smallTmpfs(t: Parameters<typeof tempDir>[0] & { teardown(fn: () => void): void }, mib: number): string {
  const dir = tempDir(t, 'limafs-sibling-')
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m,mode=0755`, 'limafs-test-sibling', dir])
  t.teardown(() => execFileSync('umount', ['-l', dir]))
  return dir
}

const named = (leaves: readonly Leaf[], prefix: string) => leaves.filter((l) => l.name.startsWith(prefix))

t.test('locks, open-files and space on a local dir with a small tmpfs sibling: all ok but the host points (SKIP: no host), nothing left behind', { skip: isRoot ? false : 'needs root (mounts a tmpfs)' }, async (t) => {
  const dir = tempDir(t)
  const sibling = smallTmpfs(t, 8)
  const r = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--sibling', `${dir}=${sibling}`, '--suite', SUITES])
  const { leaves, parseErrors } = parseTap(r.stdout)
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr })
  t.strictSame(parseErrors, [], 'the TAP parses')
  t.strictSame(leaves.filter((l) => !l.ok && l.skip === false).map((l) => ({ name: l.name, diag: l.diag })), [], 'no point fails')
  const skipped = leaves.filter((l) => l.skip !== false)
  t.ok(skipped.length > 0 && skipped.every((l) => /no host bridge/.test(String(l.skip))), `only host points are skipped, saying why (${skipped.map((l) => l.name).join(', ')})`)
  for (const suite of ['locks', 'open-files', 'space']) t.ok(countLeaves(named(leaves, `${suite}/`)).ok >= 5, `${suite}: at least 5 ok points`)
  t.strictSame(named(leaves, 'space/enospc/').map((l) => `${l.name} ${l.ok && l.skip === false ? 'ok' : 'not ok'}`), [
    'space/enospc/write ok', 'space/enospc/size ok', 'space/enospc/intact ok', 'space/enospc/freed ok',
  ], 'the sibling was filled up: ENOSPC from write(), exact size, intact, space back')
  t.ok(named(leaves, 'open-files/mmap-truncated/by-guest')[0]?.ok, 'the child touching a truncated mapping died of SIGBUS, and the run went on')
  t.strictSame(readdirSync(dir), [], 'nothing left in the mount')
  t.strictSame(readdirSync(sibling), [], 'nothing left on the sibling (ballast, filler and scratch dir gone)')
})

t.test('the ENOSPC points are SKIPs that say why on a sibling that is not a small file system: it is never filled', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const dir = tempDir(t)
  const sibling = tempDir(t)
  const r = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--sibling', `${dir}=${sibling}`, '--suite', 'space', '--grep', '^space/enospc/'])
  const { leaves } = parseTap(r.stdout)
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr })
  t.equal(leaves.length, 4, 'the four ENOSPC points')
  t.match(leaves[0], { name: 'space/enospc/write', skip: /MiB, not a small file system made to be filled/ }, 'write: SKIP, naming the size')
  t.ok(leaves.slice(1).every((l) => /not filled/.test(String(l.skip))), 'the other three: SKIP, nothing was filled')
  t.strictSame(readdirSync(sibling), [], 'nothing written there')
})

t.test('without a sibling the ENOSPC points are SKIPs that name the flag', async (t) => {
  const dir = tempDir(t)
  const r = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--suite', 'space', '--grep', '^space/enospc/'])
  const { leaves } = parseTap(r.stdout)
  t.equal(leaves.length, 4)
  t.ok(leaves.every((l) => /--sibling MOUNT=PATH/.test(String(l.skip))), 'each says --sibling MOUNT=PATH')
})
