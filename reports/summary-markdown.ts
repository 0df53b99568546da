// summary.md: what a person reads first (also the GitHub step summary). Totals, a config x suite
// matrix, cache coherence (how soon host edits show) and bench ratios when the run has them,
// then the silent failures (the dangerous kind) one by one, then what could not run.
import { benchTable, figuresText } from './bench.ts'
import { coherenceEventLabel, coherenceTable } from './coherence.ts'
import { ENVIRONMENT_ROWS } from './environment-fields.ts'
import { countChecks, totalCounts } from './counts.ts'
import { callText, foundText, hostText, valueText } from './diagnostics-text.ts'
import type { CheckResult, ConfigResult, Counts, Results } from './types.ts'

/** Environment fields shown first, in this order; other scalar fields follow as they come. */
const ENVIRONMENT_ORDER = ENVIRONMENT_ROWS.map(([k]) => k)
const ENVIRONMENT_LABELS: Record<string, string> = Object.fromEntries(ENVIRONMENT_ROWS)

export function summaryMarkdown(results: Results): string {
  const sections = [
    title(results),
    matrixSection(results),
    coherenceSection(results.configs),
    benchSection(results.configs),
    failuresSection(results, 'silent'),
    failuresSection(results, 'loud'),
    todoPassedSection(results),
    crashedSection(results),
    environmentSection(results),
  ]
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`
}

function title(results: Results): string {
  const total = totalCounts(results.configs)
  const notCompleted = results.configs.filter((c) => c.status !== 'completed')
  const configs = `${results.configs.length} config${results.configs.length === 1 ? '' : 's'}` +
    (notCompleted.length ? ` (${countsByStatus(notCompleted)})` : '')
  const lines = [`# limafs: ${[configs, countsText(total, { zeros: true })].join(' · ')}`]
  if (!results.complete) lines.push('', '> **The run did not complete** (it was cut short): configs it never reached are missing below.')
  const matrixFile = results.matrix.file ? ` · matrix ${code(results.matrix.file)}` : ''
  lines.push('', `Run ${results.startedAt} to ${results.finishedAt}${matrixFile} · suites: ${results.matrix.suites.map(md).join(', ') || '(none)'}`)
  return lines.join('\n')
}

function countsByStatus(configs: ConfigResult[]): string {
  const by = new Map<string, number>()
  for (const c of configs) by.set(c.status, (by.get(c.status) ?? 0) + 1)
  return [...by].map(([status, n]) => `${n} ${status}`).join(', ')
}

/** "12 ok · 2 loud · **1 silent**": zeros left out unless asked for. */
export function countsText(counts: Counts, { zeros }: { zeros: boolean }): string {
  const parts: Array<[number, string]> = [
    [counts.ok, 'ok'], [counts.loud, 'loud'], [counts.silent, 'silent'], [counts.todo, 'todo'], [counts.skip, 'skip'], [counts.crashed, 'crashed'],
  ]
  const shown = parts.filter(([n]) => zeros || n > 0).map(([n, label]) => (label === 'silent' && n > 0 ? `**${n} silent**` : `${n} ${label}`))
  return shown.join(' · ') || 'no checks'
}

function suitesOf(results: Results): string[] {
  const suites = [...results.matrix.suites]
  for (const config of results.configs) for (const check of config.checks) if (!suites.includes(check.suite)) suites.push(check.suite)
  return suites
}

function matrixSection(results: Results): string {
  if (!results.configs.length) return '## Matrix\n\nNo configuration ran.'
  const suites = suitesOf(results)
  const rows = results.configs.map((config) => {
    const label = config.status === 'completed' ? md(config.name) : `${md(config.name)} **(${config.status})**`
    const cells = suites.map((suite) => {
      if (config.status === 'infra-failed') return '—'
      const checks = config.checks.filter((c) => c.suite === suite)
      if (!checks.length) return '–'
      // A known deviation still has a verdict: say how many of the TODOs fail silently.
      const silentTodos = checks.filter((c) => c.status === 'todo' && c.class === 'silent').length
      const text = countsText(countChecks(checks), { zeros: false })
      return silentTodos ? text.replace(/(\d+ todo)/, `$1 (${silentTodos} silent)`) : text
    })
    return [label, ...cells]
  })
  return `## Matrix\n\n${table(['config', ...suites.map(md)], rows)}`
}

/**
 * Config x coherence event: "at once", "N ms", or how it stayed stale. A stale cell says whether
 * drop_caches helped, from the event's after-drop-caches point; (TODO) marks a known deviation.
 * Empty ('') when the run has no coherence points.
 */
export function coherenceSection(configs: readonly ConfigResult[], heading = '## Cache coherence'): string {
  const coherence = coherenceTable(configs)
  if (!coherence) return ''
  const rows = coherence.rows.map((row) => [
    row.status === 'completed' ? md(row.config) : `${md(row.config)} **(${row.status})**`,
    ...row.cells.map((cell) => (row.status === 'infra-failed' ? '—' : !cell ? '–' : cell.verdict === 'silent' ? `**${md(cell.text)}**` : md(cell.text))),
  ])
  const window = coherence.windowMs === undefined ? 'the whole window' : `the whole ${coherence.windowMs} ms window`
  const legend = [
    'How soon a change made on one side showed on the other: host changes in the guest, guest writes on the host.',
    [
      'at once: seen at the first look',
      'N ms: seen that long after the change (an upper bound)',
      `stale: unseen for ${window}`,
      `stale until drop_caches: unseen in the window, seen after ${'`'}echo 3 > /proc/sys/vm/drop_caches${'`'}`,
      'stale even after drop_caches: still unseen after it',
      'error E: the call failed',
      '(TODO): a known deviation of this config',
    ].join(' · '),
  ].join(' ')
  return `${heading}\n\n${legend}.\n\n${table(['config', ...coherence.events.map((id) => md(coherenceEventLabel(id)))], rows)}`
}

/** Config x bench workload: the share's speed as a ratio to the guest's tmpfs. '' without bench figures. */
export function benchSection(configs: readonly ConfigResult[], heading = '## Bench'): string {
  const bench = benchTable(configs)
  if (!bench) return ''
  const rows = bench.rows.map((row) => [md(row.config), ...row.figures.map((f) => (f ? figuresText(f) : '–'))])
  const intro = "Median ops/s of each workload on the share divided by the same on the guest's tmpfs (1.0x: as fast as tmpfs; higher is faster); ops/s where there was no tmpfs baseline."
  return `${heading}\n\n${intro}\n\n${table(['config', ...bench.workloads.map(md)], rows)}`
}

function failures(results: Results, failureClass: 'silent' | 'loud'): Array<{ config: ConfigResult; check: CheckResult }> {
  return results.configs.flatMap((config) =>
    config.checks.filter((check) => check.status === 'fail' && check.class === failureClass).map((check) => ({ config, check })))
}

function failuresSection(results: Results, failureClass: 'silent' | 'loud'): string {
  const found = failures(results, failureClass)
  const rows = found.map(({ config, check }) => {
    const d = check.diagnostics
    return [
      md(config.name),
      `${code(check.id)}${check.cutOff ? ' (diagnostics cut off)' : ''}`,
      d ? code(callText(d)) : '?',
      d ? code(valueText(d.wanted)) : '?',
      d ? code(foundText(d)) : '?',
      d?.host ? md(hostText(d.host)) : '–',
    ]
  })
  const header = ['config', 'check', 'call', 'wanted', 'found', 'host truth']
  if (failureClass === 'silent') {
    const intro = 'The call said OK but the effect was wrong, or was lost later (after a cache drop, remount or restart).'
    return `## Silent failures (${found.length})\n\n${found.length ? `${intro}\n\n${table(header, rows)}` : 'None.'}`
  }
  if (!found.length) return ''
  return `<details><summary>Loud failures (${found.length}): the call returned an error the user sees</summary>\n\n${table(header, rows)}\n\n</details>`
}

function todoPassedSection(results: Results): string {
  const passing = results.configs.flatMap((config) =>
    config.checks.filter((c) => c.status === 'todo' && c.todoPassed).map((c) => `- ${md(config.name)} ${code(c.id)}${c.reason ? `: ${md(c.reason)}` : ''}`))
  if (!passing.length) return ''
  return `## TODOs that pass now (${passing.length})\n\nThe known deviation did not show: its entry in the deviation table may be obsolete.\n\n${passing.join('\n')}`
}

function crashedSection(results: Results): string {
  const items = results.configs.filter((c) => c.status !== 'completed').map((config) => {
    const why = config.error ? `: ${md(config.error)}` : ''
    const notRun = config.status === 'crashed' ? ` (${config.counts.crashed} check${config.counts.crashed === 1 ? '' : 's'} not run)` : ''
    return `- **${md(config.name)}** ${config.status}${why}${notRun}`
  })
  return `## Crashed / infrastructure\n\n${items.length ? items.join('\n') : 'None.'}`
}

function environmentSection(results: Results): string {
  const env = results.environment
  const keys = [...ENVIRONMENT_ORDER.filter((k) => k in env), ...Object.keys(env).filter((k) => !ENVIRONMENT_ORDER.includes(k) && k !== 'mountinfo')]
  const rows = keys
    .filter((k) => env[k] !== undefined && (typeof env[k] !== 'object' || env[k] === null))
    .map((k) => [md(ENVIRONMENT_LABELS[k] ?? k), md(String(env[k]))])
  const parts = ['## Environment', rows.length ? table(['', ''], rows) : 'Not recorded.']
  if (results.phases.length) parts.push(`Phases: ${results.phases.map((p) => `${md(p.name)} ${p.seconds.toFixed(1)} s`).join(' · ')}`)
  const mountinfo = Object.entries(env.mountinfo ?? {})
  if (mountinfo.length) {
    parts.push(`<details><summary>Effective mount options (guest mountinfo)</summary>\n\n${table(['config', 'options'], mountinfo.map(([c, o]) => [md(c), code(o)]))}\n\n</details>`)
  }
  return parts.join('\n\n')
}

export function table(header: string[], rows: string[][]): string {
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')
}

/** Characters no reader wants raw in a summary: shown as \xNN. */
function visible(s: string): string {
  return s.replace(/[\x00-\x08\x0B-\x1F\x7F]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/\r?\n|\t/g, ' ')
}

/** Plain markdown text safe in a table cell: markdown and HTML punctuation backslash-escaped. */
export function md(s: string): string {
  return visible(s).replace(/[\\`*_[\]<>|&#~]/g, '\\$&')
}

/** A code span safe in a table cell (a pipe is escaped; backticks get a longer fence). */
export function code(s: string): string {
  const body = visible(s).replace(/\|/g, '\\|')
  if (!body) return '` `'
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((m) => m.length))
  const fence = '`'.repeat(longest + 1)
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${body}${pad}${fence}`
}
