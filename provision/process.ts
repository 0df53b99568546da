// The ONLY module that starts processes (execa). Everything else gets these functions passed in
// or imports them from here, so pure logic never spawns.
import { readFileSync } from 'node:fs'
import { execa } from 'execa'
import { ProcessError } from './errors.ts'

export interface RunOptions {
  timeoutMs?: number
  input?: string | Buffer
  cwd?: string
  env?: Record<string, string>
}

export interface RunResult {
  command: string
  exitCode: number | undefined
  stdout: string
  stderr: string
  failed: boolean
  timedOut: boolean
}

/** Runs a command to completion; never throws for a non-zero exit (look at `failed`). */
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await execa(file, args, {
    reject: false,
    stripFinalNewline: false,
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' }),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
  })
  return {
    command: [file, ...args].join(' '),
    exitCode: result.exitCode,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    failed: result.failed,
    timedOut: result.timedOut,
  }
}

/** Runs a command and throws a ProcessError (with stderr's tail) when it fails. */
export async function runChecked(file: string, args: readonly string[], options: RunOptions & { hint?: string } = {}): Promise<RunResult> {
  const result = await run(file, args, options)
  if (result.failed) {
    const why = result.timedOut ? `timed out after ${options.timeoutMs} ms\n${result.stderr}` : result.stderr
    throw new ProcessError(result.command, result.exitCode, why, options.hint)
  }
  return result
}

/** Starts a long-lived process detached from us (it outlives this CLI), output to logFile. */
export function startDetached(file: string, args: readonly string[], logFile: string): number {
  const output = { file: logFile, append: true }
  const child = execa(file, [...args], { detached: true, stdin: 'ignore', stdout: output, stderr: output, reject: false, cleanup: false })
  child.unref()
  if (child.pid === undefined) throw new ProcessError([file, ...args].join(' '), undefined, `could not start ${file}`)
  // Nobody waits for this promise; its settlement must not become an unhandled rejection.
  child.catch(() => {})
  return child.pid
}

export interface PipedProcess {
  stdin: NodeJS.WritableStream
  stdout: NodeJS.ReadableStream
  stderr: NodeJS.ReadableStream
  kill(): void
  /** Resolves when it ended: its exit, or why it could not start. */
  ended: Promise<string>
}

/**
 * Starts a long-lived process we talk to over its pipes (the host bridge's helpers), as another
 * user when uid/gid are given (we are root then), with exactly the env given. It dies with us.
 */
export function startPiped(file: string, args: readonly string[], options: { env: Record<string, string>; cwd?: string; uid?: number; gid?: number }): PipedProcess {
  const child = execa(file, [...args], {
    env: options.env,
    extendEnv: false,
    cwd: options.cwd ?? '/',
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
  })
  const ended = child.then((r) => (r.failed && r.exitCode === undefined && !r.signal ? `could not start ${file}: ${r.originalMessage ?? r.shortMessage}` : r.signal ? `killed by ${r.signal}` : `exit ${r.exitCode}`))
  return { stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, kill: () => void child.kill('SIGKILL'), ended }
}

/** Whether a process with this pid runs (signal 0 probes without killing; a zombie is dead). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  try {
    // A daemonized QEMU that was killed stays a zombie until init reaps it.
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'latin1'))
  } catch {
    return true // no /proc (macOS): signal 0 said it exists
  }
}

/** Sends a signal; a process that is already gone is not an error. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
  }
}

/** Waits until the process is gone; SIGKILLs it after graceMs. */
export async function waitForExit(pid: number, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      signal(pid, 'SIGKILL')
      await sleep(100)
      if (!isAlive(pid)) return
    }
    await sleep(50)
  }
}

/** SIGTERMs them all at once, then waits for each (SIGKILL after graceMs). */
export async function stopAll(pids: readonly number[], graceMs = 3_000): Promise<void> {
  for (const pid of pids) signal(pid, 'SIGTERM')
  for (const pid of pids) await waitForExit(pid, graceMs)
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
