// `npm run bench:run`: how long the main job takes on the built-in testbed, boot to reports.
//   ownership   the default matrix (17 configurations) with the ownership suites and the
//               restart phase: target <= 60 s on a 2-core TCG machine
//   + coherence the same with the coherence suite too: what one observation window over every
//               share at once adds (target <= 10 s)
//   + times, host-side  and with those two: what POSIX times and the host's own changes add
//               (target <= 10 s together)
// Prints each run's phases, the slowest configurations, each suite's own seconds as the agent
// measured them (a per-mount suite summed over the configurations; a shared one over every
// share at once) and the totals side by side. It prints figures and exits 0 even on a slow
// machine; non-zero only when a run failed to complete.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'

const CLI = fileURLToPath(new URL('../bin/limafs.js', import.meta.url))
const OWNERSHIP = 'chown,symlink,xattr,modes'
const NEW_SUITES = ['times', 'host-side']

interface Measured {
  label: string
  wallSeconds: number
  phases: Array<{ name: string; seconds: number }>
  /** Seconds per configuration, from the run's progress lines. */
  configs: Map<string, number>
  /** Each suite's own seconds from the agent: per-mount suites summed over configurations, shared ones as run. */
  suites: Map<string, number>
  exitCode: number | undefined
}

/** Per-suite seconds from a run's progress: "CONFIG: ... in 2.6 s (chown 0.3 s, ...)" and "limafs-agent: NAME done (X s)". */
function suiteSeconds(stderr: string): Map<string, number> {
  const seconds = new Map<string, number>()
  const add = (name: string, s: number) => seconds.set(name, (seconds.get(name) ?? 0) + s)
  for (const m of stderr.matchAll(/\] \S+: \d+ ok, .* in [\d.]+ s \((.*)\)$/gm)) {
    for (const part of m[1]!.split(', ')) {
      const p = /^(\S+) ([\d.]+) s$/.exec(part)
      if (p) add(p[1]!, Number(p[2]))
    }
  }
  for (const m of stderr.matchAll(/limafs-agent: (\S+) done \(([\d.]+) s\)$/gm)) add(m[1]!, Number(m[2]))
  return seconds
}

async function measure(label: string, suites: string): Promise<Measured> {
  const out = mkdtempSync(join(tmpdir(), 'limafs-bench-run-'))
  process.stderr.write(`[bench] ${label}: limafs run --suite ${suites} (load average ${loadavg()[0]!.toFixed(1)})\n`)
  const started = performance.now()
  const result = await execa(process.execPath, [CLI, 'run', '--suite', suites, '--out', out, '--name', `bench-${process.pid}`], { reject: false, stdin: 'ignore', timeout: 1_200_000 })
  const wallSeconds = (performance.now() - started) / 1000
  const stderr = String(result.stderr)
  try {
    if (result.exitCode !== 0 && result.exitCode !== 1) throw new Error(`limafs run exited ${result.exitCode}:\n${stderr.split('\n').slice(-20).join('\n')}`)
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { phases: Measured['phases'] }
    const configs = new Map<string, number>()
    for (const m of stderr.matchAll(/\] (\S+): \d+ ok, .* in ([\d.]+) s(?: \(.*\))?$/gm)) configs.set(m[1]!, (configs.get(m[1]!) ?? 0) + Number(m[2]))
    return { label, wallSeconds, phases: run.phases, configs, suites: suiteSeconds(stderr), exitCode: result.exitCode }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')
}

const runs = [
  await measure('ownership suites', OWNERSHIP),
  await measure('+ coherence', `${OWNERSHIP},coherence`),
  await measure(`+ ${NEW_SUITES.join(', ')}`, `${OWNERSHIP},coherence,${NEW_SUITES.join(',')}`),
]
const [ownership, withCoherence, withNew] = runs as [Measured, Measured, Measured]
const f = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(1))
const phaseNames = [...new Set(runs.flatMap((r) => r.phases.map((p) => p.name)))]
const phaseOf = (m: Measured, name: string) => m.phases.find((p) => p.name === name)?.seconds

console.log(`limafs run, default matrix (17 configurations), ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`)
console.log(table([
  ['phase', ...runs.map((r) => `${r.label} s`)],
  ...phaseNames.map((n) => [n, ...runs.map((r) => f(phaseOf(r, n)))]),
  ['total (boot to reports)', ...runs.map((r) => f(r.wallSeconds))],
]))
const suiteNames = [...new Set(runs.flatMap((r) => [...r.suites.keys()]))]
console.log(`\nthe agent's own seconds per suite (per-mount suites summed over the configurations; "stages": drop_caches and remount with their looks)\n${table([
  ['suite', ...runs.map((r) => `${r.label} s`)],
  ...suiteNames.map((n) => [n, ...runs.map((r) => f(r.suites.get(n)))]),
])}`)
const slowest = [...ownership.configs].sort((a, b) => b[1] - a[1]).slice(0, 5)
console.log(`\nslowest configurations (ownership suites, both passes): ${slowest.map(([c, s]) => `${c} ${s.toFixed(1)} s`).join(', ')}`)
const coherenceAdds = withCoherence.wallSeconds - ownership.wallSeconds
const newAdds = withNew.wallSeconds - withCoherence.wallSeconds
const newOwn = NEW_SUITES.reduce((sum, s) => sum + (withNew.suites.get(s) ?? 0), 0) + ((withNew.suites.get('stages') ?? 0) - (withCoherence.suites.get('stages') ?? 0))
console.log(`\n${table([
  ['figure', 'measured', 'target', ''],
  ['ownership run, boot to reports', `${f(ownership.wallSeconds)} s`, '<= 60 s', ownership.wallSeconds <= 60 ? 'ok' : 'over target'],
  ['coherence suite (agent, every share, one window)', `${f(withCoherence.suites.get('coherence'))} s`, '<= 10 s', (withCoherence.suites.get('coherence') ?? Infinity) <= 10 ? 'ok' : 'over target'],
  ['what coherence adds to the whole run', `${f(coherenceAdds)} s`, '<= 10 s', coherenceAdds <= 10 ? 'ok' : 'over target'],
  [`${NEW_SUITES.join(' + ')} (agent: their own seconds and their share of the stages)`, `${f(newOwn)} s`, '<= 10 s', newOwn <= 10 ? 'ok' : 'over target'],
  [`what ${NEW_SUITES.join(' and ')} add to the whole run`, `${f(newAdds)} s`, '<= 10 s', newAdds <= 10 ? 'ok' : 'over target'],
])}`)
