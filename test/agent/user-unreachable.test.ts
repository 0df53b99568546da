// The agent run by hand as root on a share the ordinary user can't reach (a share under a 0700
// home): every check that acts as that user is a SKIP that says why, not a failure at setup;
// the same run under an open parent runs those checks. No VM: a local dir, --allow-any-fs.
import { chmodSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { bundleCopy, countLeaves, listedChecks, parseTap, runAgent, tempDir } from '../helpers/agent-bundle.ts'

t.setTimeout(0)

/** Not root, not this process's user: the ordinary user the agent acts as. */
const USER = '1000:1000'
const SUITES = 'chown,modes'
const skip = process.getuid?.() !== 0 ? 'needs root: the agent starts its ordinary-user worker as another uid' : false

async function runUnder(t: Test, parentMode: number) {
  const bundle = await bundleCopy(t)
  const home = join(tempDir(t), 'home')
  mkdirSync(home)
  chmodSync(home, parentMode)
  const share = join(home, 'share')
  mkdirSync(share, 0o755)
  const r = await runAgent(['run', '--mount', share, '--allow-any-fs', '--user', USER, '--suite', SUITES], { bundle })
  const userChecks = (await listedChecks({ bundle })).filter((c) => c.needs.includes('user') && SUITES.split(',').includes(c.suite))
  return { r, share, leaves: parseTap(r.stdout).leaves, userChecks }
}
t.test('under a 0700 parent: the ordinary user\'s checks SKIP with the reason, nothing fails, exit 0', { skip }, async (t) => {
  const { r, share, leaves, userChecks } = await runUnder(t, 0o700)
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr })
  t.ok(userChecks.length >= 3, `some checks act as the ordinary user (${userChecks.map((c) => c.id).join(', ')})`)
  t.equal(countLeaves(leaves).notOk, 0, 'no failure at setup', { failed: leaves.filter((l) => !l.ok).map((l) => `${l.name}: ${String(l.diag?.found)}`) })
  for (const c of userChecks) {
    t.match(leaves.find((l) => l.name === c.id)?.skip, `the ordinary user (uid 1000) cannot reach ${share}: EACCES (a parent dir is closed to them, as a 0700 home is)`, `${c.id} is a SKIP that says why`)
  }
  t.ok(countLeaves(leaves).ok > 10, 'the root checks still ran')
  t.strictSame(readdirSync(share), [], 'nothing left in the share')
})

t.test('under an open parent the same checks run (the SKIP is about the path, not the user)', { skip }, async (t) => {
  const { r, leaves, userChecks } = await runUnder(t, 0o755)
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr })
  for (const c of userChecks) t.match(leaves.find((l) => l.name === c.id), { ok: true, skip: false }, `${c.id} ran and passed`)
})
