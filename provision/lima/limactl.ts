// limactl, driven through process.ts (the only module that spawns). Every command has a timeout;
// a failure carries limactl's own last error lines and the tail of the instance's logs
// (ha.stderr.log: the host agent; serial*.log: the guest's console), which is where Lima says
// why a start failed.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { InfraError, tail } from '../errors.ts'
import { run, sleep, type RunOptions, type RunResult } from '../process.ts'
import { parseLimaInfo, type LimaInfo } from './lima-info.ts'
import { hasStartProgress, type LimaVersion } from './lima-version.ts'
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
/** Lines of each log kept in the results dir when an instance failed (before it is deleted). */
const SAVED_LOG_LINES = 300
/** How often `limactl start` is checked for a provision step's failure mark. */
const FAIL_FAST_POLL_MS = 5_000
/** The instance's logs: the host agent's (JSON lines), the guest's consoles (serialp/serialv on aarch64). */
const LOG_FILES = ['ha.stderr.log', 'ha.stdout.log', 'serial.log', 'serialp.log', 'serialv.log']

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

/**
 * Keeps the last lines of each of the instance's logs in `toDir` (CI deletes the instance, and with
 * it the logs, right after a failure). Returns the files written.
 */
export function saveInstanceLogs(dir: string | undefined, toDir: string, lines = SAVED_LOG_LINES): string[] {
  if (!dir || !existsSync(dir)) return []
  const saved: string[] = []
  for (const name of readdirSync(dir).filter((n) => LOG_FILES.includes(n) || /^serial.*\.log$/.test(n))) {
    const text = tail(readFileSync(join(dir, name), 'utf8'), lines)
    if (!text.trim()) continue
    mkdirSync(toDir, { recursive: true })
    writeFileSync(join(toDir, name), `${text}\n`)
    saved.push(join(toDir, name))
  }
  return saved
}

/** The first line in the instance's logs carrying `mark` (a provision script's failure, through cloud-init's console output). */
export function findMark(dir: string | undefined, mark: string): string | undefined {
  if (!dir || !existsSync(dir)) return undefined
  for (const name of readdirSync(dir).filter((n) => LOG_FILES.includes(n) || /^serial.*\.log$/.test(n))) {
    const line = readFileSync(join(dir, name), 'utf8').split('\n').find((l) => l.includes(mark))
    if (line) return line.slice(line.indexOf(mark)).replace(/\\n.*$|["}]+$/g, '').trim()
  }
  return undefined
}

export interface StartOptions {
  limaVersion: LimaVersion | undefined
  /** Lines `limactl start --progress` prints (cloud-init's progress, 2.x). */
  onProgress?: (line: string) => void
  /** Ends the start at once when this mark shows in the instance's logs (a provision step failed). */
  failFastMark?: string
}

export class Limactl {
  constructor(private readonly options: LimactlOptions) {}

  private async call(args: string[], timeoutMs: number, instance?: string, hint?: string, extra: Omit<RunOptions, 'timeoutMs'> = {}): Promise<RunResult> {
    const result = await run(this.options.binary, args, { timeoutMs, ...extra })
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

  /** `limactl info`: version, vmTypes, limaHome (and hostOS/hostArch since 2.0). */
  async info(): Promise<LimaInfo> {
    const result = await run(this.options.binary, ['info'], { timeoutMs: QUICK_TIMEOUT_MS })
    if (result.failed) throw new LimactlError(result.command, result.exitCode, limactlWhy(result.stderr, result.timedOut, QUICK_TIMEOUT_MS), '', 'limactl info must work before anything is created: check the Lima install')
    return parseLimaInfo(result.stdout)
  }

  /** `limactl validate FILE` (Lima's own check of a yaml, templates and _config files merged in). */
  async validate(yamlFile: string, hint?: string): Promise<void> {
    await this.call(['validate', yamlFile], QUICK_TIMEOUT_MS, undefined, hint)
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

  async start(name: string, o: StartOptions): Promise<void> {
    const seconds = Math.ceil(this.options.startTimeoutMs / 1000)
    const args = ['start', '--tty=false', `--timeout=${seconds}s`, ...(hasStartProgress(o.limaVersion) && o.onProgress ? ['--progress'] : []), name]
    const abort = new AbortController()
    let failed: string | undefined
    const watching = (async () => {
      if (!o.failFastMark) return
      const dir = await this.instanceDir(name)
      while (!abort.signal.aborted) {
        await sleep(FAIL_FAST_POLL_MS)
        failed = findMark(dir, o.failFastMark)
        if (failed) abort.abort()
      }
    })()
    try {
      // Lima's own --timeout ends the wait first, with its reason; ours is a little longer, as a backstop.
      await this.call(args, this.options.startTimeoutMs + 60_000, name, `raise --lima-timeout (now ${seconds} s; TCG boots are slow), or look at the logs above`, {
        signal: abort.signal, ...(o.onProgress ? { onLine: o.onProgress } : {}),
      })
    } catch (err) {
      if (failed) throw new InfraError(`limactl start ${name} stopped: a provision step failed in the guest: ${failed}`, { hint: 'the line above comes from the guest (cloud-init output); the saved logs have the rest', cause: err })
      throw err
    } finally {
      abort.abort()
      await watching
    }
  }

  async stop(name: string): Promise<void> {
    await this.call(['stop', name], STOP_TIMEOUT_MS, name)
  }

  async delete(name: string): Promise<void> {
    await this.call(['delete', '-f', name], STOP_TIMEOUT_MS, name)
  }
}
