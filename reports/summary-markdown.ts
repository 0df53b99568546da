// summary.md: what a person reads first (also the GitHub step summary). The verdict first (the
// first line counts silent and loud failures, known deviations or not), security findings above
// everything, then the answer (what each configuration keeps of what users need, which to use
// for a few ways of working), a config x suite matrix, cache coherence (how soon host edits
// show) and bench ratios when the run has them, the failures one by one, what could not run.
import { answerOf, profileEvidence, type Answer, type AnswerCell } from './answer.ts'
import { benchTable, figuresText, ratioText } from './bench.ts'
import { coherenceEventLabel, coherenceTable } from './coherence.ts'
import { ENVIRONMENT_ROWS } from './environment-fields.ts'
import { callText, foundText, hostText, valueText } from './diagnostics-text.ts'
import { CAVEAT_GROUPS, specOf } from './needs.ts'
import { settingsText } from './share-settings.ts'
import type { CheckResult, ConfigResult, Results } from './types.ts'
import { isKnown, runVerdictCounts, securityOf, verdictCounts, verdictCountsText, verdictOf, type VerdictCounts } from './verdicts.ts'

/** Environment fields shown first, in this order; other scalar fields follow as they come. */
const ENVIRONMENT_ORDER = ENVIRONMENT_ROWS.map(([k]) => k)
const ENVIRONMENT_LABELS: Record<string, string> = Object.fromEntries(ENVIRONMENT_ROWS)

export function summaryMarkdown(results: Results): string {
  const sections = [
    title(results),
    securitySection(results.configs),
    answerSection(answerOf(results)),
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
  const notCompleted = results.configs.filter((c) => c.status !== 'completed')
  const configs = `${results.configs.length} config${results.configs.length === 1 ? '' : 's'}` +
    (notCompleted.length ? ` (${countsByStatus(notCompleted)})` : '')
  const lines = [`# limafs: ${[verdictCountsText(runVerdictCounts(results.configs), { zeros: true }), configs].join(' · ')}`]
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

/** "**1 silent (1 known)** · 2 loud (0 known) · 12 ok": verdicts first, known deviations inside. */
export function countsText(counts: VerdictCounts, { zeros }: { zeros: boolean }): string {
  return verdictCountsText(counts, { zeros, strong: (t) => `**${t}**` })
}

/** Points whose diagnostics carry `security`: above everything, known deviation or not. '' when none. */
export function securitySection(configs: readonly ConfigResult[], heading = '## Security findings'): string {
  const found = configs.flatMap((config) => config.checks.flatMap((check) => {
    const why = securityOf(check)
    return why === undefined ? [] : [{ config, check, why }]
  }))
  if (!found.length) return ''
  const rows = found.map(({ config, check, why }) => [md(config.name), code(check.id), `**${md(why)}**`, check.diagnostics ? code(foundText(check.diagnostics)) : '?', knownText(check)])
  const intro = 'A guest-set owner, setuid/setgid bit or type reached an object the host made, or plain guest data became ownership: listed whether the matrix expects it or not.'
  return `${heading} (${found.length})\n\n${intro}\n\n${table(['config', 'check', 'why', 'found', 'known deviation'], rows)}`
}

function knownText(check: CheckResult): string {
  return isKnown(check) ? `yes${check.reason ? `: ${md(check.reason)}` : ''}` : '**no**'
}

/** An answer cell as markdown: the verdict (silent in bold), speed as a ratio, failing caveats counted. */
function answerCellText(cell: AnswerCell): string {
  const v = cell.verdict
  if (v.need === 'speed' && cell.speed !== undefined) return `${ratioText(cell.speed)} tmpfs`
  const text = v.state === 'fails-silently' ? '**fails silently**' : v.state.replace('-', ' ')
  return `${text}${cell.caveats.length ? '\\*' : ''}`
}

/** Check ids quoted per profile line before "+N more". */
const PROFILE_IDS = 4

/** The answer: config x need, then which configuration to use per profile. '' without checks. */
export function answerSection(answer: Answer | undefined, heading = '## What each configuration keeps'): string {
  if (!answer) return ''
  const header = ['config', ...answer.needs.map((n) => md(specOf(n).label))]
  const rows = answer.rows.map((row) => [
    row.status === 'completed' ? md(row.config) : `${md(row.config)} **(${row.status})**`,
    ...(row.status === 'infra-failed' ? answer.needs.map(() => '—') : row.cells.map(answerCellText)),
  ])
  const legend = 'keeps: every check behind the need that ran passed · fails loud: a call returned an error · **fails silently**: a call said OK and the effect was wrong or lost · not measured: no check behind it ran (never counted as keeping). Known deviations count by what they did.' +
    (answer.needs.includes('speed') ? ` Speed: geometric mean of the ratios to tmpfs over ${answer.speedWorkloads.map(md).join(', ') || 'no common workload'}.` : '')
  const parts = [`${heading}\n\n${legend}\n\n${table(header, rows)}`]
  const caveats = answer.needs.filter((n) => answer.rows.some((r) => r.cells.find((c) => c.verdict.need === n)?.caveats.length))
  if (caveats.length) parts.push(`\\* Checks near the need but not part of it fail there: ${caveats.map((n) => `${md(specOf(n).label)}: ${md(CAVEAT_GROUPS.filter((g) => g.need === n).map((g) => g.what).join('; '))}`).join(' · ')} (each one is in the failures below).`)
  if (answer.unmeasured.length) parts.push(`Not measured in this run (no check of theirs ran): ${answer.unmeasured.map((n) => md(specOf(n).label)).join(', ')}.`)
  const profiles = answer.profiles.map(({ profile, recommendation: rec }) => {
    const what = `**${md(profile.title)}** (${profile.needs.map(md).join(', ')})`
    const { kept } = profileEvidence(rec)
    if (rec.chosen) {
      return `- ${what}: ${code(rec.chosen.config)} (${md(settingsText(rec.chosen.settings))}) keeps all of it; rests on ${idsText(kept.map((e) => e.id))}`
    }
    if (!rec.compromise) return `- ${what}: nothing measured here keeps any of it`
    const c = rec.compromise
    const gives = c.givesUp.map((n) => `${md(n.need)} (${n.state === 'not-measured' ? md(n.notMeasured ?? 'not measured') : `${n.state === 'fails-silently' ? '**fails silently**' : 'fails loud'}: ${idsText(n.failed.map((e) => e.id))}`})`).join('; ')
    return `- ${what}: no configuration keeps all of it; best compromise ${code(c.verdict.config)} (${md(settingsText(c.verdict.settings))}) gives up ${gives}${kept.length ? `; keeps the rest, resting on ${idsText(kept.map((e) => e.id))}` : ''}`
  })
  parts.push(`## Which to use\n\nFrom what was measured here, for a few ways of working (\`limafs recommend --profile NAME\` gives the lima.yaml lines and every check id).\n\n${profiles.join('\n')}`)
  return parts.join('\n\n')
}

function idsText(ids: readonly string[]): string {
  const shown = ids.slice(0, PROFILE_IDS).map(code).join(', ')
  return ids.length > PROFILE_IDS ? `${shown} +${ids.length - PROFILE_IDS} more` : shown || 'no check'
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
      return countsText(verdictCounts(checks), { zeros: false })
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

/** Failures of a class, whether the matrix knew them (TODO) or not. */
function failures(results: Results, failureClass: 'silent' | 'loud'): Array<{ config: ConfigResult; check: CheckResult }> {
  return results.configs.flatMap((config) => config.checks.filter((check) => verdictOf(check) === failureClass).map((check) => ({ config, check })))
}

/** Largest number of configs or check ids named in one row of known deviations before "+N more". */
const GROUP_NAMES = 6

/**
 * Failures of a class: the unexpected ones one by one (call, wanted, found, host truth), then the
 * known deviations that fail the same way, one row per check and reason with the configs.
 */
function failuresSection(results: Results, failureClass: 'silent' | 'loud'): string {
  const found = failures(results, failureClass)
  const unexpected = found.filter(({ check }) => !isKnown(check))
  const known = found.filter(({ check }) => isKnown(check))
  const rows = unexpected.map(({ config, check }) => {
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
  const parts: string[] = []
  if (unexpected.length) parts.push(`Not expected by the matrix (${unexpected.length}):\n\n${table(header, rows)}`)
  if (known.length) parts.push(`Known deviations that fail ${failureClass === 'silent' ? 'silently' : 'loud'} (${known.length}; TODO in the matrix, so they do not fail CI, but this is what the share does):\n\n${knownTable(known, failureClass === 'silent' ? 'check' : 'reason')}`)
  const count = `${found.length}: ${known.length} known`
  if (failureClass === 'silent') {
    const intro = 'The call said OK but the effect was wrong, or was lost later (after a cache drop, remount or restart).'
    return `## Silent failures (${count})\n\n${found.length ? [intro, ...parts].join('\n\n') : 'None.'}`
  }
  if (!found.length) return ''
  return `<details><summary>Loud failures (${count}): the call returned an error the user sees</summary>\n\n${parts.join('\n\n')}\n\n</details>`
}

/** Longest `found` quoted in a row of known deviations. */
const FOUND_CLIP = 60

/**
 * Known deviations in rows: silent ones per check id and reason (each is worth reading), with
 * the configs and what the first of them found; loud ones per reason (one matrix `expect`
 * entry, usually), with the configs and the check ids.
 */
function knownTable(found: ReadonlyArray<{ config: ConfigResult; check: CheckResult }>, by: 'check' | 'reason'): string {
  const groups = new Map<string, { check: CheckResult; configs: string[]; ids: string[] }>()
  for (const { config, check } of found) {
    const key = by === 'check' ? `${check.id}\n${check.reason ?? ''}` : check.reason ?? ''
    const group = groups.get(key) ?? { check, configs: [], ids: [] }
    if (!group.configs.includes(config.name)) group.configs.push(config.name)
    if (!group.ids.includes(check.id)) group.ids.push(check.id)
    groups.set(key, group)
  }
  const configsText = (configs: string[]) => `${configs.slice(0, GROUP_NAMES).map(md).join(', ')}${configs.length > GROUP_NAMES ? ` +${configs.length - GROUP_NAMES} more` : ''}`
  if (by === 'reason') {
    const rows = [...groups.values()].map(({ check, configs, ids }) => [md(check.reason || '(no reason given)'), configsText(configs), `${ids.length}: ${idsText(ids)}`])
    return table(['reason', 'configs', 'checks'], rows)
  }
  const rows = [...groups.values()].map(({ check, configs }) => [
    code(check.id), configsText(configs), check.diagnostics ? code(clip(foundText(check.diagnostics))) : '?', md(check.reason ?? ''),
  ])
  return table(['check', 'configs', 'found (first)', 'reason'], rows)
}

function clip(s: string): string {
  return s.length > FOUND_CLIP ? `${s.slice(0, FOUND_CLIP - 1)}…` : s
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
