// The gate's verdict as text for a terminal or a CI log: per config the regressions first, then
// improvements, then other changes; one verdict line at the end.
import { gateExitCode, stateLabel, type ChangeKind, type CheckChange, type ConfigComparison, type GateReport } from './gate.ts'

/** Beyond this many checks going to or from 'crashed' in one config, the rest are counted. */
const MAX_LISTED_CRASHED = 5

const HEADINGS: Record<ChangeKind, string> = { regression: 'regressions', improvement: 'improvements', changed: 'other changes' }
const ORDER: ChangeKind[] = ['regression', 'improvement', 'changed']

export interface GateTextOptions {
  /** How the two sides are named in the header (their file paths). */
  baseline: string
  current: string
}

export function gateText(report: GateReport, { baseline, current }: GateTextOptions): string {
  const lines = [`limafs gate: baseline ${baseline}`, `             current  ${current}`]
  if (report.incomparable.length) {
    lines.push('', 'not comparable:', ...report.incomparable.map((why) => `  - ${why}`))
    if (report.configs.length) lines.push('', 'what differs in what both cover:')
  }
  for (const config of report.configs) lines.push('', ...configLines(config))
  lines.push('', verdict(report))
  return `${lines.join('\n')}\n`
}

function configLines(config: ConfigComparison): string[] {
  const width = Math.max(8, ...config.checks.map((c) => c.id.length))
  const lines = [config.name]
  for (const kind of ORDER) {
    const checks = config.checks.filter((c) => c.kind === kind)
    const statusLine = config.status?.kind === kind
      ? [`    ${'(config)'.padEnd(width)}  ${config.status.from} -> ${config.status.to}${config.status.error ? `: ${config.status.error}` : ''}`]
      : []
    if (!checks.length && !statusLine.length) continue
    lines.push(`  ${HEADINGS[kind]}:`, ...statusLine, ...checkLines(checks, width))
  }
  return lines
}

/** One line per check; long runs of checks to or from 'crashed' (a crashed config) are counted. */
function checkLines(checks: CheckChange[], width: number): string[] {
  const lines: string[] = []
  const crashedGroups = new Map<string, number>()
  for (const check of checks) {
    const transition = `${stateLabel(check.from)} -> ${stateLabel(check.to)}`
    if (check.from?.status === 'crashed' || check.to?.status === 'crashed') {
      const seen = crashedGroups.get(transition) ?? 0
      crashedGroups.set(transition, seen + 1)
      if (seen >= MAX_LISTED_CRASHED) continue
    }
    lines.push(`    ${check.id.padEnd(width)}  ${transition}`)
  }
  for (const [transition, n] of crashedGroups) {
    if (n > MAX_LISTED_CRASHED) lines.push(`    ... and ${n - MAX_LISTED_CRASHED} more ${transition}`)
  }
  return lines
}

function verdict(report: GateReport): string {
  const { regression, improvement, changed } = report.totals
  const code = gateExitCode(report)
  const inConfigs = report.configs.filter((c) => c.status?.kind === 'regression' || c.checks.some((k) => k.kind === 'regression')).length
  const counted = [
    plural(regression, 'regression') + (regression ? ` in ${plural(inConfigs, 'config')}` : ''),
    plural(improvement, 'improvement'),
    plural(changed, 'other change'),
  ].join(', ')
  if (code === 2) return `verdict: NOT COMPARABLE (exit 2): ${report.incomparable.join('; ')} (${counted})`
  if (code === 1) return `verdict: REGRESSED (exit 1): ${counted}`
  return `verdict: OK (exit 0): ${counted}`
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
