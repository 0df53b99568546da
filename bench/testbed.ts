// `npm run bench:testbed`: how long the built-in testbed takes, through the CLI a user runs.
//   cold up   a fresh temp cache: kernel download + unpack, initramfs, ssh keys, KVM probe, boot
//   warm up   the real cache ($XDG_CACHE_HOME/limafs), 3 times: min / median / max
//   restart   power off and boot again, each warm round
//   down      every round
// It prints figures beside their targets and exits 0 even on a slow machine; non-zero only when
// a step failed. One guest at a time, always brought down; its own --name and --run-dir.
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { readEnvironment } from '../cli/environment.ts'

const CLI = fileURLToPath(new URL('../bin/limafs.js', import.meta.url))
const WARM_ROUNDS = 3
/** Targets from the testbed issue: a warm up must feel instant-ish, a first run must stay short. */
const TARGETS: Record<string, number | undefined> = { 'cold up': 30, 'warm up': 8 }

interface Step {
  seconds: number
  stderr: string
  stdout: string
}

const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`)

async function limafs(args: string[]): Promise<Step> {
  const started = performance.now()
  const result = await execa(process.execPath, [CLI, 'testbed', ...args], { reject: false, stdin: 'ignore', timeout: 600_000 })
  const step = { seconds: (performance.now() - started) / 1000, stdout: String(result.stdout), stderr: String(result.stderr) }
  if (result.exitCode !== 0) throw new Error(`limafs testbed ${args.join(' ')} failed (exit ${result.exitCode}):\n${step.stderr.trim()}`)
  return step
}

/** Pids of qemu-system / virtiofsd processes whose command line mentions `text` (all of them for ''). */
function qemuProcessesMentioning(text: string): number[] {
  const pids: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0')
      if (/qemu-system|virtiofsd/.test(argv[0] ?? '') && argv.some((a) => a.includes(text))) pids.push(Number(name))
    } catch {
      // gone meanwhile
    }
  }
  return pids
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!

function table(samples: Map<string, number[]>): string {
  const rows = [['step', 'runs', 'min s', 'median s', 'max s', 'target', '']]
  for (const [step, xs] of samples) {
    const target = TARGETS[step]
    const verdict = target === undefined || !xs.length ? '' : median(xs) <= target ? 'ok' : 'over target'
    const f = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(1))
    rows.push([step, String(xs.length), f(xs.length ? Math.min(...xs) : undefined), f(xs.length ? median(xs) : undefined), f(xs.length ? Math.max(...xs) : undefined), target === undefined ? '' : `<= ${target} s`, verdict])
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n')
}

async function main(): Promise<number> {
  const tmp = mkdtempSync('/var/tmp/limafs-bench-')
  chmodSync(tmp, 0o755) // QEMU runs unprivileged and must reach the shares inside
  const run = join(tmp, 'run')
  const instance = ['--name', `bench-${process.pid}`, '--run-dir', run]
  const samples = new Map<string, number[]>([['cold up', []], ['warm up', []], ['guest boot (warm)', []], ['restart', []], ['down', []]])
  const add = (step: string, seconds: number) => samples.get(step)!.push(seconds)
  let about = ''
  let failure: unknown
  try {
    const others = qemuProcessesMentioning('').length // another guest competes for the CPUs
    progress(`cold up (fresh cache in ${tmp}/cache: kernel download, unpack, initramfs, keys, KVM probe)`)
    add('cold up', (await limafs(['up', ...instance, '--cache-dir', join(tmp, 'cache')])).seconds)
    const status = JSON.parse((await limafs(['status', ...instance, '--json'])).stdout) as {
      qemu: { version: string }; accel: { accel: string; reason: string }; guest?: { kernel: string }
    }
    about = [
      `QEMU ${status.qemu.version}`,
      `accelerator ${status.accel.accel} (${status.accel.reason})`,
      `guest kernel ${status.guest?.kernel ?? 'unknown'}`,
      `QEMU or virtiofsd processes of others running meanwhile: ${others}`,
    ].join('\n')
    add('down', (await limafs(['down', ...instance])).seconds)
    for (let round = 1; round <= WARM_ROUNDS; round++) {
      progress(`warm round ${round}/${WARM_ROUNDS} (cache ${readEnvironment().cacheDir})`)
      add('warm up', (await limafs(['up', ...instance])).seconds)
      const boot = (JSON.parse((await limafs(['status', ...instance, '--json'])).stdout) as { bootSeconds?: number }).bootSeconds
      if (boot !== undefined) add('guest boot (warm)', boot)
      add('restart', (await limafs(['restart', ...instance])).seconds)
      add('down', (await limafs(['down', ...instance])).seconds)
    }
  } catch (err) {
    failure = err
  } finally {
    if (existsSync(run)) await execa(process.execPath, [CLI, 'testbed', 'down', ...instance], { reject: false, stdin: 'ignore' })
    for (const pid of qemuProcessesMentioning(run)) process.kill(pid, 'SIGKILL')
    rmSync(tmp, { recursive: true, force: true })
  }
  process.stdout.write(`limafs testbed benchmark (seconds, wall clock of each CLI command)\n${about ? `${about}\n` : ''}\n${table(samples)}\n`)
  process.stdout.write('guest boot (warm): QEMU start to every share mounted, as the testbed records it (no CLI start-up)\n')
  if (failure) {
    process.stderr.write(`[bench] a step failed: ${failure instanceof Error ? failure.message : String(failure)}\n`)
    return 1
  }
  return 0
}

process.exit(await main())
