// summary.md of a merged result: the environments side by side. The verdicts first, security
// findings, what each one is, a config x environment matrix, the checks whose outcome differs
// between environments (what an upgrade or another host changes), silent failures with where
// they happen, then per environment its answer (what each config keeps), coherence and bench.
import { answerOf } from './answer.ts'
import { ENVIRONMENT_ROWS, scalar } from './environment-fields.ts'
import { stateLabel, stateOf } from './gate.ts'
import { answerSection, benchSection, code, coherenceSection, countsText, md, securitySection, table } from './summary-markdown.ts'
import type { CheckResult, ConfigResult, MergedEnvironment, MergedResults } from './types.ts'
import { isKnown, runVerdictCounts, verdictCounts, verdictCountsText, verdictOf } from './verdicts.ts'

export function mergedSummaryMarkdown(merged: MergedResults): string {
  const envs = merged.environments
  const sections = [
    title(merged),
    ...envs.map((env) => securitySection(env.configs, `## Security findings: ${md(env.label)}`)),
    environmentsSection(envs),
    matrixSection(envs),
    differencesSection(envs),
    silentSection(envs),
    crashedSection(envs),
    ...envs.map((env) => answerSection(answerOf(env), `## What each configuration keeps: ${md(env.label)}`)),
    ...envs.map((env) => coherenceSection(env.configs, `## Cache coherence: ${md(env.label)}`)),
    ...envs.map((env) => benchSection(env.configs, `## Bench: ${md(env.label)}`)),
  ]
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`
}

function title(merged: MergedResults): string {
  const envs = merged.environments
  const total = runVerdictCounts(envs.flatMap((e) => e.configs))
  const lines = [`# limafs: ${verdictCountsText(total, { zeros: true })} · ${envs.length} environment${envs.length === 1 ? '' : 's'} side by side`]
  const incomplete = envs.filter((e) => !e.complete)
  if (incomplete.length) lines.push('', `> **Runs that did not complete:** ${incomplete.map((e) => md(e.label)).join(', ')} (configs they never reached are missing).`)
  return lines.join('\n')
}

function environmentsSection(envs: readonly MergedEnvironment[]): string {
  const keys = [
    ...ENVIRONMENT_ROWS.filter(([k]) => envs.some((e) => scalar(e.environment[k]) !== undefined)),
    ...[...new Set(envs.flatMap((e) => Object.keys(e.environment)))]
      .filter((k) => !ENVIRONMENT_ROWS.some(([known]) => known === k) && envs.some((e) => scalar(e.environment[k]) !== undefined))
      .map((k): [string, string] => [k, k]),
  ]
  const rows = [
    ['source', ...envs.map((e) => code(e.source))],
    ['run', ...envs.map((e) => md(`${e.startedAt} to ${e.finishedAt}${e.complete ? '' : ' (did not complete)'}`))],
    ...keys.map(([k, label]) => [md(label), ...envs.map((e) => md(scalar(e.environment[k]) ?? '–'))]),
  ]
  return `## Environments\n\n${table(['', ...envs.map((e) => md(e.label))], rows)}`
}

/** Config names in the order first met across environments. */
function configNames(envs: readonly MergedEnvironment[]): string[] {
  const names: string[] = []
  for (const env of envs) for (const c of env.configs) if (!names.includes(c.name)) names.push(c.name)
  return names
}

function matrixSection(envs: readonly MergedEnvironment[]): string {
  const names = configNames(envs)
  if (!names.length) return '## Matrix\n\nNo configuration ran.'
  const rows = names.map((name) => [md(name), ...envs.map((env) => {
    const config = env.configs.find((c) => c.name === name)
    if (!config) return 'not run'
    const counts = countsText(verdictCounts(config.checks), { zeros: false })
    return config.status === 'completed' ? counts : `**${config.status}**${config.status === 'crashed' ? ` · ${counts}` : ''}`
  })])
  return `## Matrix\n\n${table(['config', ...envs.map((e) => md(e.label))], rows)}`
}

/** The outcome of one check in one environment, as the gate names it; '–' when absent. */
function outcome(config: ConfigResult | undefined, id: string): string {
  const check = config?.checks.find((c) => c.id === id)
  if (!config) return 'not run'
  if (!check) return config.status === 'infra-failed' ? 'infra-failed' : '–'
  return stateLabel(stateOf(check))
}

function differencesSection(envs: readonly MergedEnvironment[]): string {
  if (envs.length < 2) return ''
  const rows: string[][] = []
  for (const name of configNames(envs)) {
    const configs = envs.map((env) => env.configs.find((c) => c.name === name))
    const ids: string[] = []
    for (const config of configs) for (const check of config?.checks ?? []) if (!ids.includes(check.id)) ids.push(check.id)
    for (const id of ids) {
      const outcomes = configs.map((config) => outcome(config, id))
      // What was measured where it ran: a check another environment never ran (another suite
      // list) is no difference, nor is a TODO mark (another matrix) on the same verdict.
      const verdicts = configs.flatMap((config) => {
        const check = config?.checks.find((c) => c.id === id)
        return check ? [verdictOf(check)] : []
      })
      if (new Set(verdicts).size > 1) rows.push([md(name), code(id), ...outcomes.map((o) => (o.includes('silent') ? `**${md(o)}**` : md(o)))])
    }
  }
  const heading = `## Checks that differ between environments (${rows.length})`
  if (!rows.length) return `${heading}\n\nNone: every check has the same outcome everywhere it ran.`
  return `${heading}\n\nChecks whose measured verdict (ok, loud, silent, skip, crashed; a TODO mark aside) differs between the environments that ran them (–: not run there).\n\n${table(['config', 'check', ...envs.map((e) => md(e.label))], rows)}`
}

function silentSection(envs: readonly MergedEnvironment[]): string {
  const where = new Map<string, { config: string; check: CheckResult; labels: string[] }>()
  for (const env of envs) {
    for (const config of env.configs) {
      for (const check of config.checks) {
        if (verdictOf(check) !== 'silent') continue
        const key = `${config.name}\n${check.id}`
        const seen = where.get(key) ?? { config: config.name, check, labels: [] }
        seen.labels.push(env.label)
        where.set(key, seen)
      }
    }
  }
  const rows = [...where.values()].map(({ config, check, labels }) => [
    md(config), code(check.id), labels.length === envs.length ? 'all' : labels.map(md).join(', '), code(check.diagnostics?.found ?? '?'), isKnown(check) ? 'yes' : '**no**',
  ])
  const known = [...where.values()].filter((w) => isKnown(w.check)).length
  const heading = `## Silent failures (${rows.length}: ${known} known)`
  if (!rows.length) return `${heading}\n\nNone, in any environment.`
  return `${heading}\n\nThe call said OK but the effect was wrong, or was lost later, known deviation (TODO) or not. Found and known: as in the first environment listed.\n\n${table(['config', 'check', 'environments', 'found', 'known deviation'], rows)}`
}

function crashedSection(envs: readonly MergedEnvironment[]): string {
  const items = envs.flatMap((env) => env.configs.filter((c) => c.status !== 'completed').map((config) =>
    `- **${md(config.name)}** in ${md(env.label)}: ${config.status}${config.error ? `: ${md(config.error)}` : ''}`))
  return `## Crashed / infrastructure\n\n${items.length ? items.join('\n') : 'None.'}`
}
