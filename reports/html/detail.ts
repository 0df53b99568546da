// The details of one cell, as label/value pairs the page shows when the cell is hovered or
// clicked: the guest's view (op, args, wanted, found, errno, stage, class) and the host's truth.
import { argText, hostText, valueText } from '../diagnostics-text.ts'
import type { CheckResult } from '../types.ts'

export type DetailRows = Array<[string, string]>

/** Fields shown in their own rows; any other field the agent wrote follows as JSON. */
const SHOWN = new Set(['op', 'args', 'wanted', 'found', 'errno', 'stage', 'class', 'host', 'latencyMs', 'bench', 'note', 'security'])

export function detailRows(check: CheckResult): DetailRows {
  const rows: DetailRows = []
  if (check.status === 'todo') rows.push(['known deviation', check.todoPassed ? 'passes now: the deviation the matrix expects did not show' : `the matrix expects it to fail; it failed ${check.class ?? 'silent'}`])
  if (check.reason) rows.push([check.status === 'skip' ? 'skipped' : 'reason', check.reason])
  const d = check.diagnostics
  if (typeof d?.security === 'string') rows.push(['SECURITY', d.security])
  if (d) {
    if (d.op !== undefined) rows.push(['op', d.op])
    if (d.args !== undefined) rows.push(['args', d.args.map(argText).join(' ')])
    if ('wanted' in d) rows.push(['wanted', valueText(d.wanted)])
    if ('found' in d) rows.push(['found', valueText(d.found)])
    if (d.errno !== undefined) rows.push(['errno', d.errno])
    if (d.stage !== undefined) rows.push(['stage', d.stage])
    if (d.class !== undefined) rows.push(['class', d.class])
    if (d.latencyMs !== undefined) rows.push(['latency', `${d.latencyMs} ms`])
    if (d.note !== undefined) rows.push(['note', d.note])
    if (d.bench !== undefined) {
      const b = d.bench
      const vsTmpfs = typeof b.ratio === 'number' ? `${b.ratio}x tmpfs (${b.baselineOpsPerSec ?? '?'} ops/s)` : 'no tmpfs baseline'
      rows.push(['bench', `${b.workload}: ${b.opsPerSec} ops/s (p50 ${b.p50Ms} ms, p99 ${b.p99Ms} ms, ${b.repeats?.n ?? '?'} repeats), ${vsTmpfs}`])
      if (b.phasesMs) rows.push(['steps', Object.entries(b.phasesMs).map(([step, ms]) => `${step} ${ms} ms`).join(', ')])
    }
    rows.push(['host truth', d.host ? hostText(d.host) : '(no host bridge answer)'])
    for (const [key, value] of Object.entries(d)) {
      if (!SHOWN.has(key)) rows.push([key, typeof value === 'string' ? value : JSON.stringify(value)])
    }
  } else if (check.status !== 'ok') {
    rows.push(['diagnostics', 'none'])
  }
  if (check.cutOff) rows.push(['cut off', 'the TAP ended inside these diagnostics: the config crashed while writing them'])
  return rows
}
