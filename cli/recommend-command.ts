// `limafs recommend`: which mountType / securityModel / cache to put in lima.yaml, decided from
// a run's measured results (reports/recommend.ts decides; this reads the file and prints).
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { UsageError } from '../provision/errors.ts'
import { environmentResults } from '../reports/merge.ts'
import { CHECK_GROUPS, NEED_ALIASES, NEED_SPECS, NEEDS, needNamed, PROFILES, type Need, type Profile } from '../reports/needs.ts'
import { DEFAULT_NEEDS, recommend, recommendExitCode } from '../reports/recommend.ts'
import { recommendationText } from '../reports/recommend-text.ts'
import { parseAnyResults } from '../reports/results-schema.ts'
import type { Results } from '../reports/types.ts'
import { parse } from './args.ts'
import type { CliEnvironment } from './environment.ts'
import { errorCode, readInputFile, resultsPathOf } from './input-file.ts'
import { RESULTS_FILE } from './output-files.ts'

/** Where `limafs run` puts its output dirs by default (one per run, named by its start time). */
const DEFAULT_RESULTS_PARENT = 'limafs-results'

/** A need's line in the help: its id, what keeping it means, the check ids behind it. */
function needHelp(): string {
  const width = Math.max(...NEEDS.map((n) => n.length)) + 2
  return NEED_SPECS.map(({ need, what }) => {
    const globs = CHECK_GROUPS.filter((g) => g.need === need).map((g) => `${g.checks.join(', ')}${g.except ? ` but ${g.except.join(', ')}` : ''}${g.when ? ` (with ${g.when.join(', ')})` : ''}`)
    const alias = Object.entries(NEED_ALIASES).filter(([, n]) => n === need).map(([a]) => ` (also: ${a})`).join('')
    return wrap(`${need.padEnd(width)}${what}${alias}: ${globs.join('; ')}`, width)
  }).join('\n')
}

function profileHelp(): string {
  const width = Math.max(...PROFILES.map((p) => p.name.length)) + 2
  return PROFILES.map((p) => wrap(`${p.name.padEnd(width)}${p.title}: ${p.needs.join(',')}`, width)).join('\n')
}

/** Two-space indented, continuation lines under the text column, at most ~98 columns. */
function wrap(text: string, indent: number): string {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > 96) {
      lines.push(line)
      line = `${' '.repeat(indent)}${word}`
    } else line = line ? `${line} ${word}` : word
  }
  lines.push(line)
  return lines.map((l) => `  ${l}`).join('\n')
}

export const RECOMMEND_USAGE = `Usage: limafs recommend [--results results.json|OUT] [--profile NAME] [--need ${NEEDS.join(',')}]

Say which mount to put in lima.yaml here (mountType, and 9p's securityModel and cache), from what
a run MEASURED in this environment, and print the lima.yaml lines. Each step quotes the check
ids, with their status and class, that it rests on. When nothing meets every need, it names the
best compromise (fewest needs given up, silent failures weighing more than loud ones) and what it
gives up, and exits 1.

A need is met by a config when every check behind it ran and passed (a TODO that fails still
fails; a skipped check is not a measurement). Needs, and the check ids behind each (globs):
${needHelp()}
Failing checks near a need but not part of it (trusted.*/security.* xattrs, ACLs, empty values;
mmap, inotify, drop_caches) are listed as caveats.

Profiles (--profile NAME), each a set of needs:
${profileHelp()}

Configs that crashed or failed their infrastructure are never recommended. Among the configs
that meet every need: virtiofs when it was measured and meets them, else 9p; securityModel
mapped-xattr first when ownership is needed (then mapped-file, passthrough, none), none first
when it is not; cache mmap, none, loose, fscache (unless speed decides).

Options:
  --results PATH     results.json of a run, or its output dir (default: the newest
                     ./${DEFAULT_RESULTS_PARENT}/*/results.json); a merged one (limafs report merge) too,
                     with --env
  --need LIST        comma-separated needs (default: ${DEFAULT_NEEDS.join(',')});
                     with --profile, added to the profile's
  --profile NAME     the needs of a usage profile (listed above)
  --env LABEL        which environment of a merged results.json to recommend for
  --json             print the recommendation as JSON (every check id it rests on)
  -h, --help         this help

Exit codes: 0 a recommendation, 1 no measured configuration meets the needs (the best
compromise is printed), 64 usage error or an unreadable results.json.`

const options = {
  results: { type: 'string' },
  need: { type: 'string' },
  profile: { type: 'string' },
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
  const profile = profileOption(values.profile)
  const needs = needsOption(values.need, profile)
  const file = await resultsFile(values.results)
  const results = selectEnvironment(parseAnyResults(await readInputFile(file, 'a results.json written by limafs run, limafs report or limafs report merge'), file), file, values.env)
  const rec = recommend(results, { needs })
  const code = recommendExitCode(rec)
  process.stdout.write(values.json ? `${JSON.stringify({ source: file, ...(profile ? { profile: profile.name } : {}), ...rec, exitCode: code }, null, 2)}\n` : recommendationText(rec, { source: file, ...(profile ? { profile } : {}) }))
  return code
}

function profileOption(value: string | undefined): Profile | undefined {
  if (value === undefined) return undefined
  const profile = PROFILES.find((p) => p.name === value)
  if (!profile) throw new UsageError(`--profile: unknown profile ${JSON.stringify(value)}; choose from ${PROFILES.map((p) => p.name).join(', ')}`)
  return profile
}

/** --need's needs (earlier names taken too), added to the profile's; the defaults when neither is given. */
function needsOption(value: string | undefined, profile: Profile | undefined): Need[] {
  if (value === undefined) return [...(profile?.needs ?? DEFAULT_NEEDS)]
  const asked = value.split(',').map((n) => n.trim()).filter(Boolean)
  const unknown = asked.filter((n) => needNamed(n) === undefined)
  if (unknown.length || !asked.length) {
    throw new UsageError(`--need: ${unknown.length ? `unknown need${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => JSON.stringify(n)).join(', ')}` : 'empty'}; choose from ${NEEDS.join(',')}`)
  }
  return [...new Set([...(profile?.needs ?? []), ...asked.map((n) => needNamed(n)!)])]
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
