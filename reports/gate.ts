// The upgrade gate: compare a baseline run (the Lima/QEMU in use) with a current one (the
// candidate), per config and check. A regression fails the gate; improvements and other changes
// are listed; two runs that do not cover the same matrix, or did not complete, are not comparable.
import type { FailureClass } from '../agent/diagnostics.ts'
import type { CheckResult, CheckStatus, ConfigResult, ConfigStatus, Results } from './types.ts'

export type ChangeKind = 'regression' | 'improvement' | 'changed'

/** A check's outcome as the gate compares it. */
export interface CheckState {
  status: CheckStatus
  class?: FailureClass
  todoPassed?: boolean
}

export interface CheckChange {
  kind: ChangeKind
  id: string
  /** null: the check is not in that side's results. */
  from: CheckState | null
  to: CheckState | null
}

export interface ConfigStatusChange {
  kind: ChangeKind
  from: ConfigStatus
  to: ConfigStatus
  /** The current side's error, when it has one. */
  error?: string
}

/** One config present on both sides, with what changed (configs without changes are left out). */
export interface ConfigComparison {
  name: string
  status?: ConfigStatusChange
  checks: CheckChange[]
}

export interface GateReport {
  /** Why the two runs cannot be compared; empty when they can. */
  incomparable: string[]
  matrix: {
    configsOnlyInBaseline: string[]
    configsOnlyInCurrent: string[]
    suitesOnlyInBaseline: string[]
    suitesOnlyInCurrent: string[]
  }
  configs: ConfigComparison[]
  totals: Record<ChangeKind, number>
}

/** 0: no regression; 1: regressions; 2: the runs are not comparable (incomplete, other matrix). */
export type GateExitCode = 0 | 1 | 2

export function gate(baseline: Results, current: Results): GateReport {
  const matrix = {
    configsOnlyInBaseline: onlyIn(baseline.matrix.configs, current.matrix.configs),
    configsOnlyInCurrent: onlyIn(current.matrix.configs, baseline.matrix.configs),
    suitesOnlyInBaseline: onlyIn(baseline.matrix.suites, current.matrix.suites),
    suitesOnlyInCurrent: onlyIn(current.matrix.suites, baseline.matrix.suites),
  }
  const incomparable: string[] = []
  if (!baseline.complete) incomparable.push('the baseline run did not complete')
  if (!current.complete) incomparable.push('the current run did not complete')
  if (matrix.configsOnlyInBaseline.length) incomparable.push(`configs only in the baseline: ${matrix.configsOnlyInBaseline.join(', ')}`)
  if (matrix.configsOnlyInCurrent.length) incomparable.push(`configs only in the current run: ${matrix.configsOnlyInCurrent.join(', ')}`)
  if (matrix.suitesOnlyInBaseline.length) incomparable.push(`suites only in the baseline: ${matrix.suitesOnlyInBaseline.join(', ')}`)
  if (matrix.suitesOnlyInCurrent.length) incomparable.push(`suites only in the current run: ${matrix.suitesOnlyInCurrent.join(', ')}`)
  for (const [side, results] of [['baseline', baseline], ['current run', current]] as const) {
    const missing = onlyIn(results.matrix.configs, results.configs.map((c) => c.name))
    if (missing.length) incomparable.push(`the ${side} has no results for ${missing.join(', ')}`)
  }

  const before = new Map(baseline.configs.map((c) => [c.name, c]))
  const configs = current.configs.flatMap((now) => {
    const was = before.get(now.name)
    if (!was) return []
    const comparison = compareConfig(was, now)
    return comparison.status || comparison.checks.length ? [comparison] : []
  })
  const totals: Record<ChangeKind, number> = { regression: 0, improvement: 0, changed: 0 }
  for (const c of configs) {
    if (c.status) totals[c.status.kind]++
    for (const check of c.checks) totals[check.kind]++
  }
  return { incomparable, matrix, configs, totals }
}

export function gateExitCode(report: GateReport): GateExitCode {
  if (report.incomparable.length) return 2
  return report.totals.regression ? 1 : 0
}

function compareConfig(was: ConfigResult, now: ConfigResult): ConfigComparison {
  const comparison: ConfigComparison = { name: now.name, checks: [] }
  if (was.status !== now.status) {
    comparison.status = { kind: configChangeKind(was.status, now.status), from: was.status, to: now.status, ...(now.error === undefined ? {} : { error: now.error }) }
  }
  // An infra-failed side has no checks: only its config status says something.
  if (was.status === 'infra-failed' || now.status === 'infra-failed') return comparison
  const old = new Map(was.checks.map((c) => [c.id, c]))
  const current = new Map(now.checks.map((c) => [c.id, c]))
  for (const id of new Set([...current.keys(), ...old.keys()])) {
    const from = stateOf(old.get(id))
    const to = stateOf(current.get(id))
    const kind = checkChangeKind(from, to)
    if (kind) comparison.checks.push({ kind, id, from, to })
  }
  return comparison
}

export function configChangeKind(from: ConfigStatus, to: ConfigStatus): ChangeKind {
  if (from === 'completed') return 'regression'
  if (to === 'completed') return 'improvement'
  return 'changed'
}

/** How a check moved, or undefined when it did not. */
export function checkChangeKind(from: CheckState | null, to: CheckState | null): ChangeKind | undefined {
  if (stateLabel(from) === stateLabel(to)) return undefined
  // A crashed config lists every declared check as crashed, a completed one only what ran:
  // a check going between absent and crashed says nothing the config status does not.
  if (from === null || to === null) return (from ?? to)?.status === 'crashed' ? undefined : 'changed'
  switch (from.status) {
    case 'ok':
      return to.status === 'fail' || to.status === 'crashed' ? 'regression' : 'changed'
    case 'fail':
      if (to.status === 'ok') return 'improvement'
      if (to.status !== 'fail') return 'changed'
      // Labels differ, so the class did: loud -> silent hides a failure, silent -> loud shows one.
      return (to.class ?? 'silent') === 'silent' ? 'regression' : 'improvement'
    case 'crashed':
      return to.status === 'ok' || to.status === 'fail' ? 'improvement' : 'changed'
    case 'todo':
    case 'skip':
      return 'changed'
  }
}

/** "ok", "fail (silent)", "todo (fails loud)", "todo (passes)", "absent". */
export function stateLabel(state: CheckState | null): string {
  if (!state) return 'absent'
  if (state.status === 'fail') return `fail (${state.class ?? 'silent'})`
  if (state.status === 'todo') return state.class ? `todo (fails ${state.class})` : state.todoPassed ? 'todo (passes)' : 'todo'
  return state.status
}

export function stateOf(check: CheckResult | undefined): CheckState | null {
  if (!check) return null
  return {
    status: check.status,
    ...(check.class === undefined ? {} : { class: check.class }),
    ...(check.todoPassed ? { todoPassed: true } : {}),
  }
}

function onlyIn(these: readonly string[], those: readonly string[]): string[] {
  const other = new Set(those)
  return [...new Set(these)].filter((x) => !other.has(x))
}
