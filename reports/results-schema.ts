// The schemas of results.json and run.json, checked where they are read back (`limafs report`,
// `gate`): every way a file can be wrong becomes ONE message naming the file and what to do.
import { z } from 'zod'
import { STAGES, type BenchFigures } from '../agent/diagnostics.ts'
import { jsonErrorOffset, positionOf } from './json-position.ts'
import { ResultsFileError } from './results-file-error.ts'
import {
  MERGED_RESULTS_SCHEMA, MERGED_RESULTS_VERSION, RESULTS_SCHEMA, RESULTS_VERSION, RUN_SCHEMA, RUN_VERSION,
  type CheckResult, type MergedResults, type Results, type RunRecord,
} from './types.ts'

/** At most this many malformed fields are listed; the rest are counted. */
const MAX_LISTED_ISSUES = 10

const FailureClassSchema = z.enum(['loud', 'silent'])

const HostTruthSchema = z.looseObject({
  path: z.string(),
  exists: z.boolean(),
  type: z.enum(['file', 'dir', 'symlink', 'fifo', 'socket', 'char', 'block', 'other']).optional(),
  uid: z.number().optional(),
  gid: z.number().optional(),
  mode: z.string().optional(),
  size: z.number().optional(),
  xattrs: z.record(z.string(), z.string()).optional(),
  virtfs: z.looseObject({
    uid: z.number().optional(),
    gid: z.number().optional(),
    mode: z.string().optional(),
    rdev: z.number().optional(),
  }).optional(),
  virtfsMetadata: z.record(z.string(), z.string()).optional(),
  symlinkTarget: z.string().optional(),
  error: z.string().optional(),
})

/** Bench figures (agent/diagnostics.ts BenchFigures): ratio and baselineOpsPerSec are absent without a tmpfs baseline. */
const BenchFiguresSchema = z.looseObject({
  workload: z.string(),
  ops: z.number(),
  opsPerSec: z.number(),
  p50Ms: z.number(),
  p99Ms: z.number(),
  repeats: z.looseObject({ min: z.number(), median: z.number(), max: z.number(), n: z.number() }),
  ratio: z.number().optional(),
  baselineOpsPerSec: z.number().optional(),
  phasesMs: z.record(z.string(), z.number()).optional(),
}) satisfies z.ZodType<BenchFigures>

/**
 * The known fields of a point's diagnostics, one schema each: the TAP reader keeps a field only
 * when it fits (else under `malformed`), so what it writes always reads back.
 */
export const DIAGNOSTICS_FIELDS = {
  op: z.string(),
  args: z.array(z.union([z.string(), z.number()])),
  wanted: z.string(),
  found: z.string(),
  errno: z.string(),
  stage: z.enum(STAGES),
  class: FailureClassSchema,
  host: HostTruthSchema,
  latencyMs: z.number(),
  bench: BenchFiguresSchema,
  security: z.string(),
  note: z.string(),
} as const

const DiagnosticsSchema = z.looseObject(DIAGNOSTICS_FIELDS).partial()

const CheckSchema: z.ZodType<CheckResult> = z.object({
  id: z.string().min(1),
  suite: z.string(),
  status: z.enum(['ok', 'fail', 'todo', 'skip', 'crashed']),
  class: FailureClassSchema.optional(),
  reason: z.string().optional(),
  diagnostics: DiagnosticsSchema.optional(),
  todoPassed: z.boolean().optional(),
  cutOff: z.boolean().optional(),
})

const count = z.number().int().min(0)
const ConfigStatusSchema = z.enum(['completed', 'crashed', 'infra-failed'])

const MatrixSchema = z.object({
  suites: z.array(z.string()),
  configs: z.array(z.string()),
  file: z.string().optional(),
})

const EnvironmentSchema = z.looseObject({
  hostOs: z.string().optional(),
  backend: z.string().optional(),
  qemuVersion: z.string().optional(),
  qemuUid: z.number().optional(),
  accelerator: z.string().optional(),
  guestKernel: z.string().optional(),
  guestNode: z.string().optional(),
  limaVersion: z.string().optional(),
  mountinfo: z.record(z.string(), z.string()).optional(),
})

const PhaseSchema = z.object({ name: z.string(), seconds: z.number() })

const RunResultsFields = {
  startedAt: z.string(),
  finishedAt: z.string(),
  complete: z.boolean(),
  matrix: MatrixSchema,
  environment: EnvironmentSchema,
  configs: z.array(z.object({
    name: z.string().min(1),
    config: z.record(z.string(), z.unknown()),
    status: ConfigStatusSchema,
    error: z.string().optional(),
    counts: z.object({ ok: count, fail: count, todo: count, skip: count, crashed: count, silent: count, loud: count }),
    checks: z.array(CheckSchema),
    tapFiles: z.array(z.string()),
  })),
  phases: z.array(PhaseSchema),
}

const ResultsSchema: z.ZodType<Results> = z.object({
  schema: z.literal(RESULTS_SCHEMA),
  version: z.literal(RESULTS_VERSION),
  ...RunResultsFields,
})

/** A merged result: every source run's results under a label (see MergedResults). */
const MergedResultsSchema: z.ZodType<MergedResults> = z.object({
  schema: z.literal(MERGED_RESULTS_SCHEMA),
  version: z.literal(MERGED_RESULTS_VERSION),
  resultsVersion: z.literal(RESULTS_VERSION),
  environments: z.array(z.object({ label: z.string().min(1), source: z.string(), ...RunResultsFields })),
})

/** run.json: a RunRecord behind its schema name and version (the header is not part of the type). */
const RunFileSchema = z.object({
  schema: z.literal(RUN_SCHEMA),
  version: z.literal(RUN_VERSION),
  startedAt: z.string(),
  finishedAt: z.string(),
  complete: z.boolean(),
  matrix: MatrixSchema,
  environment: EnvironmentSchema,
  phases: z.array(PhaseSchema),
  declaredChecks: z.array(z.string()),
  configs: z.array(z.object({
    name: z.string().min(1),
    config: z.record(z.string(), z.unknown()),
    status: ConfigStatusSchema,
    error: z.string().optional(),
    tapFiles: z.array(z.string()),
  })),
})

const RESULTS_KIND: FileKind<Results> = { kind: 'results.json', schemaName: RESULTS_SCHEMA, version: RESULTS_VERSION, schema: ResultsSchema }
const MERGED_RESULTS_KIND: FileKind<MergedResults> = {
  kind: 'merged results.json', schemaName: MERGED_RESULTS_SCHEMA, version: MERGED_RESULTS_VERSION, schema: MergedResultsSchema,
}

/** Reads results.json text; throws ResultsFileError with one message for any problem. */
export function parseResults(text: string, file: string): Results {
  return parseVersioned(text, file, RESULTS_KIND)
}

/** Reads the results.json of `limafs report merge`; throws ResultsFileError with one message for any problem. */
export function parseMergedResults(text: string, file: string): MergedResults {
  return parseVersioned(text, file, MERGED_RESULTS_KIND)
}

/** Reads a results.json of either kind: one run's, or a merge's (told apart by its schema field). */
export function parseAnyResults(text: string, file: string): Results | MergedResults {
  const doc = parseJson(text, file)
  const merged = typeof doc === 'object' && doc !== null && (doc as Record<string, unknown>).schema === MERGED_RESULTS_SCHEMA
  return merged ? checkVersioned(doc, file, MERGED_RESULTS_KIND) : checkVersioned(doc, file, RESULTS_KIND)
}

/** Reads run.json text; throws ResultsFileError with one message for any problem. */
export function parseRunRecord(text: string, file: string): RunRecord {
  const { schema: _schema, version: _version, ...run } = parseVersioned(text, file, {
    kind: 'run.json', schemaName: RUN_SCHEMA, version: RUN_VERSION, schema: RunFileSchema,
  })
  return run
}

interface FileKind<T> {
  /** How users know the file: "results.json". */
  kind: string
  schemaName: string
  version: number
  schema: z.ZodType<T>
}

function parseVersioned<T>(text: string, file: string, kind: FileKind<T>): T {
  return checkVersioned(parseJson(text, file), file, kind)
}

function checkVersioned<T>(doc: unknown, file: string, { kind, schemaName, version, schema }: FileKind<T>): T {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ResultsFileError(`${file} is not a limafs ${kind} (it holds ${describeValue(doc)}, not an object)`, file)
  }
  const header = doc as Record<string, unknown>
  if (header.schema !== schemaName) {
    const found = header.schema === undefined ? 'missing' : describeValue(header.schema)
    const merged = header.schema === MERGED_RESULTS_SCHEMA ? ': it is the merge of several runs (limafs report merge); pass one of its source runs\' results.json' : ''
    throw new ResultsFileError(`${file} is not a limafs ${kind} (schema field is ${found}; a ${kind} has "schema": "${schemaName}")${merged}`, file)
  }
  if (typeof header.version === 'number' && header.version !== version) {
    throw new ResultsFileError(
      `${file}: ${kind} version ${header.version}; this limafs reads version ${version} ` +
        `(use the limafs that wrote it, or rebuild it from the TAP with \`limafs report OUT\`)`,
      file,
    )
  }
  const parsed = schema.safeParse(doc, { reportInput: true })
  if (parsed.success) return parsed.data
  const issues = parsed.error.issues
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => `  ${formatPath(issue.path)}: ${describeIssue(issue)}`)
  if (issues.length > MAX_LISTED_ISSUES) listed.push(`  ... and ${issues.length - MAX_LISTED_ISSUES} more`)
  throw new ResultsFileError(`${file} is not a valid limafs ${kind}:\n${listed.join('\n')}`, file)
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    if (!text.trim()) throw new ResultsFileError(`${file} is empty, not JSON`, file)
    const offset = jsonErrorOffset(text) ?? positionFromMessage((err as Error).message)
    const where = offset === undefined ? '' : (({ line, column }) => `line ${line}, column ${column}: `)(positionOf(text, offset))
    throw new ResultsFileError(`${file} is not JSON: ${where}${v8Reason((err as Error).message)}`, file)
  }
}

function positionFromMessage(message: string): number | undefined {
  const m = /at position (\d+)/.exec(message)
  return m ? Number(m[1]) : undefined
}

/** V8's reason without its position and without the quoted (possibly huge) input. */
function v8Reason(message: string): string {
  return message
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/\s*(?:in JSON )?at position \d+.*$/s, '')
}

type Issue = z.core.$ZodIssue

function formatPath(path: PropertyKey[]): string {
  if (!path.length) return '(top level)'
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(String(key)) ? `${i ? '.' : ''}${String(key)}` : `[${JSON.stringify(String(key))}]`))
    .join('')
}

function describeIssue(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `missing (expected ${issue.expected})` : `expected ${issue.expected}, got ${describeValue(issue.input)}`
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join('|')}, got ${describeValue(issue.input)}`
    case 'invalid_union': {
      const expected = issue.errors.flatMap((branch) => branch.filter((i) => i.code === 'invalid_type').map((i) => i.expected))
      return expected.length ? `expected ${expected.join(' or ')}, got ${describeValue(issue.input)}` : issue.message
    }
    case 'too_small':
      return `${issue.message}, got ${describeValue(issue.input)}`
    default:
      return issue.message
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}
