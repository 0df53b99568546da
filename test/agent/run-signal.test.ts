// SIGTERM in the middle of a run: the agent stops at once, removes every scratch dir it made,
// says "Bail out!" and exits 2, and leaves no worker behind.
// Regression: the run used to go on with fresh workers while the dirs were being removed,
// leaving a scratch dir (and a crashing worker) behind, or exiting without "Bail out!".
import { mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { bundleCopy, parseTap, processesWith, SCRATCH_PREFIX, startAgent, tempDir, waitFor } from '../helpers/agent-bundle.ts'

t.setTimeout(0)
const isRoot = process.getuid?.() === 0
/**
 * After the first scratch dir appears: at once (the agent may not know the dir's name yet), and
 * once the run is under way (workers busy in the dirs), far from its end.
 */
const SIGNAL_DELAYS_MS = [0, 150]
const MOUNTS = 4

for (const delay of SIGNAL_DELAYS_MS) t.test(`SIGTERM ${delay} ms into a run removes the scratch dirs, prints Bail out! and exits 2`, { skip: isRoot ? false : 'needs root' }, async (t) => {
  const bundle = await bundleCopy(t)
  const base = tempDir(t)
  const mounts = Array.from({ length: MOUNTS }, (_, i) => join(base, `share${i}`))
  for (const m of mounts) mkdirSync(m, { mode: 0o755 })
  const scratchDirs = () => mounts.flatMap((m) => readdirSync(m).filter((n) => n.startsWith(SCRATCH_PREFIX)).map((n) => join(m, n)))

  const agent = startAgent(bundle, ['run', ...mounts.flatMap((m) => ['--mount', m]), '--allow-any-fs'])
  t.ok(await waitFor(() => scratchDirs().length > 0, 30_000, 2), 'the run made a scratch dir')
  await new Promise((r) => setTimeout(r, delay))
  t.ok(processesWith(bundle).length > 1, 'the agent and its workers are running')
  agent.kill('SIGTERM')
  const r = await agent

  t.equal(r.exitCode, 2, 'exit 2', { stderr: r.stderr })
  const stdout = String(r.stdout)
  t.match(stdout.trimEnd().split('\n').at(-1), /^Bail out! interrupted by SIGTERM$/, 'the TAP ends with Bail out!')
  t.equal(parseTap(stdout).bailout, 'interrupted by SIGTERM', 'tap-parser sees the bail out')
  t.match(String(r.stderr), /SIGTERM: stopping and removing .*\.limafs-/, 'says what it removes')
  t.notMatch(String(r.stderr), /Unhandled|EPIPE/, 'no worker crashed on the way out')
  t.strictSame(scratchDirs(), [], 'no scratch dir left in any mount')
  t.ok(await waitFor(() => processesWith(bundle).length === 0, 5_000), 'no agent or worker process left')
})
