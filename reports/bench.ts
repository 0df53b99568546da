// The bench suite's figures as a table: per config and workload, the share's speed as a ratio
// to the guest's tmpfs (diagnostics.bench on the points of the `bench` suite). Shared by
// summary.md, report.html and `limafs recommend --need speed`.
import type { BenchFigures } from '../agent/diagnostics.ts'
import type { ConfigResult } from './types.ts'
import { verdictOf } from './verdicts.ts'

export const BENCH_SUITE = 'bench'

export interface BenchRow {
  config: string
  /** One per workload: the figures, or undefined when the config has none for it. */
  figures: Array<BenchFigures | undefined>
}

export interface BenchTable {
  /** Workloads in the order of their points. */
  workloads: string[]
  rows: BenchRow[]
}

/** The bench figures of a run, or undefined when no point carries any. */
export function benchTable(configs: readonly ConfigResult[]): BenchTable | undefined {
  // Workloads in the order of their points (skipped ones included, so that a workload one
  // config refused still takes its place).
  const ids: string[] = []
  const workloadAt = new Map<string, number>()
  const perConfig = configs.map((config) => {
    const byWorkload = new Map<string, BenchFigures>()
    for (const check of config.checks) {
      if (check.suite !== BENCH_SUITE) continue
      if (!ids.includes(check.id)) ids.push(check.id)
      const figures = check.diagnostics?.bench
      if (!figures) continue
      const at = ids.indexOf(check.id)
      workloadAt.set(figures.workload, Math.min(workloadAt.get(figures.workload) ?? at, at))
      byWorkload.set(figures.workload, figures)
    }
    return { config: config.name, byWorkload }
  })
  if (!workloadAt.size) return undefined
  const workloads = [...workloadAt].sort((a, b) => a[1] - b[1]).map(([w]) => w)
  return {
    workloads,
    rows: perConfig.filter((c) => c.byWorkload.size).map((c) => ({ config: c.config, figures: workloads.map((w) => c.byWorkload.get(w)) })),
  }
}

/** The figures' ratio to tmpfs, when the agent had a baseline to divide by. */
export function ratioOf(figures: BenchFigures): number | undefined {
  const ratio: unknown = figures.ratio
  return typeof ratio === 'number' && Number.isFinite(ratio) ? ratio : undefined
}

/** A cell: the ratio ("0.12x"), or without a tmpfs baseline the share's own ops/s ("1450 ops/s"). */
export function figuresText(figures: BenchFigures): string {
  const ratio = ratioOf(figures)
  return ratio === undefined ? `${Math.round(figures.opsPerSec)} ops/s` : ratioText(ratio)
}

/** A ratio as people compare them: "0.12x", "1.0x", "12x" (two significant digits). */
export function ratioText(ratio: number): string {
  return `${Number.isFinite(ratio) && ratio > 0 ? ratio.toPrecision(2).replace(/e\+?(-?\d+)$/, 'e$1') : String(ratio)}x`
}

/** Geometric mean of ratios (how several workloads' ratios are summed up); undefined for none. */
export function geometricMean(ratios: readonly number[]): number | undefined {
  const usable = ratios.filter((r) => Number.isFinite(r) && r > 0)
  if (!usable.length) return undefined
  return Math.exp(usable.reduce((sum, r) => sum + Math.log(r), 0) / usable.length)
}

/** A config's ratios to tmpfs, one per bench point that passed and had a baseline. */
export function measuredRatios(config: Pick<ConfigResult, 'checks'>): Array<{ id: string; workload: string; ratio: number }> {
  return config.checks.flatMap((c) => {
    const figures = c.suite === BENCH_SUITE && verdictOf(c) === 'ok' ? c.diagnostics?.bench : undefined
    const ratio = figures ? ratioOf(figures) : undefined
    return figures && ratio !== undefined ? [{ id: c.id, workload: figures.workload, ratio }] : []
  })
}
