// What `limafs bench` prints: per configuration (rows) and workload (columns), the share's speed
// as a ratio to the guest's tmpfs, with the tmpfs's own ops/s above, and what the machine was
// (CPUs, accelerator) above that: a TCG guest on 2 cores makes every share look slow, the ratio
// less so. Pure: results and environment in, text out.
import type { BenchFigures } from '../agent/diagnostics.ts'
import { BENCH_SUITE, ratioText } from '../reports/bench.ts'
import type { CheckResult, Environment, Results } from '../reports/types.ts'

/** 1234 -> "1.2k", 320 -> "320", 1.2e8 -> "120M": the baseline's ops/s at a glance. */
export function compact(x: number): string {
  const digits = (v: number) => (v >= 10 ? String(Math.round(v)) : v.toPrecision(2))
  for (const [unit, size] of [['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) if (x >= size) return `${digits(x / size)}${unit}`
  return digits(x)
}

const figuresOf = (check: CheckResult | undefined) => check?.diagnostics?.bench as Partial<BenchFigures> | undefined

/** Repeats whose fastest is more than this many times their slowest: the machine was busy, the ratio is shaky. */
const SHAKY_SPREAD = 2

/** A cell: the ratio (with ~ when its repeats disagree), or what stands in for it (skip, FAIL, no ratio, crashed). */
function cell(check: CheckResult | undefined): string {
  if (!check) return '–'
  const figures = figuresOf(check)
  if (check.status !== 'ok') return check.status === 'fail' ? 'FAIL' : check.status
  if (typeof figures?.ratio !== 'number') return 'no ratio'
  const { min, max } = figures.repeats ?? { min: 1, max: 1 }
  return `${ratioText(figures.ratio)}${min > 0 && max / min > SHAKY_SPREAD ? '~' : ''}`
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (r: string[]) => r.map((c, i) => (i ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()
  return [line(header), ...rows.map(line)]
}

export function benchTableText(results: Results, environment: Environment): string {
  const benchChecks = (checks: readonly CheckResult[]) => checks.filter((c) => c.suite === BENCH_SUITE)
  const find = (config: string, id: string) => results.configs.find((c) => c.name === config)?.checks.find((c) => c.id === id)
  const ids = [...new Set(results.configs.flatMap((c) => benchChecks(c.checks).map((check) => check.id)))]
  // A column is named for its workload as the figures name it (chown-R), else for its id's middle.
  const workload = (id: string) => results.configs.map((c) => figuresOf(find(c.name, id))?.workload).find((w) => typeof w === 'string') ?? id.split('/')[1] ?? id
  const cpus = `cpus: host ${environment.hostCpus ?? '?'}, guest ${environment.guestCpus ?? '?'}`
  const machine = [cpus, `accelerator: ${environment.accelerator ?? '?'}`, ...(environment.guestKernel ? [`guest kernel ${environment.guestKernel}`] : [])].join(' · ')
  if (!ids.length) return `${machine}\nno bench figures: no configuration ran the bench suite\n`

  const baselineOf = (id: string) => results.configs.map((c) => figuresOf(find(c.name, id))?.baselineOpsPerSec).find((x) => typeof x === 'number')
  const repeats = Math.max(0, ...results.configs.flatMap((c) => benchChecks(c.checks).map((check) => figuresOf(check)?.repeats?.n ?? 0)))
  const rows = [
    ['tmpfs ops/s', ...ids.map((id) => { const b = baselineOf(id); return b === undefined ? '–' : compact(b) })],
    ...results.configs.map((c) => [c.name, ...ids.map((id) => cell(find(c.name, id)))]),
  ]
  const out = [
    machine,
    `ratio of each share's median ops/s to the guest's tmpfs (over ${repeats} interleaved repeats; 1.0x: as fast as tmpfs, 0.10x: ten times slower;`,
    'ops are files, entries listed, xattr calls, or for write-read bytes)',
    '',
    ...table(['config', ...ids.map(workload)], rows),
  ]
  if (rows.some((r) => r.some((c) => c.endsWith('~')))) out.push(`~: its repeats differ more than ${SHAKY_SPREAD}x (a busy machine): rerun, or raise --bench-repeats`)

  // Why cells are not ratios, once per reason.
  const why = new Map<string, { workloads: Set<string>; configs: Set<string> }>()
  for (const c of results.configs) {
    for (const check of benchChecks(c.checks)) {
      const figures = figuresOf(check)
      const reason = check.status === 'ok'
        ? (typeof figures?.ratio === 'number' ? undefined : `no ratio: ${String(check.diagnostics?.note ?? 'no baseline').replace(/^no ratio: /, '')}`)
        : check.status === 'fail' ? `FAIL: found ${String(check.diagnostics?.found ?? '?')}` : `${check.status}: ${check.reason ?? c.error ?? 'no reason given'}`
      if (!reason) continue
      const entry = why.get(reason) ?? { workloads: new Set(), configs: new Set() }
      entry.workloads.add(workload(check.id))
      entry.configs.add(c.name)
      why.set(reason, entry)
    }
  }
  if (why.size) {
    out.push('')
    for (const [reason, { workloads, configs }] of why) out.push(`${reason} (${[...workloads].join(', ')} on ${[...configs].join(', ')})`)
  }
  return `${out.join('\n')}\n`
}
