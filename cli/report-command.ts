// `limafs report OUT`: rebuild OUT/results.json, OUT/junit.xml, OUT/summary.md and
// OUT/report.html from OUT/run.json and the agent's TAP in OUT/tap/ (or, for the output dir of
// `limafs report merge`, summary.md and report.html from its results.json). `limafs report
// merge` lives in report-merge-command.ts. The I/O around reports/, which is pure.
import { appendFile, readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { buildResults } from '../reports/build-results.ts'
import { reportHtml } from '../reports/html/report-html.ts'
import { junitXml } from '../reports/junit.ts'
import { resultsJson } from '../reports/results-json.ts'
import { parseAnyResults, parseRunRecord } from '../reports/results-schema.ts'
import { summaryMarkdown } from '../reports/summary-markdown.ts'
import type { MergedResults, Results, RunRecord } from '../reports/types.ts'
import { UsageError } from '../provision/errors.ts'
import { parse } from './args.ts'
import type { CliEnvironment } from './environment.ts'
import { errorCode, isDirectory, readInputFile } from './input-file.ts'
import { HTML_FILE, RESULTS_FILE, writeOutputs } from './output-files.ts'
import { reportMergeCommand, writeMergedReports } from './report-merge-command.ts'
import { runSummaryLine } from './run-progress.ts'

export const REPORT_USAGE = `Usage: limafs report OUT
       limafs report merge A B ... --out DIR [--label A=LABEL ...]   (see: limafs report merge --help)

Rebuild the reports of a run from what it saved in OUT: its run record (OUT/run.json) and the
agent's TAP (OUT/tap/<config>.tap, as listed in run.json). Writes:
  OUT/results.json   the results model (versioned; read by \`limafs gate\` and \`limafs recommend\`)
  OUT/junit.xml      one testsuite per config; TODO and SKIP as skipped, crashes as errors
  OUT/summary.md     the verdict counts first (silent and loud failures, known or not),
                     security findings, what each config keeps of what users need and
                     which to use per profile, config x suite matrix, cache coherence (how
                     soon host edits show), bench ratios, failures, crashes, environment
  OUT/report.html    one self-contained page: the same verdict, security findings and
                     answer, a heat map of checks x configs (each cell's verdict, known
                     deviations marked; click a cell for its diagnostics), coherence
                     latencies, bench bars, failures, environment
and appends summary.md to $GITHUB_STEP_SUMMARY when that is set.
When OUT is the output dir of \`limafs report merge\` (a merged results.json, no run.json),
its summary.md and report.html are written again from its results.json.

Options:
  -h, --help         this help`

const RUN_FILE = 'run.json'
export const TAP_DIR = 'tap'

export interface WrittenReports {
  results: Results
  /** The files written, as paths under the output dir. */
  files: string[]
  /** TAP files in OUT/tap that run.json does not list: not part of the results. */
  unlisted: string[]
}

/** Builds the results of a run and writes its reports into outDir (`limafs run` calls this too). */
export async function writeReports(outDir: string, run: RunRecord, env: Pick<CliEnvironment, 'githubStepSummary'>): Promise<WrittenReports> {
  const tap = await readTapFiles(outDir, run)
  const results = buildResults(run, (file) => tap.get(file))
  const summary = summaryMarkdown(results)
  const files = await writeOutputs(outDir, [
    [RESULTS_FILE, resultsJson(results)],
    ['junit.xml', junitXml(results)],
    ['summary.md', summary],
    [HTML_FILE, reportHtml(results)],
  ])
  if (env.githubStepSummary) await appendFile(env.githubStepSummary, summary)
  return { results, files, unlisted: await unlistedTapFiles(outDir, run) }
}

export async function reportCommand(argv: string[], env: CliEnvironment): Promise<number> {
  if (argv[0] === 'merge') return reportMergeCommand(argv.slice(1), env)
  const { values, positionals } = parse(argv, {}, REPORT_USAGE)
  if (values.help) {
    process.stdout.write(`${REPORT_USAGE}\n`)
    return 0
  }
  const outDir = positionals[0]
  if (!outDir || positionals.length > 1) throw new UsageError(`report needs exactly one output directory\n\n${REPORT_USAGE}`)
  if (!(await isDirectory(outDir))) throw new UsageError(`${outDir}: no such directory (expected the output dir of a limafs run)`)
  const runFile = join(outDir, RUN_FILE)
  const merged = await mergedResultsIn(outDir, runFile)
  if (merged) {
    const files = await writeMergedReports(outDir, merged, env, { withResults: false })
    process.stdout.write(
      `${merged.environments.length} environments (a merge): ${files.map((f) => `wrote ${f}`).join(', ')}\n` +
        (env.githubStepSummary ? `appended summary.md to ${env.githubStepSummary}\n` : ''),
    )
    return 0
  }
  const run = parseRunRecord(await readInputFile(runFile, 'the run record a limafs run writes into its output dir'), runFile)
  const { results, files, unlisted } = await writeReports(outDir, run, env)
  for (const file of unlisted) process.stderr.write(`limafs: ${join(outDir, TAP_DIR, file)} is not listed in ${runFile}; left out\n`)
  process.stdout.write(
    `${runSummaryLine(results)}\n` +
      files.map((f) => `wrote ${f}\n`).join('') +
      (env.githubStepSummary ? `appended summary.md to ${env.githubStepSummary}\n` : ''),
  )
  return 0
}

/** The merge in OUT/results.json when OUT is a `limafs report merge` output dir (no run.json), else undefined. */
async function mergedResultsIn(outDir: string, runFile: string): Promise<MergedResults | undefined> {
  const resultsFile = join(outDir, RESULTS_FILE)
  let text: string
  try {
    await stat(runFile)
    return undefined
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') return undefined // reading run.json again below says what is wrong
  }
  try {
    text = await readFile(resultsFile, 'utf8')
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined // no run.json, no results.json: the run.json error below
    throw new UsageError(`${resultsFile}: cannot read it: ${(err as Error).message}`)
  }
  const parsed = parseAnyResults(text, resultsFile)
  return parsed.schema === 'limafs-merged-results' ? parsed : undefined
}

/** The TAP text of every file run.json lists; a missing one is left out (a crashed config may have none). */
async function readTapFiles(outDir: string, run: RunRecord): Promise<Map<string, string>> {
  const texts = new Map<string, string>()
  for (const file of new Set(run.configs.flatMap((c) => c.tapFiles))) {
    try {
      texts.set(file, await readFile(join(outDir, file), 'utf8'))
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') throw new UsageError(`${join(outDir, file)}: cannot read it: ${(err as Error).message}`)
    }
  }
  return texts
}

async function unlistedTapFiles(outDir: string, run: RunRecord): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(join(outDir, TAP_DIR))
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return []
    throw err
  }
  const listed = new Set(run.configs.flatMap((c) => c.tapFiles).map((f) => f.replace(/^\.\//, '')))
  return names.filter((n) => n.endsWith('.tap') && !listed.has(`${TAP_DIR}/${n}`)).sort()
}
