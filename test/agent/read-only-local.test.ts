// The read-only suite on a local read-only file system (a tmpfs remounted ro): what a local
// POSIX file system does is what the suite expects, so every point it can judge without a host
// bridge passes here; every other suite is a SKIP there, and nothing is written. The scratch dir
// and its files are made as `limafs run` makes them on a read-only share's host side.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { lstatSync, readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import t from 'tap'
import { makeReadOnlyScratch, removeReadOnlyScratch } from '../../provision/read-only-scratch.ts'
import { FIXTURE, FIXTURE_DIR, FILE_MTIME_S, LARGE_DIGEST, largeContent } from '../../suites/read-only/fixture.ts'
import { countLeaves, parseTap, runAgent, tempDir } from '../helpers/agent-bundle.ts'

t.setTimeout(0)
const isRoot = process.getuid?.() === 0

t.test('the host side makes the fixture whatever the umask, and removes it', async (t) => {
  const share = tempDir(t)
  const old = process.umask(0o077)
  let scratch: string
  try {
    scratch = makeReadOnlyScratch(share)
  } finally {
    process.umask(old)
  }
  t.match(basename(scratch), /^\.limafs-[A-Za-z0-9]{6}$/, 'a scratch dir name')
  const base = join(scratch, FIXTURE_DIR)
  for (const e of FIXTURE) {
    const st = lstatSync(join(base, e.name))
    if (e.kind !== 'symlink') t.equal(st.mode & 0o7777, e.mode, `${e.name}: mode ${e.mode.toString(8)}`)
    else t.ok(st.isSymbolicLink(), `${e.name}: a symlink`)
  }
  t.ok(readFileSync(join(base, 'large')).equals(largeContent()), 'large has its bytes')
  const large = largeContent()
  t.strictSame({ size: large.length, sha256: createHash('sha256').update(large).digest('hex') }, LARGE_DIGEST, 'the digest the suite expects is that of these bytes')
  t.equal(lstatSync(join(base, 'file')).mtimeMs, FILE_MTIME_S * 1000, 'file has its mtime')
  removeReadOnlyScratch(scratch)
  t.strictSame(readdirSync(share), [], 'removed')
})

t.test('on a read-only tmpfs every write fails EROFS and the host content reads back; other suites skip', { skip: isRoot ? false : 'needs root (mount)' }, async (t) => {
  const mnt = tempDir(t)
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0755', 'limafs-ro-test', mnt])
  t.teardown(() => execFileSync('umount', ['-l', mnt]))
  const scratch = makeReadOnlyScratch(mnt)
  execFileSync('mount', ['-o', 'remount,ro', mnt])
  const before = readdirSync(join(scratch, FIXTURE_DIR)).sort()
  const r = await runAgent(['run', '--mount', mnt, '--allow-any-fs', '--ro-scratch', `${mnt}=${basename(scratch)}`, '--suite', 'read-only,chown,coherence'])
  t.equal(r.exitCode, 0, `exit 0 (stderr: ${r.stderr.slice(-600)})`)
  const { leaves } = parseTap(r.stdout)
  const ro = leaves.filter((l) => l.name.startsWith('read-only/'))
  const judged = ro.filter((l) => l.skip === false)
  t.ok(judged.length >= 19, `${judged.length} read-only points judged without a host bridge`)
  t.strictSame(judged.filter((l) => !l.ok).map((l) => `${l.name}: ${JSON.stringify(l.diag)}`), [], 'every one passes, as on any local read-only fs')
  t.ok(judged.some((l) => l.name === 'read-only/refuses/write'), 'a write was refused')
  t.ok(ro.filter((l) => l.name.startsWith('read-only/host-change/')).every((l) => l.skip !== false), 'host changes need the bridge: SKIP')
  const others = leaves.filter((l) => !l.name.startsWith('read-only/'))
  t.ok(others.length > 0 && others.every((l) => l.skip !== false && /read-only mount/.test(l.skip)), `the other suites' ${others.length} points are SKIPs naming the read-only mount`)
  t.strictSame(readdirSync(join(scratch, FIXTURE_DIR)).sort(), before, 'nothing was made or removed')
  t.strictSame(countLeaves(leaves).notOk, 0)
})

t.test('a read-only mount without --ro-scratch: every suite is a SKIP that says how to get one', { skip: isRoot ? false : 'needs root (mount)' }, async (t) => {
  const mnt = tempDir(t)
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'limafs-ro-test', mnt])
  t.teardown(() => execFileSync('umount', ['-l', mnt]))
  const r = await runAgent(['run', '--mount', mnt, '--allow-any-fs', '--suite', 'read-only,chown'])
  t.equal(r.exitCode, 0)
  const { leaves } = parseTap(r.stdout)
  t.ok(leaves.length > 0 && leaves.every((l) => l.skip !== false && /--ro-scratch/.test(l.skip)), 'all SKIP, naming --ro-scratch')
})
