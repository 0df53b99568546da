// Where a run's time goes: the worker's in-flight clock counts overlapping calls once, the agent's
// table adds up, and `run --profile` on a local dir prints it with real figures.
import t from 'tap'
import { InFlightClock, RunProfile, type JobFigures } from '../../agent/profile.ts'
import { runAgent, tempDir } from '../helpers/agent-bundle.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test('overlapping calls of one kind count once; each kind its own; take() starts again', async (t) => {
  const clock = new InFlightClock()
  clock.take()
  await Promise.all([clock.time('fs', () => sleep(100)), clock.time('fs', () => sleep(100)), clock.time('fs', () => sleep(100))])
  await clock.time('wait', () => sleep(50))
  const f = clock.take()
  t.ok(f.fs >= 95 && f.fs < 180, `three overlapping 100 ms fs calls: ${f.fs.toFixed(0)} ms of fs (not 300)`)
  t.ok(f.wait >= 45 && f.wait < 120, `a 50 ms wait: ${f.wait.toFixed(0)} ms`)
  t.equal(f.bridge, 0, 'no bridge call, no bridge time')
  t.equal(f.fsCalls, 3, 'three fs calls counted')
  t.equal(f.bridgeCalls, 0)
  t.ok(f.wallMs >= f.fs + f.wait - 1, `the job's wall (${f.wallMs.toFixed(0)} ms) holds both`)
  const again = clock.take()
  t.ok(again.fs < 5 && again.wallMs < 20 && again.fsCalls === 0, 'the next take() starts from zero')
})

t.test('a call that throws is clocked too', async (t) => {
  const clock = new InFlightClock()
  await t.rejects(clock.time('bridge', async () => {
    await sleep(30)
    throw new Error('refused')
  }))
  t.ok(clock.take().bridge >= 25, 'its time counted')
})

t.test("the agent's table: by suite, the total, by mount (a shared job split over its mounts), its own ops", async (t) => {
  const p = new RunProfile()
  const fig = (wallMs: number, fs: number, fsCalls: number, wait = 0, bridgeCalls = 0): JobFigures => ({ wallMs, fs, fsCalls, bridge: 0, bridgeCalls, user: 0, wait })
  p.addJob('chown', ['/mnt/a'], 2_000, fig(1_800, 1_500, 300))
  p.addJob('coherence', ['/mnt/a', '/mnt/b'], 4_000, fig(3_900, 1_000, 100, 2_000, 41))
  p.addAgentOp('remount', 700)
  const lines = p.lines()
  const row = (name: string) => lines.find((l) => l.startsWith(`profile: ${name} `))?.split(/\s+/).slice(2).map(Number)
  t.strictSame(row('coherence'), [4, 1, 0, 0, 2, 0.9, 0.1, 100, 10, 41], 'coherence: wall, fs, bridge, user, wait, js (wall - the rest), ipc (agent - worker), fs calls, ms per fs call, bridge requests')
  t.strictSame(row('chown'), [2, 1.5, 0, 0, 0, 0.3, 0.2, 300, 5, 0], 'chown')
  t.strictSame(row('total'), [6, 2.5, 0, 0, 2, 1.2, 0.3, 400, 6.3, 41], 'the total adds the suites up')
  t.strictSame(row('a'), [4, 2, 0, 0, 1, 0.8, 0.3, 350, 5.7, 21], 'mount a: chown and half of coherence (ipc 0.25 s, shown 0.3; 20.5 bridge requests, shown 21)')
  t.strictSame(row('b'), [2, 0.5, 0, 0, 1, 0.5, 0.1, 50, 10, 21], 'mount b: half of coherence')
  t.ok(lines.indexOf(lines.find((l) => l.startsWith('profile: coherence'))!) < lines.indexOf(lines.find((l) => l.startsWith('profile: chown'))!), 'slowest suite first')
  t.match(lines.at(-1), /agent's own ops: remount 0\.7 s \(1\)/, "the agent's own ops")
})

t.test('run --profile on a local dir: the table with real figures', { skip: process.getuid?.() === 0 ? false : 'needs root' }, async (t) => {
  const dir = tempDir(t)
  // Five suites: on a local dir two take under 0.05 s of fs time, which the table's one decimal shows as 0.
  const r = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--suite', 'chown,modes,times,symlink,xattr', '--profile'])
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr })
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('limafs-agent: profile: '))
  t.ok(lines.some((l) => /^limafs-agent: profile: chown\s/.test(l)) && lines.some((l) => /^limafs-agent: profile: modes\s/.test(l)), 'a row per suite')
  const total = lines.find((l) => /profile: total\s/.test(l))?.split(/\s+/).slice(3).map(Number)
  t.ok(total && total[0]! > 0 && total[1]! > 0, `the total shows wall and fs time: ${total?.join(' ')}`)
  t.ok(total && total[1]! <= total[0]! + 0.1, 'fs time within the wall time')
  t.ok(lines.some((l) => /^limafs-agent: profile: stage /.test(l)), 'the later stages have rows too')
  const without = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--suite', 'chown'])
  t.notMatch(without.stderr, /profile:/, 'no profile without --profile')
})
