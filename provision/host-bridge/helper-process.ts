// One host helper process (python3 running ./python/program.ts), as one user: requests written
// as JSON lines and answered in order, many in flight at once (pipelined). A helper that hangs
// on a request is killed (its requests answered with the reason) and started again on the next
// one; what it must know again (the scratch dirs it held, the files the bridge made) it is told
// again by its owner (./helpers.ts) through `onStart`.
import { BoundedLines } from '../bounded-lines.ts'
import { startPiped, type PipedProcess } from '../process.ts'
import { HOST_HELPER_PY } from './python/program.ts'

/** What a helper answers: a value, a refusal by the bridge's rules, or an errno. */
export interface HelperAnswer {
  id: number
  ok: boolean
  value?: unknown
  refused?: string
  errno?: string
  /** The request's relative path the errno is about. */
  where?: string
  detail?: string
  /** Regular files this request made: [dev, ino, birth ns or null]. */
  made?: MadeInode[]
}

export type MadeInode = [string, string, number | null]

/** How long one request may take before the helper is taken for hung. */
export const HELPER_TIMEOUT_MS = 20_000
/** A helper's answer line is at most 4 MiB (MAX_ANSWER in the prelude); more is a broken helper. */
const MAX_ANSWER_LINE = 8 * 1024 * 1024

export interface HelperOptions {
  /** For the log: whose rights it has ("uid 1000", "root", "self"). */
  label: string
  uid?: number
  gid?: number
  /** python3 (from PATH unless given). */
  python?: string
  /** Take the no-O_PATH way on Linux too (tests). */
  portable?: boolean
  log: (line: string) => void
  /** Called on every (re)start, before its first request: what it must be told first. */
  onStart: (helper: HelperProcess) => void
}

export class HelperProcess {
  private proc?: PipedProcess
  private nextId = 1
  private pending = new Map<number, { resolve: (a: HelperAnswer) => void; timer: NodeJS.Timeout }>()
  /** Scratch keys this process holds a descriptor for (or is claiming), with how it went. */
  readonly holds = new Map<string, Promise<HelperAnswer>>()
  private closed = false

  constructor(private readonly o: HelperOptions) {}

  get running(): boolean {
    return this.proc !== undefined
  }

  /** Sends one request; the answer comes in order. Never rejects. */
  call(op: string, body: Record<string, unknown>, timeoutMs = HELPER_TIMEOUT_MS): Promise<HelperAnswer> {
    if (this.closed) return Promise.resolve({ id: 0, ok: false, errno: 'EHELPER', detail: 'the host bridge is closed' })
    const proc = this.proc ?? this.start()
    const id = this.nextId++
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.stop(proc, `no answer within ${timeoutMs / 1000} s`), timeoutMs)
      this.pending.set(id, { resolve, timer })
      proc.stdin.write(`${JSON.stringify({ id, op, ...body })}\n`)
    })
  }

  /** Starts the process now (python3 takes a few hundred ms to start): before it is needed. */
  warm(): void {
    if (!this.proc && !this.closed) this.start()
  }

  close(): void {
    this.closed = true
    if (this.proc) this.stop(this.proc, 'the host bridge closed')
  }

  private start(): PipedProcess {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C.UTF-8', ...(this.o.portable ? { LIMAFS_BRIDGE_PORTABLE: '1' } : {}) }
    // -I: nothing from the environment or the current dir is imported; -X utf8: names are UTF-8.
    const proc = startPiped(this.o.python ?? 'python3', ['-I', '-X', 'utf8', '-c', HOST_HELPER_PY], {
      env, ...(this.o.uid !== undefined ? { uid: this.o.uid } : {}), ...(this.o.gid !== undefined ? { gid: this.o.gid } : {}),
    })
    this.proc = proc
    proc.stdin.on('error', () => {}) // a helper that died: its exit says why
    const answers = new BoundedLines(MAX_ANSWER_LINE, {
      line: (line) => this.answer(line),
      overlong: () => this.stop(proc, 'an answer line over its bound'),
    })
    proc.stdout.on('data', (chunk: Buffer) => answers.push(chunk))
    const complaints = new BoundedLines(4096, { line: (l) => this.o.log(`host helper (${this.o.label}): ${l}`), overlong: () => {} })
    proc.stderr.on('data', (chunk: Buffer) => complaints.push(chunk))
    void proc.ended.then((why) => this.ended(proc, why))
    this.o.onStart(this)
    return proc
  }

  private answer(line: string): void {
    let a: HelperAnswer
    try {
      a = JSON.parse(line) as HelperAnswer
    } catch {
      this.o.log(`host helper (${this.o.label}): not an answer: ${JSON.stringify(line.slice(0, 200))}`)
      return
    }
    const waiting = this.pending.get(a.id)
    if (!waiting) return
    this.pending.delete(a.id)
    clearTimeout(waiting.timer)
    waiting.resolve(a)
  }

  private stop(proc: PipedProcess, why: string): void {
    if (this.proc !== proc) return
    if (!this.closed) this.o.log(`host helper (${this.o.label}) stopped: ${why}`)
    proc.kill()
    this.ended(proc, why)
  }

  /** Its requests are answered with why; the next call starts a new one. */
  private ended(proc: PipedProcess, why: string): void {
    if (this.proc !== proc) return
    this.proc = undefined
    this.holds.clear()
    const missing = /could not start/.test(why) ? ' (the host bridge needs python3 on the host)' : ''
    for (const [id, { resolve, timer }] of this.pending) {
      clearTimeout(timer)
      resolve({ id, ok: false, errno: 'EHELPER', detail: `the host helper ended: ${why}${missing}` })
    }
    this.pending.clear()
  }
}
