// `limafs recommend`: which mountType / securityModel / cache to put in lima.yaml, decided from
// a run's measured results (reports/recommend.ts decides; this reads the file and prints).
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { UsageError } from '../provision/errors.ts'
import { environmentResults } from '../reports/merge.ts'
import { DEFAULT_NEEDS, NEEDS, recommend, recommendExitCode, type Need } from '../reports/recommend.ts'
import { recommendationText } from '../reports/recommend-text.ts'
import { parseAnyResults } from '../reports/results-schema.ts'
import type { Results } from '../reports/types.ts'
import { parse } from './args.ts'
import type { CliEnvironment } from './environment.ts'
import { errorCode, readInputFile, resultsPathOf } from './input-file.ts'
import { RESULTS_FILE } from './output-files.ts'

/** Where `limafs run` puts its output dirs by default (one per run, named by its start time). */
const DEFAULT_RESULTS_PARENT = 'limafs-results'

export const RECOMMEND_USAGE = `Usage: limafs recommend [--results results.json|OUT] [--need ${NEEDS.join(',')}]

Say which mount to put in lima.yaml here (mountType, and 9p's securityModel and cache), from what
a run MEASURED in this environment, and print the lima.yaml lines. Each step quotes the check
ids, with their status and class, that it rests on.

A need is met by a config when every check behind it ran and passed (a TODO that fails still
fails; a skipped check is not a measurement):
  chown        guest chown/chgrp works, shows at once, lasts (drop_caches, remount, restart): chown/*
  symlinks     guest symlinks work and are real symlinks on the host; host symlinks read in the
               guest: symlink/* (with chown: chown -h on symlinks too)
  xattrs       user.* xattrs round-trip and last: xattr/* but trusted.*, security.*, ACLs and
               empty values (listed as caveats when they fail)
  host-edits   host changes seen in the guest within the window, by path and by an open
               descriptor; guest writes seen on the host: coherence/host-*/visible,
               coherence/host-*/open-fd, coherence/guest-write-*/host-sees
  speed        the fastest by the bench suite's ratios to tmpfs, among the configs that meet
               the other needs (needs a run with suites: [bench])
Configs that crashed or failed their infrastructure are never recommended. Among the configs
that meet every need: virtiofs when it was measured and meets them, else 9p; securityModel
mapped-xattr first when ownership is needed (then mapped-file, passthrough, none), none first
when it is not; cache mmap, none, loose, fscache (unless speed decides).

Options:
  --results PATH     results.json of a run, or its output dir (default: the newest
                     ./${DEFAULT_RESULTS_PARENT}/*/results.json); a merged one (limafs report merge) too,
                     with --env
  --need LIST        comma-separated (default: ${DEFAULT_NEEDS.join(',')})
  --env LABEL        which environment of a merged results.json to recommend for
  --json             print the recommendation as JSON (every check id it rests on)
  -h, --help         this help

Exit codes: 0 a recommendation, 1 no measured configuration meets the needs, 64 usage error or
an unreadable results.json.`

const options = {
  results: { type: 'string' },
  need: { type: 'string' },
  env: { type: 'string' },
  json: { type: 'boolean' },
} as const

export async function recommendCommand(argv: string[], _env: CliEnvironment): Promise<number> {
  const { values, positionals } = parse(argv, options, RECOMMEND_USAGE)
  if (values.help) {
    process.stdout.write(`${RECOMMEND_USAGE}\n`)
    return 0
  }
  if (positionals.length) throw new UsageError(`recommend takes no positional arguments (got ${positionals.join(' ')}); the results go with --results\n\n${RECOMMEND_USAGE}`)
  const needs = needsOption(values.need)
  const file = await resultsFile(values.results)
  const results = selectEnvironment(parseAnyResults(await readInputFile(file, 'a results.json written by limafs run, limafs report or limafs report merge'), file), file, values.env)
  const rec = recommend(results, { needs })
  const code = recommendExitCode(rec)
  process.stdout.write(values.json ? `${JSON.stringify({ source: file, ...rec, exitCode: code }, null, 2)}\n` : recommendationText(rec, { source: file }))
  return code
}

function needsOption(value: string | undefined): Need[] {
  if (value === undefined) return [...DEFAULT_NEEDS]
  const asked = value.split(',').map((n) => n.trim()).filter(Boolean)
  const unknown = asked.filter((n) => !(NEEDS as readonly string[]).includes(n))
  if (unknown.length || !asked.length) {
    throw new UsageError(`--need: ${unknown.length ? `unknown need${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => JSON.stringify(n)).join(', ')}` : 'empty'}; choose from ${NEEDS.join(',')}`)
  }
  return asked as Need[]
}

/** The results file: the one given (a file, or an output dir), else the newest run's. */
async function resultsFile(given: string | undefined): Promise<string> {
  if (given !== undefined) return resultsPathOf(given)
  let runs: string[]
  try {
    runs = await readdir(DEFAULT_RESULTS_PARENT)
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw new UsageError(`${DEFAULT_RESULTS_PARENT}: ${(err as Error).message}`)
    runs = []
  }
  // Output dirs are named by their ISO start time: the last in sort order is the newest.
  for (const run of runs.sort().reverse()) {
    const file = join(DEFAULT_RESULTS_PARENT, run, RESULTS_FILE)
    if (await isFile(file)) return file
  }
  throw new UsageError(`no --results given and no ./${DEFAULT_RESULTS_PARENT}/*/${RESULTS_FILE} here: run \`limafs run\` first, or name a results.json with --results\n\n${RECOMMEND_USAGE}`)
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch (err) {
    if (errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR') return false
    throw new UsageError(`${path}: ${(err as Error).message}`)
  }
}

/** One run's results: the file itself, or the environment --env names in a merged file. */
function selectEnvironment(parsed: ReturnType<typeof parseAnyResults>, file: string, label: string | undefined): Results {
  if (parsed.schema !== 'limafs-merged-results') {
    if (label !== undefined) throw new UsageError(`--env ${JSON.stringify(label)}: ${file} holds one run, not a merge; leave --env out`)
    return parsed
  }
  const labels = parsed.environments.map((e) => e.label)
  if (label === undefined) {
    if (labels.length === 1) return environmentResults(parsed, labels[0]!)
    throw new UsageError(`${file} merges ${labels.length} environments; say which with --env: ${labels.map((l) => JSON.stringify(l)).join(', ')}`)
  }
  if (!labels.includes(label)) throw new UsageError(`--env ${JSON.stringify(label)}: not in ${file}; its environments: ${labels.map((l) => JSON.stringify(l)).join(', ')}`)
  return environmentResults(parsed, label)
}
