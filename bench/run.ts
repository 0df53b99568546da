// `npm run bench:run`: how long the main job takes on the built-in testbed, boot to reports.
//   ownership   the default matrix (17 configurations) with the ownership suites and the
//               restart phase: target <= 60 s on a 2-core TCG machine
//   + coherence the same with the coherence suite too: what one observation window over every
//               share at once adds (target <= 10 s)
// Prints each run's phases, the slowest configurations and the two totals side by side. It
// prints figures and exits 0 even on a slow machine; non-zero only when a run failed to complete.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'

const CLI = fileURLToPath(new URL('../bin/limafs.js', import.meta.url))
const OWNERSHIP = 'chown,symlink,xattr,modes'

interface Measured {
  label: string
  wallSeconds: number
  phases: Array<{ name: string; seconds: number }>
  /** Seconds per configuration, from the run's progress lines. */
  configs: Map<string, number>
  /** The coherence suite's own time, from the agent's log. */
  coherenceSeconds?: number
  exitCode: number | undefined
}

async function measure(label: string, suites: string): Promise<Measured> {
  const out = mkdtempSync(join(tmpdir(), 'limafs-bench-run-'))
  process.stderr.write(`[bench] ${label}: limafs run --suite ${suites}\n`)
  const started = performance.now()
  const result = await execa(process.execPath, [CLI, 'run', '--suite', suites, '--out', out, '--name', `bench-${process.pid}`], { reject: false, stdin: 'ignore', timeout: 1_200_000 })
  const wallSeconds = (performance.now() - started) / 1000
  const stderr = String(result.stderr)
  try {
    if (result.exitCode !== 0 && result.exitCode !== 1) throw new Error(`limafs run exited ${result.exitCode}:\n${stderr.split('\n').slice(-20).join('\n')}`)
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { phases: Measured['phases'] }
    const configs = new Map<string, number>()
    for (const m of stderr.matchAll(/\] (\S+): \d+ ok, .* in ([\d.]+) s$/gm)) configs.set(m[1]!, (configs.get(m[1]!) ?? 0) + Number(m[2]))
    const coherence = /coherence done \(([\d.]+) s\)/.exec(stderr)
    return { label, wallSeconds, phases: run.phases, configs, ...(coherence ? { coherenceSeconds: Number(coherence[1]) } : {}), exitCode: result.exitCode }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')
}

const ownership = await measure('ownership suites', OWNERSHIP)
const withCoherence = await measure('ownership + coherence', `${OWNERSHIP},coherence`)
const f = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(1))
const phaseNames = [...new Set([...ownership.phases, ...withCoherence.phases].map((p) => p.name))]
const phaseOf = (m: Measured, name: string) => m.phases.find((p) => p.name === name)?.seconds

console.log(`limafs run, default matrix (17 configurations), ${cpus().length} CPUs\n`)
console.log(table([
  ['phase', 'ownership s', '+ coherence s'],
  ...phaseNames.map((n) => [n, f(phaseOf(ownership, n)), f(phaseOf(withCoherence, n))]),
  ['total (boot to reports)', f(ownership.wallSeconds), f(withCoherence.wallSeconds)],
]))
const slowest = [...ownership.configs].sort((a, b) => b[1] - a[1]).slice(0, 5)
console.log(`\nslowest configurations (ownership suites, both passes): ${slowest.map(([c, s]) => `${c} ${s.toFixed(1)} s`).join(', ')}`)
const added = withCoherence.wallSeconds - ownership.wallSeconds
console.log(`\n${table([
  ['figure', 'measured', 'target', ''],
  ['ownership run, boot to reports', `${f(ownership.wallSeconds)} s`, '<= 60 s', ownership.wallSeconds <= 60 ? 'ok' : 'over target'],
  ['coherence suite (agent, every share, one window)', `${f(withCoherence.coherenceSeconds)} s`, '<= 10 s', (withCoherence.coherenceSeconds ?? Infinity) <= 10 ? 'ok' : 'over target'],
  ['what coherence adds to the whole run', `${f(added)} s`, '<= 10 s', added <= 10 ? 'ok' : 'over target'],
])}`)
