// `limafs report merge`: several runs' results.json (macOS versions, Lima or QEMU versions,
// hosts) into one MergedResults, each run an "environment" under a unique label. A merged
// file merges again (its environments are taken as they are). Sources of different results
// schema versions are refused, every file and its version named.
import { parseAnyResults } from './results-schema.ts'
import { ResultsFileError } from './results-file-error.ts'
import {
  MERGED_RESULTS_SCHEMA, MERGED_RESULTS_VERSION, RESULTS_SCHEMA, RESULTS_VERSION,
  type Environment, type MergedEnvironment, type MergedResults, type Results,
} from './types.ts'

export interface MergeSource {
  /** The path as the user gave it (also what --label names). */
  source: string
  text: string
}

export interface MergeOptions {
  /** Labels by source, as given with --label SOURCE=LABEL. */
  labels?: Readonly<Record<string, string>>
}

/** A source file's header, before it is read in full: which schema, which results version. */
interface SourceHeader {
  source: string
  schema: string
  /** The version of the results model inside (a merged file's resultsVersion). */
  resultsVersion: unknown
  /** "limafs-results version 1", "limafs-merged-results version 1 (results version 1)". */
  describe: string
}

export function mergeResults(sources: readonly MergeSource[], { labels = {} }: MergeOptions = {}): MergedResults {
  if (!sources.length) throw new ResultsFileError('nothing to merge: name at least one results.json', '')
  const unknownLabels = Object.keys(labels).filter((key) => !sources.some((s) => s.source === key))
  if (unknownLabels.length) {
    throw new ResultsFileError(`--label ${unknownLabels.map((k) => JSON.stringify(k)).join(', ')}: not among the files to merge (${sources.map((s) => s.source).join(', ')})`, unknownLabels[0]!)
  }
  checkSameVersion(sources.map(headerOf))
  const environments: MergedEnvironment[] = []
  const given = new Set<MergedEnvironment>()
  for (const { source, text } of sources) {
    const parsed = parseAnyResults(text, source)
    if (parsed.schema === MERGED_RESULTS_SCHEMA) {
      if (labels[source] !== undefined && parsed.environments.length !== 1) {
        throw new ResultsFileError(`--label ${source}=...: ${source} is a merge of ${parsed.environments.length} environments; a label names one run`, source)
      }
      for (const env of parsed.environments) {
        const merged = { ...env, ...(labels[source] === undefined ? {} : { label: labels[source] }) }
        environments.push(merged)
        given.add(merged)
      }
      continue
    }
    const { schema: _schema, version: _version, ...run } = parsed
    const env: MergedEnvironment = { label: labels[source] ?? environmentLabel(run.environment, source), source, ...run }
    if (labels[source] !== undefined) given.add(env)
    environments.push(env)
  }
  uniqueLabels(environments, given)
  return { schema: MERGED_RESULTS_SCHEMA, version: MERGED_RESULTS_VERSION, resultsVersion: RESULTS_VERSION, environments }
}

/** One environment of a merge as the results of a run (for recommend, or a one-run report). */
export function environmentResults(merged: MergedResults, label: string): Results {
  const env = merged.environments.find((e) => e.label === label)
  if (!env) throw new ResultsFileError(`no environment ${JSON.stringify(label)} in this merge`, label)
  const { label: _label, source: _source, ...run } = env
  return { schema: RESULTS_SCHEMA, version: RESULTS_VERSION, ...run }
}

/** "Darwin 24.5.0 arm64 · Lima 2.2.0 · QEMU 10.0.2": what tells runs apart, from their environment. */
export function environmentLabel(env: Environment, source: string): string {
  const parts = [
    env.hostOs,
    env.limaVersion && `Lima ${env.limaVersion}`,
    env.qemuVersion && `QEMU ${String(env.qemuVersion).split(' ')[0]}`,
  ].filter((p): p is string => typeof p === 'string' && p !== '')
  return parts.join(' · ') || source
}

/** Labels made unique: given ones must be; derived ones that clash get the guest kernel, then the start time, then #N. */
function uniqueLabels(environments: MergedEnvironment[], given: ReadonlySet<MergedEnvironment>): void {
  const explicit = environments.filter((e) => given.has(e))
  for (const [i, env] of explicit.entries()) {
    const twin = explicit.slice(0, i).find((e) => e.label === env.label)
    if (twin) throw new ResultsFileError(`two environments are labelled ${JSON.stringify(env.label)} (${twin.source} and ${env.source}): labels must be unique`, env.source)
  }
  const derived = environments.filter((e) => !given.has(e))
  const refinements = [
    (e: MergedEnvironment) => (e.environment.guestKernel ? `${e.label} · guest ${e.environment.guestKernel}` : e.label),
    (e: MergedEnvironment) => `${e.label} · ${e.startedAt}`,
  ]
  for (const refine of refinements) {
    const clashing = derived.filter((e) => environments.some((other) => other !== e && other.label === e.label))
    if (!clashing.length) return
    for (const e of clashing) e.label = refine(e)
  }
  const seen = new Map(explicit.map((e) => [e.label, 1]))
  for (const e of derived) {
    const n = seen.get(e.label) ?? 0
    seen.set(e.label, n + 1)
    if (n) e.label = `${e.label} #${n + 1}`
  }
}

function headerOf({ source, text }: MergeSource): SourceHeader {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    // Not JSON: parseAnyResults reports it, with line and column, when the file is read in full.
    return { source, schema: RESULTS_SCHEMA, resultsVersion: RESULTS_VERSION, describe: '' }
  }
  const header = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : {}
  const schema = typeof header.schema === 'string' ? header.schema : '?'
  if (schema === MERGED_RESULTS_SCHEMA) {
    return { source, schema, resultsVersion: header.resultsVersion, describe: `${schema} version ${String(header.version)} (results version ${String(header.resultsVersion)})` }
  }
  return { source, schema, resultsVersion: header.version, describe: `${schema} version ${String(header.version)}` }
}

function checkSameVersion(headers: readonly SourceHeader[]): void {
  const known = headers.filter((h) => h.describe && (h.schema === RESULTS_SCHEMA || h.schema === MERGED_RESULTS_SCHEMA))
  const versions = new Set(known.map((h) => String(h.resultsVersion)))
  if (versions.size <= 1) return
  const first = known.find((h) => String(h.resultsVersion) !== String(known[0]!.resultsVersion))!
  throw new ResultsFileError(
    'cannot merge results of different schema versions:\n' +
      known.map((h) => `  ${h.source}: ${h.describe}`).join('\n') +
      `\nthis limafs reads results version ${RESULTS_VERSION}: rebuild the others from their TAP with the same limafs (\`limafs report OUT\`), then merge them`,
    first.source,
  )
}
