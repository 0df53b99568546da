// One python3 helper process: the program in python/program.ts, one JSON request per line in,
// one JSON answer per line out, answered in order. A helper can die (a crash a check provoked):
// every request still waiting then fails with how it ended, and so does every later one (its
// owner starts a new helper for the next). It never takes the worker with it.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'
import { normalizeErrno } from '../errno-names.ts'
import type { OpResult } from './protocol.ts'
import { PYTHON_HELPER } from './python/program.ts'

export class PythonHelper {
  private readonly proc: ChildProcessWithoutNullStreams
  private waiting: Array<(r: OpResult) => void> = []
  /** How the process ended ("exit 0", "SIGKILL"), once it has. */
  ended?: string

  constructor(private readonly label = 'python3 helper') {
    // -I -S: nothing from the environment, the current dir or site-packages (the helper needs only
    // the standard library), and a start without `site`: about a third faster under emulation.
    this.proc = spawn('python3', ['-I', '-S', '-c', PYTHON_HELPER], { stdio: ['pipe', 'pipe', 'pipe'] })
    // Its own complaints (a traceback) go with the agent's progress, where they can be read.
    createInterface({ input: this.proc.stderr }).on('line', (line) => process.stderr.write(`limafs-agent: ${label}: ${line}\n`))
    this.proc.stdin.on('error', () => {})
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      const r = JSON.parse(line) as OpResult
      if (!r.ok) r.errno = normalizeErrno(r.errno)
      this.waiting.shift()?.(r)
    })
    const ended = (how: string) => {
      this.ended ??= how
      for (const w of this.waiting.splice(0)) w({ ok: false, errno: 'EHELPER', message: `${label} ended (${this.ended})` })
    }
    this.proc.on('exit', (code, signal) => ended(signal ?? `exit ${code}`))
    this.proc.on('error', (err) => ended(`could not start: ${err.message}`))
  }

  /** Lets the helper end (its loop stops at the end of stdin). */
  close(): void {
    this.proc.stdin.end()
  }

  call(op: string, args: unknown[]): Promise<OpResult> {
    if (this.ended) return Promise.resolve({ ok: false, errno: 'EHELPER', message: `${this.label} ended (${this.ended})` })
    return new Promise((resolve) => {
      this.waiting.push(resolve)
      this.proc.stdin.write(`${JSON.stringify({ op, args })}\n`)
    })
  }
}
