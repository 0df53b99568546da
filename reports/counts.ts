// How many checks ended in each status, fails split into loud and silent.
import type { CheckResult, ConfigResult, Counts } from './types.ts'

function emptyCounts(): Counts {
  return { ok: 0, fail: 0, todo: 0, skip: 0, crashed: 0, silent: 0, loud: 0 }
}

export function countChecks(checks: readonly CheckResult[]): Counts {
  const counts = emptyCounts()
  for (const check of checks) {
    counts[check.status]++
    if (check.status === 'fail') counts[check.class ?? 'silent']++
  }
  return counts
}

function addCounts(a: Counts, b: Counts): Counts {
  const sum = emptyCounts()
  for (const key of Object.keys(sum) as Array<keyof Counts>) sum[key] = a[key] + b[key]
  return sum
}

export function totalCounts(configs: readonly Pick<ConfigResult, 'counts'>[]): Counts {
  return configs.reduce((sum, c) => addCounts(sum, c.counts), emptyCounts())
}
