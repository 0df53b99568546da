// `limafs report merge A B ... --out DIR`: several runs' results.json side by side, one
// environment each (reports/merge.ts merges; this reads the files and writes DIR's reports).
import { appendFile, mkdir } from 'node:fs/promises'
import { UsageError } from '../provision/errors.ts'
import { reportHtml } from '../reports/html/report-html.ts'
import { mergeResults } from '../reports/merge.ts'
import { mergedSummaryMarkdown } from '../reports/merged-summary-markdown.ts'
import { mergedResultsJson } from '../reports/results-json.ts'
import type { MergedResults } from '../reports/types.ts'
import { parse } from './args.ts'
import type { CliEnvironment } from './environment.ts'
import { readInputFile, resultsPathOf } from './input-file.ts'
import { HTML_FILE, RESULTS_FILE, writeOutputs } from './output-files.ts'

export const REPORT_MERGE_USAGE = `Usage: limafs report merge A B ... --out DIR [--label A=LABEL ...]

Merge the results of several runs (jobs on other macOS versions, Lima or QEMU versions, hosts)
into one, each run an "environment" side by side. A and B are results.json files or the output
dirs that hold them; a merged results.json can be merged again (its environments are kept).
Each environment is labelled from its run's environment (host OS, Lima version, QEMU version;
the guest kernel or the start time when two would read the same), or as given with --label.
Writes:
  DIR/results.json   the merge: schema "limafs-merged-results" version 1, with resultsVersion
                     (the results.json version of every source) and environments: per
                     environment its label, source file, and the run's results as
                     results.json has them (environment, matrix, configs and their checks)
  DIR/summary.md     the environments, a config x environment matrix, the checks whose outcome
                     differs between environments, silent failures and where, coherence, bench
  DIR/report.html    the heat map with the environments side by side (and all the rest)
and appends summary.md to $GITHUB_STEP_SUMMARY when that is set. \`limafs report DIR\` writes
summary.md and report.html again; \`limafs recommend --results DIR --env LABEL\` reads one
environment; \`limafs gate\` compares single runs only, not merges.

Options:
  --out DIR          where to write (made if missing)
  --label A=LABEL    the label of source A (as given on the command line); repeatable; labels
                     must be unique
  -h, --help         this help

Exit codes: 0 written, 64 usage error, an unreadable results.json, or sources of different
results schema versions (every file and its version is named).`

const options = {
  out: { type: 'string' },
  label: { type: 'string', multiple: true },
} as const

export async function reportMergeCommand(argv: string[], env: CliEnvironment): Promise<number> {
  const { values, positionals } = parse(argv, options, REPORT_MERGE_USAGE)
  if (values.help) {
    process.stdout.write(`${REPORT_MERGE_USAGE}\n`)
    return 0
  }
  if (!positionals.length) throw new UsageError(`report merge needs the results.json files to merge\n\n${REPORT_MERGE_USAGE}`)
  if (!values.out) throw new UsageError(`report merge needs --out DIR\n\n${REPORT_MERGE_USAGE}`)
  const given = [...new Set(positionals)]
  if (given.length !== positionals.length) throw new UsageError(`report merge: a file is named twice (${positionals.filter((p, i) => positionals.indexOf(p) !== i).join(', ')})`)
  const files = await Promise.all(given.map(resultsPathOf))
  const labels = labelOptions(values.label ?? [], given, files)
  const sources = await Promise.all(files.map(async (file) => ({ source: file, text: await readInputFile(file, 'a results.json written by limafs run, limafs report or limafs report merge') })))
  const merged = mergeResults(sources, { labels })
  await mkdir(values.out, { recursive: true })
  const written = await writeMergedReports(values.out, merged, env, { withResults: true })
  process.stdout.write(
    `merged ${merged.environments.length} environments: ${merged.environments.map((e) => `${JSON.stringify(e.label)} (${e.source})`).join(', ')}\n` +
      written.map((f) => `wrote ${f}\n`).join('') +
      (env.githubStepSummary ? `appended summary.md to ${env.githubStepSummary}\n` : ''),
  )
  return 0
}

/** Writes a merge's reports into outDir (`limafs report merge`, and `limafs report` on its output dir). */
export async function writeMergedReports(
  outDir: string, merged: MergedResults, env: Pick<CliEnvironment, 'githubStepSummary'>, { withResults }: { withResults: boolean },
): Promise<string[]> {
  const summary = mergedSummaryMarkdown(merged)
  const files = await writeOutputs(outDir, [
    ...(withResults ? [[RESULTS_FILE, mergedResultsJson(merged)] as [string, string]] : []),
    ['summary.md', summary],
    [HTML_FILE, reportHtml(merged)],
  ])
  if (env.githubStepSummary) await appendFile(env.githubStepSummary, summary)
  return files
}

/** --label A=LABEL, by source file; A is a positional as given (or the results.json it stands for). */
function labelOptions(options: readonly string[], given: readonly string[], files: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {}
  for (const option of options) {
    const eq = option.indexOf('=')
    const key = eq < 0 ? '' : option.slice(0, eq)
    const label = eq < 0 ? '' : option.slice(eq + 1).trim()
    if (!key || !label) throw new UsageError(`--label ${JSON.stringify(option)}: expected SOURCE=LABEL, e.g. --label ${given[0] ?? 'a/results.json'}=macos-14`)
    const i = given.indexOf(key) >= 0 ? given.indexOf(key) : files.indexOf(key)
    if (i < 0) throw new UsageError(`--label ${JSON.stringify(option)}: ${key} is not one of the files to merge (${given.join(', ')})`)
    if (labels[files[i]!] !== undefined) throw new UsageError(`--label: ${key} is labelled twice`)
    labels[files[i]!] = label
  }
  return labels
}
