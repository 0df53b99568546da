// limactl, driven through process.ts (the only module that spawns). Every command has a timeout;
// a failure carries limactl's own last error lines and the tail of the instance's logs
// (ha.stderr.log: the host agent; serial*.log: the guest's console), which is where Lima says
// why a start failed.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { InfraError, tail } from '../errors.ts'
import { run, type RunResult } from '../process.ts'
import { parseListJson, type LimaInstance } from './list-json.ts'

export interface LimactlOptions {
  /** The limactl to run (found on PATH by default). */
  binary: string
  /** For create and start (image download, boot, provision scripts, probes). */
  startTimeoutMs: number
}

/** For the short commands (list, --version). */
const QUICK_TIMEOUT_MS = 60_000
/** For stop and delete: a guest that ignores the ACPI shutdown is killed by Lima after a while. */
const STOP_TIMEOUT_MS = 300_000
/** Lines of each log kept in an error. */
const LOG_LINES = 12

export class LimactlError extends InfraError {
  override name = 'LimactlError'
  constructor(
    readonly command: string,
    readonly exitCode: number | undefined,
    why: string,
    logTail: string,
    hint?: string,
  ) {
    super(`${command} failed${exitCode === undefined ? '' : ` (exit ${exitCode})`}: ${why}${logTail ? `\n${logTail}` : ''}`, { ...(hint ? { hint } : {}), ...(logTail ? { logTail } : {}) })
  }
}

/** limactl's logrus lines (`level=fatal msg="..."`): the error and fatal messages, else the last lines. */
export function limactlWhy(stderr: string, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `timed out after ${Math.round(timeoutMs / 1000)} s`
  const errors = stderr.split('\n').filter((l) => /level=(fatal|error)/.test(l)).map((l) => /msg="((?:[^"\\]|\\.)*)"/.exec(l)?.[1]?.replace(/\\"/g, '"') ?? l)
  return errors.length ? errors.slice(-3).join('; ') : tail(stderr, 3) || 'no message'
}

/** The host agent's log lines are JSON ({"level", "msg", ...}); shown as "level: msg". */
export function hostAgentLine(line: string): string {
  try {
    const entry = JSON.parse(line) as { level?: string; msg?: string; error?: string }
    if (entry && typeof entry.msg === 'string') return `${entry.level ?? 'log'}: ${entry.msg}${entry.error ? ` (${entry.error})` : ''}`
  } catch {
    // not JSON: shown as it is
  }
  return line
}

/** The ends of an instance's logs, labelled, for an error message ('' when there are none). */
export function instanceLogTail(dir: string | undefined, lines = LOG_LINES): string {
  if (!dir) return ''
  const parts: string[] = []
  const ha = join(dir, 'ha.stderr.log')
  if (existsSync(ha)) {
    const text = tail(readFileSync(ha, 'utf8'), lines).split('\n').map(hostAgentLine).join('\n')
    if (text.trim()) parts.push(`--- ${ha} (last lines) ---\n${text}`)
  }
  for (const name of ['serial.log', 'serialp.log', 'serialv.log']) {
    const file = join(dir, name)
    if (!existsSync(file)) continue
    const text = tail(readFileSync(file, 'utf8'), lines)
    if (text.trim()) parts.push(`--- ${file} (last lines) ---\n${text}`)
  }
  return parts.join('\n')
}

export class Limactl {
  constructor(private readonly options: LimactlOptions) {}

  private async call(args: string[], timeoutMs: number, instance?: string, hint?: string): Promise<RunResult> {
    const result = await run(this.options.binary, args, { timeoutMs })
    if (!result.failed) return result
    if (result.exitCode === undefined && !result.timedOut) {
      // No exit code and no timeout: the process never started.
      throw new InfraError(`${this.options.binary} could not be started (not installed, or not on PATH?)`, { hint: 'install Lima (macOS: brew install lima; see https://lima-vm.io/docs/installation/)' })
    }
    const dir = instance ? await this.instanceDir(instance) : undefined
    throw new LimactlError(result.command, result.exitCode, limactlWhy(result.stderr, result.timedOut, timeoutMs), instanceLogTail(dir), hint)
  }

  private async instanceDir(name: string): Promise<string | undefined> {
    try {
      return (await this.list(name))[0]?.dir
    } catch {
      return undefined // the error being reported matters more than why list failed too
    }
  }

  /** "2.2.0" from `limactl version 2.2.0`. */
  async version(): Promise<string> {
    const result = await run(this.options.binary, ['--version'], { timeoutMs: QUICK_TIMEOUT_MS })
    if (result.failed) {
      throw new InfraError(`${this.options.binary} --version failed${result.stderr.trim() ? `: ${tail(result.stderr, 2)}` : ` (exit ${result.exitCode ?? 'none: not found?'})`}`, {
        hint: 'install Lima (macOS: brew install lima) and make sure limactl is on PATH',
      })
    }
    return /version\s+(\S+)/.exec(result.stdout)?.[1] ?? result.stdout.trim()
  }

  /** Instances, all or the named one (an unknown name is an empty list). */
  async list(name?: string): Promise<LimaInstance[]> {
    const result = await run(this.options.binary, ['list', '--json', ...(name ? [name] : [])], { timeoutMs: QUICK_TIMEOUT_MS })
    if (result.failed) {
      // Lima exits non-zero for an unknown name ("unmatched instances"); that is "none".
      if (name && /unmatched|not found|does not exist/i.test(result.stderr)) return []
      throw new LimactlError(result.command, result.exitCode, limactlWhy(result.stderr, result.timedOut, QUICK_TIMEOUT_MS), '')
    }
    return parseListJson(result.stdout).filter((i) => !name || i.name === name)
  }

  async get(name: string): Promise<LimaInstance | undefined> {
    return (await this.list(name))[0]
  }

  async create(name: string, yamlFile: string, hint?: string): Promise<void> {
    await this.call(['create', `--name=${name}`, '--tty=false', yamlFile], this.options.startTimeoutMs, name, `${hint ? `${hint}; ` : ''}the lima.yaml is ${yamlFile}`)
  }

  async start(name: string): Promise<void> {
    const seconds = Math.ceil(this.options.startTimeoutMs / 1000)
    // Lima's own --timeout ends the wait first, with its reason; ours is a little longer, as a backstop.
    await this.call(['start', '--tty=false', `--timeout=${seconds}s`, name], this.options.startTimeoutMs + 60_000, name, `raise --lima-timeout (now ${seconds} s; TCG boots are slow), or look at the logs above`)
  }

  async stop(name: string): Promise<void> {
    await this.call(['stop', name], STOP_TIMEOUT_MS, name)
  }

  async delete(name: string): Promise<void> {
    await this.call(['delete', '-f', name], STOP_TIMEOUT_MS, name)
  }
}
