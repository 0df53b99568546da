// The agent's side of a worker process. Ops and jobs go out over IPC; a job reports each check
// as it starts, and a check that overruns its time is abandoned: the worker (and its process
// group: python3 helper, tools) is killed, the caller learns which check hung, and the next
// call gets a fresh worker. A stuck 9p request costs one check, not the run.
import { fork, type ChildProcess } from 'node:child_process'
import type { OpOutcome } from './op-runner.ts'
import type { JobFigures, RunProfile } from './profile.ts'
import type { RunEvent } from './run-types.ts'
import type { FromWorker, JobRequest, JobSpec, RelayAsk, ToWorker, WorkerInit } from './worker/protocol.ts'

interface WorkerOptions {
  /** The bundle (or entry script) to fork with the hidden `__worker` command. */
  script: string
  mountPaths: string[]
  xattrTool: WorkerInit['xattrTool']
  /** Run as this user (needs root); absent = as the agent's own user. */
  uid?: number
  gid?: number
  label: string
  /** Where jobs' and ops' times go (the agent's --profile). */
  profile?: RunProfile
}

/** Answers a worker's relay request (an op as the ordinary user, a host-bridge request). */
export type RelayHandler = (request: RelayAsk) => Promise<unknown>

export type JobOutcome =
  | { done: true; error?: string }
  | { done: false; hung: { suite: string; id: string; index: number }; message: string }

/** child: the process the request went to; only its exit fails the request. */
type Waiter = { resolve: (m: FromWorker) => void; onEvent?: (e: RunEvent) => void; child: ChildProcess | undefined }

export class Worker {
  private child?: ChildProcess
  private nextId = 1
  private waiting = new Map<number, Waiter>()
  /** Scratch dirs a replacement worker must know again. */
  private adopted: string[] = []
  /** Set by close(): no new process is started and nothing waiting settles any more. */
  private closed = false

  constructor(
    private readonly options: WorkerOptions,
    private readonly relay: RelayHandler = async () => ({ ok: false, error: 'no relay' }),
  ) {}

  /** Whose worker it is (root, root2, user...): in its messages, and the lane's name at the cache gate. */
  get label(): string {
    return this.options.label
  }

  private post(message: ToWorker): void {
    this.child?.send(message)
  }

  private start(): ChildProcess {
    const child = fork(this.options.script, ['__worker'], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      detached: true, // its own process group, so a kill takes its helpers too
      ...(this.options.uid !== undefined ? { uid: this.options.uid, gid: this.options.gid ?? this.options.uid } : {}),
    })
    child.on('message', (m: FromWorker) => {
      if (m.kind === 'relay') {
        void this.relay(m).then((result) => child.connected && child.send({ kind: 'relay-reply', id: m.id, result } satisfies ToWorker))
        return
      }
      const key = m.kind === 'op-result' ? m.id : m.job
      const waiter = this.waiting.get(key)
      if (m.kind === 'event') waiter?.onEvent?.(m.event)
      else if (waiter) {
        this.waiting.delete(key)
        waiter.resolve(m)
      }
    })
    const gone = (why: string) => {
      if (this.child === child) this.child = undefined
      for (const [key, waiter] of this.waiting) {
        // A killed worker exits after its replacement took new requests: those are not its own.
        if (waiter.child !== child) continue
        this.waiting.delete(key)
        waiter.resolve({ kind: 'job-done', job: key, error: `${this.options.label} worker ${why}` })
      }
    }
    child.on('exit', (code, signal) => gone(`exited (${signal ?? code})`))
    // No process at all (node not executable for this uid): fail now, not op by op at each timeout.
    // A live worker's errors (a send after it died) end in its exit.
    child.on('error', (err) => child.pid === undefined && gone(`could not start: ${err.message}`))
    this.child = child
    // The root worker runs the checks (and their xattrs) itself; the ordinary user's worker only single ops.
    this.post({ kind: 'init', mountPaths: this.options.mountPaths, xattrTool: this.options.xattrTool, eagerHelper: this.options.uid === undefined })
    for (const dir of this.adopted) this.post({ kind: 'op', id: 0, op: 'scratch-adopt', args: [dir] })
    return child
  }

  /** Starts the process now: node takes ~1 s to start under emulation, so overlap the starts. */
  warm(): void {
    if (!this.child && !this.closed) this.start()
  }

  /** Remembers a scratch dir so this worker (and any replacement) may act in it. */
  adopt(dir: string): void {
    this.adopted.push(dir)
    this.post({ kind: 'op', id: 0, op: 'scratch-adopt', args: [dir] })
  }

  call(op: string, args: unknown[], timeoutMs: number): Promise<OpOutcome> {
    this.warm()
    const id = this.nextId++
    const t0 = performance.now()
    return new Promise<OpOutcome>((settle) => {
      const resolve = (o: OpOutcome) => {
        this.options.profile?.addAgentOp(op, performance.now() - t0)
        settle(o)
      }
      const timer = setTimeout(() => {
        if (this.closed) return
        this.waiting.delete(id)
        this.kill()
        resolve({ ok: false, errno: 'TIMEOUT', message: `${op} did not return within ${timeoutMs} ms` })
      }, timeoutMs)
      this.waiting.set(id, {
        child: this.child,
        resolve: (m) => {
          clearTimeout(timer)
          resolve(m.kind === 'op-result' ? m.result : { ok: false, errno: 'EWORKER', message: m.kind === 'job-done' ? (m.error ?? 'worker gone') : 'unexpected answer' })
        },
      })
      this.post({ kind: 'op', id, op, args })
    })
  }

  /** Runs a job; each check gets checkTimeoutMs from its start, else the worker is killed. */
  runJob(job: JobSpec, checkTimeoutMs: number, onEvent: (e: RunEvent) => void): Promise<JobOutcome> {
    this.warm()
    const id = this.nextId++
    const t0 = performance.now()
    const label = job.job === 'stage' ? `stage ${job.stage}` : job.suite
    const mounts = job.job === 'shared' ? job.targets.map((t) => t.path) : [job.target.path]
    return new Promise<JobOutcome>((settle) => {
      let figures: JobFigures | undefined
      const resolve = (o: JobOutcome) => {
        this.options.profile?.addJob(label, mounts, performance.now() - t0, figures)
        settle(o)
      }
      let current: { suite: string; id: string; index: number } | undefined
      let timer: NodeJS.Timeout | undefined
      const arm = () => {
        clearTimeout(timer)
        timer = setTimeout(() => {
          if (this.closed) return
          this.waiting.delete(id)
          this.kill()
          resolve(current ? { done: false, hung: current, message: `did not finish within ${checkTimeoutMs} ms` } : { done: true, error: `the worker did not start the job within ${checkTimeoutMs} ms` })
        }, checkTimeoutMs)
      }
      arm()
      this.waiting.set(id, {
        child: this.child,
        onEvent: (e) => {
          if (e.type === 'check-start') {
            current = { suite: e.suite, id: e.id, index: e.index }
            arm()
          }
          onEvent(e)
        },
        resolve: (m) => {
          clearTimeout(timer)
          if (m.kind === 'job-done') figures = m.figures
          resolve({ done: true, ...(m.kind === 'job-done' && m.error ? { error: m.error } : {}) })
        },
      })
      this.post({ kind: 'job', id, ...job } as JobRequest)
    })
  }

  /**
   * The agent is stopping (a signal): kills the worker for good. What waits on it, and every
   * later call, never settles, so the run stops where it is instead of going on with a fresh
   * worker in a scratch dir that is being removed.
   */
  close(): void {
    this.closed = true
    this.waiting.clear()
    this.kill()
  }

  /** Kills the worker and its helpers (its process group); what was waiting fails. */
  kill(): void {
    const child = this.child
    if (!child?.pid) return
    this.child = undefined
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      child.kill('SIGKILL')
    }
    if (child.connected) child.disconnect()
    child.unref()
  }
}
