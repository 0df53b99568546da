// The times suite's logic without a VM: how times are read and judged, what a watched call
// reports when a time moves wrongly; then the whole suite on a local dir (a real POSIX file
// system), where every point that runs must pass.
import t from 'tap'
import { Context } from '../../agent/check-context.ts'
import type { OpOutcome } from '../../agent/op-runner.ts'
import { timeText } from '../../agent/worker/ops/times.ts'
import { judgeTimes, nanoseconds, type Times } from '../../suites/times/changes.ts'
import { CLOCK_TICK_MS, watchTimes } from '../../suites/times/watch.ts'
import { countLeaves, parseTap, runAgent, tempDir } from '../helpers/agent-bundle.ts'
import { failureOf, fakeDeps } from '../helpers/fake-context.ts'

t.setTimeout(0)
const isRoot = process.getuid?.() === 0

t.test('times travel as "SECONDS.NANOSECONDS" and parse back exactly, timespec style below zero', async (t) => {
  const table: Array<[bigint, string]> = [
    [0n, '0.000000000'],
    [1_796_422_884_911_605_624n, '1796422884.911605624'],
    [4_294_967_296_000_000_000n, '4294967296.000000000'],
    [-1n, '-1.999999999'],
  ]
  for (const [ns, text] of table) {
    t.equal(timeText(ns), text, `${ns} ns reads ${text}`)
    t.equal(nanoseconds(text), ns, `${text} parses back`)
  }
  t.equal(nanoseconds('1500000000'), 1_500_000_000_000_000_000n, 'whole seconds without a fraction')
  t.equal(nanoseconds('1.5'), 1_500_000_000n, 'a short fraction is tenths, not nanoseconds')
  t.throws(() => nanoseconds('soon'), /not a time: "soon"/)
})

const T = (atime: string, mtime: string, ctime: string): Times => ({ atime, mtime, ctime })

t.test('judgeTimes: stays, advances or goes back by nanoseconds; an exact time by its value; only the fields asked', async (t) => {
  const before = T('10.000000000', '20.000000000', '30.000000000')
  t.strictSame(judgeTimes(before, T('10.000000000', '20.000000001', '29.999999999'), { atime: 'stays', mtime: 'advances', ctime: 'advances' }), [
    { field: 'atime', wanted: 'stays', found: 'stays' },
    { field: 'mtime', wanted: 'advances', found: 'advances' },
    { field: 'ctime', wanted: 'advances', found: 'goes back' },
  ])
  t.strictSame(judgeTimes(before, T('1000000000.000000000', '20.000000000', '31.000000000'), { atime: '1000000000.123456789', mtime: 'stays' }), [
    { field: 'atime', wanted: '1000000000.123456789', found: '1000000000.000000000' },
    { field: 'mtime', wanted: 'stays', found: 'stays' },
  ], 'nanoseconds lost show as the value found; ctime is not judged when not asked')
  t.strictSame(judgeTimes(before, T('1500000000.000000000', '1', '1'), { atime: '1500000000' }), [{ field: 'atime', wanted: '1500000000', found: '1500000000' }], 'an exact time matches by value, not by spelling')
})

/** A context whose ops answer from a script: `times` gives the next of `reads`, every other op works. */
function scripted(reads: Times[], fail: Record<string, OpOutcome> = {}) {
  const calls: Array<{ op: string; at: number }> = []
  const deps = fakeDeps({
    call: async (op) => {
      calls.push({ op, at: performance.now() })
      if (fail[op]) return fail[op]!
      return op === 'times' ? { ok: true, value: reads.shift() } : { ok: true }
    },
  }, { suite: 'times' })
  return { ctx: new Context(deps), calls }
}

const STATUS = { atime: 'stays', mtime: 'stays', ctime: 'advances' }

/** A scene of one new file (named after the try) watched across a chmod. */
const chmodScene = (ctx: Context, wanted = STATUS) => async (n: string) => {
  const f = ctx.path(`file${n}`)
  return { watched: { file: { path: f, ...wanted } }, call: () => ctx.expect(0, 'chmod', f, 0o600) }
}

t.test('watchTimes: read, call, read; a time that stayed where it should advance, the call within a clock tick: tried once more on new objects a tick apart, then failed silent, named', async (t) => {
  const before = T('1.000000000', '2.000000000', '3.000000000')
  const { ctx, calls } = scripted([before, before, before, before])
  // When each try's scene was set (the clock tick is counted from there, not from the read after it).
  const sceneSet: number[] = []
  const scene = chmodScene(ctx)
  const d = await failureOf(watchTimes(ctx, async (n) => {
    const made = await scene(n)
    sceneSet.push(performance.now())
    return made
  }))
  t.strictSame(calls.map((c) => c.op), ['times', 'chmod', 'times', 'times', 'chmod', 'times'], 'read, call, read; again')
  t.ok(calls[1]!.at - calls[0]!.at < CLOCK_TICK_MS, 'the first call does not wait')
  t.ok(calls[4]!.at - sceneSet[1]! >= CLOCK_TICK_MS, `the second call came a clock tick (${CLOCK_TICK_MS} ms) after its scene: ${(calls[4]!.at - sceneSet[1]!).toFixed(1)} ms`)
  t.match(d, { op: 'times', args: ['times/0-file-again'], wanted: 'file ctime advances', found: 'file ctime stays', stage: 'call', class: 'silent' }, 'only the time that moved wrongly is named')
  t.match(d?.note, /file: atime 1\.000000000 -> 1\.000000000, mtime 2\.000000000 -> 2\.000000000, ctime 3\.000000000 -> 3\.000000000; \(tried again/, 'the raw values are in the note, and that it was tried again')
})

t.test('watchTimes does not try again what a clock tick can not explain: a time that went back, or one that moved and should have stayed', async (t) => {
  const back = scripted([T('1.0', '2.0', '3.0'), T('1.0', '2.0', '2.0')])
  t.match(await failureOf(watchTimes(back.ctx, chmodScene(back.ctx))), { found: 'file ctime goes back' })
  t.equal(back.calls.length, 3, 'one try')
  const moved = scripted([T('1.0', '2.0', '3.0'), T('1.0', '2.5', '3.5')])
  t.match(await failureOf(watchTimes(moved.ctx, chmodScene(moved.ctx))), { found: 'file mtime advances' })
  t.equal(moved.calls.length, 3, 'one try')
})

t.test('watchTimes passes when every time moved as wanted, on every object watched', async (t) => {
  const { ctx, calls } = scripted([T('1.0', '2.0', '3.0'), T('5.0', '5.0', '5.0'), T('1.0', '2.0', '3.000000001'), T('5.0', '5.000000002', '5.000000002')])
  const d = await failureOf(watchTimes(ctx, async () => {
    const f = ctx.path('file')
    return { watched: { file: { path: f, ...STATUS }, dir: { path: '/mnt/share/.limafs-abc123/times', atime: 'stays', mtime: 'advances', ctime: 'advances' } }, call: () => ctx.expect(0, 'link', f, ctx.path('link')) }
  }))
  t.equal(d, undefined, 'no failure')
  t.equal(calls.length, 5, 'one try, no wait')
})

t.test('watchTimes: a call that fails is the check\'s own loud failure; a moved object read where it went', async (t) => {
  const failing = scripted([T('1.0', '2.0', '3.0')], { chmod: { ok: false, errno: 'EPERM', message: 'no' } })
  t.match(await failureOf(watchTimes(failing.ctx, chmodScene(failing.ctx))), { op: 'chmod', found: 'EPERM', class: 'loud' })
  const { ctx } = scripted([T('1.0', '2.0', '3.0'), T('1.0', '2.0', '2.0')])
  const g = ctx.path('file')
  const d = await failureOf(watchTimes(ctx, async () => ({ watched: { file: { path: g, pathAfter: ctx.path('to/file'), ...STATUS } }, call: () => ctx.expect(0, 'rename', g, ctx.path('to/file')) })))
  t.strictSame(d?.args, ['times/0-to/file'], 'the times after the rename are read at the new path')
})

t.test('the times suite on a local dir (a real POSIX file system) as root: every point that runs passes', { skip: isRoot ? false : 'needs root (chown checks)' }, async (t) => {
  const dir = tempDir(t)
  const r = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--suite', 'times'])
  const { leaves, parseErrors } = parseTap(r.stdout)
  const counts = countLeaves(leaves)
  t.strictSame(parseErrors, [], 'the TAP parses')
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr })
  t.equal(counts.notOk, 0, 'nothing fails', { failed: leaves.filter((l) => !l.ok).map((l) => ({ name: l.name, diag: l.diag })) })
  t.ok(counts.ok >= 30, `${counts.ok} points pass (at least 30)`)
  const skipped = leaves.filter((l) => l.skip !== false).map((l) => l.name)
  t.ok(skipped.every((id) => /-after-(remount|restart)\//.test(id)), `only the remount and restart stages skip on a local dir: ${skipped.join(', ')}`)
  t.ok(leaves.some((l) => l.name === 'times/utimensat-ns/file' && l.ok && l.skip === false), 'nanoseconds kept on a local file system')
})
