// The agent's side of a worker: send an op, wait for the answer or give up after a timeout.
// A hung call (a stuck 9p request) costs one worker, killed with its process group; the next
// op gets a fresh one, so the run goes on.
import { fork, type ChildProcess } from 'node:child_process'
import type { OpReply, OpResult, WorkerInit } from './worker/protocol.ts'

export type OpOutcome = OpResult | { ok: false; errno: 'TIMEOUT'; message: string }

export interface WorkerOptions {
  /** The bundle (or entry script) to fork with the hidden `__worker` command. */
  script: string
  mountPaths: string[]
  xattrTool: WorkerInit['xattrTool']
  /** Run as this user (needs root); absent = as the agent's own user. */
  uid?: number
  gid?: number
  label: string
}

export class Worker {
  private child?: ChildProcess
  private nextId = 1
  private pending = new Map<number, (r: OpOutcome) => void>()
  /** Scratch dirs this worker must know again after a restart. */
  private adopted: string[] = []

  constructor(private readonly options: WorkerOptions) {}

  private start(): ChildProcess {
    const child = fork(this.options.script, ['__worker'], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      detached: true, // its own process group, so a kill takes its helpers too
      ...(this.options.uid !== undefined ? { uid: this.options.uid, gid: this.options.gid ?? this.options.uid } : {}),
    })
    child.on('message', (reply: OpReply) => {
      const resolve = this.pending.get(reply.id)
      this.pending.delete(reply.id)
      resolve?.(reply.result)
    })
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined
      for (const [id, resolve] of this.pending) {
        this.pending.delete(id)
        resolve({ ok: false, errno: 'EWORKER', message: `${this.options.label} worker exited (${signal ?? code})` })
      }
    })
    child.on('error', () => {})
    child.send({ init: true, mountPaths: this.options.mountPaths, xattrTool: this.options.xattrTool } satisfies WorkerInit)
    for (const dir of this.adopted) child.send({ id: 0, op: 'scratch-adopt', args: [dir] })
    return child
  }

  /** Starts the process now (node takes ~1 s to start under emulation: overlap the workers' starts). */
  warm(): void {
    this.child ??= this.start()
  }

  /** Remembers a scratch dir so a replacement worker may act in it too. */
  adopt(dir: string): void {
    this.adopted.push(dir)
    this.child?.send({ id: 0, op: 'scratch-adopt', args: [dir] })
  }

  call(op: string, args: unknown[], timeoutMs: number): Promise<OpOutcome> {
    const child = (this.child ??= this.start())
    const id = this.nextId++
    return new Promise<OpOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        this.kill()
        resolve({ ok: false, errno: 'TIMEOUT', message: `${op} did not return within ${timeoutMs} ms` })
      }, timeoutMs)
      this.pending.set(id, (r) => {
        clearTimeout(timer)
        resolve(r)
      })
      child.send({ id, op, args })
    })
  }

  /** Kills the worker and its helpers (its process group); pending calls fail. */
  kill(): void {
    const child = this.child
    if (!child?.pid) return
    this.child = undefined
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      child.kill('SIGKILL')
    }
    child.disconnect?.()
    child.unref()
  }
}
