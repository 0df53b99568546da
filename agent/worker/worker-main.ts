// A worker process: runs ops and whole suites of checks against the share, one job at a
// time, and reports as it goes. Forked by the agent as root or as the guest's ordinary user;
// killed and replaced when a call hangs. Ops as the other user and host-bridge requests are
// relayed through the agent.
import type { HostSide } from '../check-api.ts'
import type { HostTruth } from '../diagnostics.ts'
import type { OpOutcome, OpRunner } from '../op-runner.ts'
import { workerClock } from '../profile.ts'
import { SUITES } from '../registry.ts'
import { siblingViews } from '../sibling-views.ts'
import type { MountTarget, RunEvent } from '../run-types.ts'
import { runShared, runStage, runSuiteCalls, type Runners } from '../suite-run.ts'
import { PathGuard } from './path-guard.ts'
import { runOp, type OpEnv } from './ops/index.ts'
import type { FromWorker, JobRequest, RelayAsk, ToWorker } from './protocol.ts'
import { SpecialFiles } from './special-files.ts'

const send = (m: FromWorker) => process.send?.(m)

/** Requests to the agent, answered by relay-reply messages. */
class Relay {
  private nextId = 1
  private pending = new Map<number, (result: unknown) => void>()

  ask(message: RelayAsk): Promise<unknown> {
    const id = this.nextId++
    return new Promise((resolve) => {
      this.pending.set(id, resolve)
      send({ kind: 'relay', id, ...message })
    })
  }

  answer(id: number, result: unknown): void {
    this.pending.get(id)?.(result)
    this.pending.delete(id)
  }
}

function runnersFor(env: OpEnv, relay: Relay, job: JobRequest, target: MountTarget): Runners {
  const fsOp = (op: string, args: unknown[]) => workerClock.time('fs', () => runOp(env, op, args))
  // A shared suite's drop_caches is felt by what the other lane's job looks at: the agent says when it may go.
  const dropAtGate = async (op: string, args: unknown[]) => {
    await workerClock.time('wait', () => relay.ask({ relay: 'cache-drop', step: 'begin' }))
    try {
      return await fsOp(op, args)
    } finally {
      await relay.ask({ relay: 'cache-drop', step: 'end' })
    }
  }
  const ops: OpRunner = { call: (op, args) => (op === 'drop-caches' && job.job === 'shared' ? dropAtGate : fsOp)(op, args) }
  const userOps: OpRunner = { call: async (op, args, timeoutMs) => (await workerClock.time('user', () => relay.ask({ relay: 'user-op', op, args, timeoutMs }))) as OpOutcome }
  // The host knows each share by the --mount (or --sibling) path the orchestrator gave, and the scratch dir in it.
  const mounts = [target.path, ...(target.sibling && 'path' in target.sibling ? [target.sibling.path] : [])]
  const mountOf = (p: string) => mounts.find((m) => p.startsWith(`${m}/`)) ?? target.path
  const rel = (p: string) => {
    const m = mountOf(p)
    return p.startsWith(`${m}/`) ? p.slice(m.length + 1) : p
  }
  const host: HostSide = {
    look: async (path) => {
      if (!job.settings.caps.bridge) return undefined
      const r = (await workerClock.time('bridge', () => relay.ask({ relay: 'host', verb: 'look', mount: mountOf(path), path: rel(path) }))) as { ok: boolean; value?: HostTruth; error?: string }
      return r.ok ? r.value : { path: rel(path), exists: false, error: r.error ?? 'no answer' }
    },
    act: async (verb, path, args) => {
      if (!job.settings.caps.bridge) return { ok: false, error: 'no host bridge' }
      // A rename's, link's or copy's destination is a guest path too.
      const hostArgs = args && typeof args.to === 'string' ? { ...args, to: rel(args.to) } : args
      return (await workerClock.time('bridge', () => relay.ask({ relay: 'host', verb, mount: mountOf(path), path: rel(path), ...(hostArgs ? { args: hostArgs } : {}) }))) as { ok: boolean; error?: string; value?: unknown }
    },
  }
  return { ops, ...(job.hasUser ? { userOps } : {}), host }
}

async function runJob(env: OpEnv, relay: Relay, job: JobRequest): Promise<void> {
  const emit = (event: RunEvent) => send({ kind: 'event', job: job.id, event })
  // The job's scratch dirs become places this worker may act in (if they are scratch dirs).
  const targets = job.job === 'shared' ? job.targets : [job.target]
  for (const t of targets) {
    env.guard.addRoot(env.guard.assertScratchDir(t.scratch))
    if (t.sibling && 'scratch' in t.sibling) env.guard.addRoot(env.guard.assertScratchDir(t.sibling.scratch))
  }
  const baseline = job.settings.baseline
  if (baseline && 'scratch' in baseline) env.guard.addRoot(env.guard.assertScratchDir(baseline.scratch))
  const suite = job.job === 'stage' ? undefined : SUITES.find((s) => s.name === job.suite)
  if (job.job === 'shared') {
    if (!suite || !('shared' in suite)) throw new Error(`unknown shared suite ${job.suite}`)
    // A suite that uses siblings may read each target's sibling scratch dir through the others'.
    if (suite.points.some((p) => p.needs?.includes('sibling'))) for (const view of siblingViews(job.targets)) env.guard.addRoot(env.guard.assertScratchDir(view))
    await runShared(suite, job.targets, job.settings, (t) => runnersFor(env, relay, job, t), emit)
  } else if (job.job === 'suite') {
    if (!suite || 'shared' in suite) throw new Error(`unknown suite ${job.suite}`)
    await runSuiteCalls(suite, job.target, job.settings, runnersFor(env, relay, job, job.target), job.startAt, emit)
  } else {
    await runStage(job.staged, job.stage, job.target, job.settings, runnersFor(env, relay, job, job.target), job.startAt, emit)
  }
}

export function workerMain(): void {
  let env: OpEnv | undefined
  const relay = new Relay()
  // Jobs and ops run one at a time, in order; relay replies are handled at once.
  let queue = Promise.resolve()
  process.on('message', (message: ToWorker) => {
    switch (message.kind) {
      case 'init':
        env = { guard: new PathGuard(message.mountPaths), special: new SpecialFiles(message.xattrTool, message.eagerHelper), handles: new Map() }
        return
      case 'relay-reply':
        relay.answer(message.id, message.result)
        return
      case 'op':
        queue = queue.then(async () => {
          const result = env ? await runOp(env, message.op, message.args) : { ok: false as const, errno: 'EINIT', message: 'worker not initialised' }
          send({ kind: 'op-result', id: message.id, result })
        })
        return
      case 'job':
        queue = queue.then(async () => {
          try {
            if (!env) throw new Error('worker not initialised')
            workerClock.take() // the clock starts with the job
            await runJob(env, relay, message)
            send({ kind: 'job-done', job: message.id, figures: workerClock.take() })
          } catch (err) {
            send({ kind: 'job-done', job: message.id, error: String(err instanceof Error ? (err.stack ?? err.message) : err) })
          }
        })
    }
  })
  // The agent going away (crash, kill) must not leave workers behind.
  process.on('disconnect', () => process.exit(0))
}
