// The bench suite's arithmetic, pure: the order of the targets in each round, and from what the
// worker timed, medians, percentiles, the spread over repeats and the ratio to the tmpfs baseline.
import type { BenchFigures } from '../../agent/diagnostics.ts'

/** One repeat of a workload on one target: its ops, its whole duration and each timed call. */
export interface Repeat {
  ops: number
  totalMs: number
  latenciesMs: readonly number[]
  /** An app-like workload's steps, each one's duration by name. */
  phasesMs?: Readonly<Record<string, number>>
}

/** Each step's median duration over the repeats that timed it, in the order the first repeat names them. */
export function phaseMedians(repeats: readonly Repeat[]): Record<string, number> | undefined {
  const names = [...new Set(repeats.flatMap((r) => Object.keys(r.phasesMs ?? {})))]
  if (!names.length) return undefined
  return Object.fromEntries(names.map((name) => [name, round(median(repeats.flatMap((r) => (r.phasesMs && name in r.phasesMs ? [r.phasesMs[name]!] : []))))]))
}


/**
 * The p-th percentile (0..100) of the values, linearly interpolated between the closest ranks
 * (numpy's default): p50 of [1, 2, 3, 4] is 2.5, p99 of 100 values lies between the two largest.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) throw new Error('percentile of no values')
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile ${p}: expected 0..100`)
  const sorted = [...values].sort((a, b) => a - b)
  const rank = (p / 100) * (sorted.length - 1)
  const lo = Math.floor(rank)
  const hi = Math.ceil(rank)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo)
}

export const median = (values: readonly number[]) => percentile(values, 50)

/** ops/s of one repeat. */
export const opsPerSec = (r: Repeat) => (r.totalMs > 0 ? r.ops / (r.totalMs / 1000) : Number.POSITIVE_INFINITY)

/** min, median and max of the values, and how many. */
export function spread(values: readonly number[]): BenchFigures['repeats'] {
  return { min: Math.min(...values), median: median(values), max: Math.max(...values), n: values.length }
}

/** A share's median ops/s over the baseline's: 1 = as fast as the guest's tmpfs, 0.1 = ten times slower. */
export const ratio = (shareOpsPerSec: number, baselineOpsPerSec: number) => shareOpsPerSec / baselineOpsPerSec

/** Keeps a figure readable in TAP and JSON: n significant digits. */
export const round = (x: number, digits = 4) => (Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(digits)) : x)

/**
 * A workload's figures on one share: ops/s is the median over the repeats, p50/p99 are over every
 * timed call of every repeat, ratio is against the baseline's median (left out without one).
 */
export function benchFigures(workload: string, repeats: readonly Repeat[], baseline?: readonly Repeat[]): BenchFigures {
  if (!repeats.length) throw new Error(`${workload}: no repeats`)
  const rates = repeats.map(opsPerSec)
  const latencies = repeats.flatMap((r) => r.latenciesMs)
  const own = median(rates)
  const base = baseline?.length ? median(baseline.map(opsPerSec)) : undefined
  const s = spread(rates)
  const phasesMs = phaseMedians(repeats)
  return {
    workload,
    ops: repeats[0]!.ops,
    opsPerSec: round(own),
    p50Ms: round(latencies.length ? percentile(latencies, 50) : 0),
    p99Ms: round(latencies.length ? percentile(latencies, 99) : 0),
    repeats: { min: round(s.min), median: round(s.median), max: round(s.max), n: s.n },
    ...(base !== undefined ? { ratio: round(ratio(own, base)), baselineOpsPerSec: round(base) } : {}),
    ...(phasesMs ? { phasesMs } : {}),
  }
}

/** Round r's order: every target, starting r places further along, so no target is always first or last. */
export function roundOrder<T>(targets: readonly T[], round: number): T[] {
  return targets.map((_, i) => targets[(i + round) % targets.length]!)
}
