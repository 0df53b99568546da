// The agent's two lanes (agent/lanes.ts): work goes to the lane that comes free, and the cache
// gate keeps a drop_caches away from at-once points on the other lane.
import t from 'tap'
import { CacheGate, GateSessions, onLanes } from '../../agent/lanes.ts'
import type { AgentRun } from '../../agent/mount-run.ts'

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms))

t.test('onLanes: every item once, each on the lane that came free, two at a time', async (t) => {
  const lanes = ['a', 'b'].map((label) => ({ label }) as unknown as AgentRun)
  const seen: string[] = []
  let running = 0
  let most = 0
  await onLanes(lanes, [30, 5, 5, 5, 5], async (ms, lane) => {
    running++
    most = Math.max(most, running)
    await tick(ms)
    seen.push(`${(lane as unknown as { label: string }).label}${ms}`)
    running--
  })
  t.equal(seen.length, 5, 'every item ran')
  t.equal(most, 2, 'two at a time')
  t.same(seen.filter((s) => s.startsWith('b')).length, 4, 'the short items went to the lane that was free')
})

t.test('CacheGate: shared parts overlap; a drop waits for them, and none starts while it waits', async (t) => {
  const gate = new CacheGate()
  const log: string[] = []
  const atOnce = (name: string, ms: number) => gate.shared(async () => {
    log.push(`${name} in`)
    await tick(ms)
    log.push(`${name} out`)
  })
  const a = atOnce('a', 30)
  const b = atOnce('b', 10)
  await tick(1)
  const drop = gate.exclusive(async () => {
    log.push('drop')
    await tick(5)
  })
  await tick(1)
  const c = atOnce('c', 1)
  await Promise.all([a, b, drop, c])
  t.same(log.slice(0, 2), ['a in', 'b in'], 'two shared parts at once')
  t.ok(log.indexOf('drop') > log.indexOf('a out') && log.indexOf('drop') > log.indexOf('b out'), `the drop waited for both (${log.join(', ')})`)
  t.ok(log.indexOf('c in') > log.indexOf('drop'), 'a shared part asked for while the drop waited came after it')
})

t.test('CacheGate: two drops do not overlap', async (t) => {
  const gate = new CacheGate()
  let inside = 0
  let most = 0
  const drop = () => gate.exclusive(async () => {
    inside++
    most = Math.max(most, inside)
    await tick(5)
    inside--
  })
  await Promise.all([drop(), drop(), drop()])
  t.equal(most, 1)
})

t.test('GateSessions: two jobs that drop side by side: neither drops while the other is before its own drop', async (t) => {
  const gate = new CacheGate()
  const sessions = new GateSessions(gate)
  const log: string[] = []
  const job = (lane: string, before: number, after: number) => sessions.run(lane, async () => {
    log.push(`${lane} looks`)
    await tick(before)
    log.push(`${lane} ready to drop`)
    await sessions.step(lane, 'begin')
    log.push(`${lane} drops`)
    await tick(2)
    await sessions.step(lane, 'end')
    await tick(after)
    log.push(`${lane} done`)
  })
  await Promise.all([job('a', 30, 5), job('b', 5, 5)])
  t.ok(log.indexOf('b drops') > log.indexOf('a ready to drop'), `b's drop waited until a came to its own (${log.join(', ')})`)
  // And a mount's drop (exclusive, outside any session) waits for a job in a session too.
  const order: string[] = []
  const held = sessions.run('a', async () => {
    await tick(20)
    order.push('job looked')
  })
  await tick(1)
  await gate.exclusive(async () => {
    order.push('other drop')
  })
  await held
  t.same(order, ['job looked', 'other drop'], 'a drop from elsewhere waits for the session')
  await sessions.step('nobody', 'begin')
  t.pass('a step outside any session returns at once')
})

t.test('GateSessions: a job that ends while its drop waits gives the gate back', async (t) => {
  const gate = new CacheGate()
  const sessions = new GateSessions(gate)
  let releaseOther!: () => void
  const other = gate.enterShared().then((release) => (releaseOther = release))
  await other
  // The job asks to drop (it waits for the other holder) and is then given up (a killed worker).
  let asked!: Promise<void>
  await sessions.run('a', async () => {
    asked = sessions.step('a', 'begin')
    await tick(5)
  })
  releaseOther()
  await asked
  const after = await Promise.race([gate.shared(async () => 'free'), tick(50).then(() => 'stuck')])
  t.equal(after, 'free', 'the exclusive part taken after the job ended was let go')
})
