// The agent run by an ordinary user (no sudo): it says so, runs what it can, and SKIPs every
// check that needs root (or acting as another user) with the reason.
import { chmodSync, chownSync, copyFileSync, linkSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { bundleCopy, countLeaves, listedChecks, parseTap, runAgent, tempDir } from '../helpers/agent-bundle.ts'

t.setTimeout(0)

/** An existing ordinary account on this machine (uid 1000..65533), to run the agent as. */
function ordinaryAccount(): { name: string; uid: number; gid: number } | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [name, , uid, gid] = line.split(':')
    if (name && Number(uid) >= 1000 && Number(uid) < 65534) return { name, uid: Number(uid), gid: Number(gid) }
  }
  return undefined
}

const account = ordinaryAccount()
const skip = process.getuid?.() !== 0 ? 'needs root to start a process as another user' : !account ? 'no ordinary account (uid >= 1000) in /etc/passwd' : false

t.test('as an ordinary user on a dir they own: "not root" on stderr, root-only checks SKIP with a reason, exit 0', { skip }, async (t) => {
  const { uid, gid, name } = account!
  const bundle = await bundleCopy(t)
  const dir = tempDir(t)
  chownSync(dir, uid, gid)
  const r = await runAgent(['run', '--mount', dir, '--allow-any-fs'], { bundle, uid, gid })
  t.equal(r.exitCode, 0, `exit 0 as ${name} (${uid})`, { stderr: r.stderr })
  t.match(r.stderr, /not running as root/, 'says it is not root')
  t.match(r.stdout, new RegExp(`# limafs-agent \\S+ run: .*uid ${uid},`), 'the TAP header names the uid')
  const { leaves, parseErrors } = parseTap(r.stdout)
  t.strictSame(parseErrors, [], 'the TAP parses')
  const counts = countLeaves(leaves)
  t.equal(counts.notOk, 0, 'nothing failed', { failed: leaves.filter((l) => !l.ok).map((l) => l.name) })
  t.ok(counts.ok > 0, `checks that need no root ran and passed (${counts.ok})`)

  const byId = new Map(leaves.map((l) => [l.name, l]))
  const listed = await listedChecks()
  const privileged = listed.filter((c) => c.needs.includes('root') || c.needs.includes('user'))
  t.ok(privileged.length > 0, 'some checks need root')
  const skipOf = (id: string) => byId.get(id)?.skip
  t.strictSame(privileged.filter((c) => !skipOf(c.id)).map((c) => c.id), [], 'every check that needs root (or another user) is a SKIP with a reason')
  // The read-only suite's points are SKIPs for another reason here (a writable dir): left out.
  const onlyRoot = privileged.filter((c) => c.suite !== 'read-only' && c.needs.every((n) => n === 'root' || n === 'user'))
  t.ok(onlyRoot.length > 0, 'some checks need nothing but root')
  t.strictSame(onlyRoot.filter((c) => !/root|sudo/.test(String(skipOf(c.id)))).map((c) => c.id), [], 'those say it is root they need')
  t.strictSame(listed.map((c) => c.id).filter((id) => !byId.has(id)), [], 'every declared id is still reported')
  t.strictSame(readdirSync(dir), [], 'nothing left in the dir')
})

t.test('an ordinary-user worker that cannot start fails its checks at once, saying why (not one op timeout after another)', { skip }, async (t) => {
  // node in a dir only root may enter: the agent (root) runs, its worker as the user can't exec.
  const hidden = tempDir(t, 'limafs-root-only-')
  chmodSync(hidden, 0o700)
  const node = join(hidden, 'node')
  try {
    linkSync(realpathSync(process.execPath), node)
  } catch {
    copyFileSync(realpathSync(process.execPath), node)
  }
  const dir = tempDir(t)
  const r = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--suite', 'chown,modes'], { nodeBinary: node })
  t.equal(r.exitCode, 1, 'exit 1: failed checks', { stderr: r.stderr })
  const { leaves } = parseTap(r.stdout)
  const userChecks = (await listedChecks()).filter((c) => c.needs.includes('user') && ['chown', 'modes'].includes(c.suite))
  t.ok(userChecks.length > 0, 'some checks act as the ordinary user')
  for (const c of userChecks) t.match(leaves.find((l) => l.name === c.id), { ok: false, diag: { found: 'EWORKER' } }, `${c.id} fails: EWORKER`)
  t.ok(leaves.some((l) => /user worker could not start: .*EACCES/.test(String(l.diag?.note))), 'the diagnostics say why')
  t.ok(r.durationMs < 10_000, `no op waited for its timeout (${r.durationMs} ms)`)
  t.strictSame(readdirSync(dir), [], 'nothing left in the dir')
})
