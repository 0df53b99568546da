// The matrix file's shape, checked at the edge with zod: keys, types, allowed values, and the
// rules that need only one value. Rules across entries are in validate.ts; defaults in fill-defaults.ts.
// Every optional key also accepts null: `9p:` with nothing after it means "all defaults", as in Lima.
import { z } from 'zod'
import { MAX_VIRTIOFS_QUEUE_SIZE, MIN_9P_MSIZE, MIN_9P_MSIZE_BYTES } from '../lima-compat/limits.ts'
import { ramInBytes } from '../lima-compat/ram-in-bytes.ts'
import { CACHE_MODES, MOUNT_TYPES, PROTOCOL_VERSIONS, SECURITY_MODELS, SFTP_DRIVERS } from '../types.ts'
import { didYouMean } from './did-you-mean.ts'
import { BACKENDS, KNOWN_SUITES, type KeyPath, type PathProblem } from './types.ts'

/** Config names become file and directory names (host share dirs, guest mount points, reports). */
export const CONFIG_NAME_RE = /^[A-Za-z0-9._-]+$/

const ConfigName = z
  .string()
  .regex(CONFIG_NAME_RE, { error: `must match ${CONFIG_NAME_RE.source} (it becomes a file and directory name)` })
  .refine((name) => name !== '.' && name !== '..', { error: 'must not be . or .. (it becomes a directory name)' })

/** A Lima size string ("128KiB"); a bare number of bytes is accepted too and kept as a string. */
const Msize = z
  .union([z.string(), z.int()], { error: 'must be a size such as 128KiB' })
  .transform(String)
  .superRefine((msize, ctx) => {
    const bytes = ramInBytes(msize)
    if (bytes === undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(msize)} is not a size (write e.g. 128KiB, 1MiB or 131072)` })
    else if (bytes < MIN_9P_MSIZE_BYTES) ctx.addIssue({ code: 'custom', message: `must be at least ${MIN_9P_MSIZE} (the guest kernel refuses less), got ${msize}` })
  })

const QueueSize = z
  .int()
  .refine((n) => n >= 1 && n <= MAX_VIRTIOFS_QUEUE_SIZE && (n & (n - 1)) === 0, {
    error: `must be a power of 2 up to ${MAX_VIRTIOFS_QUEUE_SIZE} (QEMU refuses other queue sizes)`,
  })

const NonEmpty = z.string().trim().min(1)

/** Check ids are `suite/aspect/object`: a literal first segment must be a known suite (catches typos). */
const CheckGlob = NonEmpty.superRefine((check, ctx) => {
  const suite = check.split('/')[0] ?? ''
  if (!check || /[*?]/.test(suite) || (KNOWN_SUITES as readonly string[]).includes(suite)) return
  const guess = didYouMean(suite, KNOWN_SUITES)
  ctx.addIssue({ code: 'custom', message: `starts with unknown suite ${JSON.stringify(suite)} (${guess ? `did you mean ${guess}?` : `check ids start with one of ${KNOWN_SUITES.join('|')}`})` })
})

const NinePInput = z.strictObject({
  securityModel: z.enum(SECURITY_MODELS).nullish(),
  cache: z.enum(CACHE_MODES).nullish(),
  msize: Msize.nullish(),
  protocolVersion: z.enum(PROTOCOL_VERSIONS).nullish(),
})

const VirtiofsInput = z.strictObject({
  queueSize: QueueSize.nullish(),
})

const SshfsInput = z.strictObject({
  cache: z.boolean().nullish(),
  followSymlinks: z.boolean().nullish(),
  sftpDriver: z.enum(SFTP_DRIVERS).nullish(),
})

export const ConfigInput = z.strictObject({
  name: ConfigName,
  mountType: z.enum(MOUNT_TYPES),
  writable: z.boolean().nullish(),
  /** Lima's instance-wide `mountInotify`, per configuration here (the Lima backend groups by it). */
  mountInotify: z.boolean().nullish(),
  '9p': NinePInput.nullish(),
  virtiofs: VirtiofsInput.nullish(),
  sshfs: SshfsInput.nullish(),
})
export type ConfigInput = z.output<typeof ConfigInput>

const ExpectInput = z.strictObject({
  check: CheckGlob,
  config: NonEmpty,
  reason: NonEmpty,
})

export const MatrixInput = z.strictObject({
  backend: z.enum(BACKENDS).nullish(),
  configs: z.array(ConfigInput).min(1),
  suites: z.array(z.enum(KNOWN_SUITES)).min(1).nullish(),
  expect: z.array(ExpectInput).nullish(),
})
export type MatrixInput = z.output<typeof MatrixInput>

/** The typed input, or every shape problem in the document. */
export function checkSchema(doc: unknown): { input: MatrixInput; problems: [] } | { input?: undefined; problems: PathProblem[] } {
  if (doc === null || doc === undefined) return { problems: [{ path: [], message: 'the matrix is empty; it needs at least a configs: list' }] }
  const result = MatrixInput.safeParse(doc, { reportInput: true })
  if (result.success) return { input: result.data, problems: [] }
  return { problems: result.error.issues.flatMap(toProblems) }
}

/** One configuration (e.g. a mount of an existing Lima instance) checked like a matrix entry. */
export function checkConfig(input: unknown): { config: ConfigInput; problems: [] } | { config?: undefined; problems: PathProblem[] } {
  const result = ConfigInput.safeParse(input, { reportInput: true })
  return result.success ? { config: result.data, problems: [] } : { problems: result.error.issues.flatMap(toProblems) }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string', boolean: 'true or false', number: 'a number', int: 'an integer', array: 'a list', object: 'a map',
}

function toProblems(issue: z.core.$ZodIssue): PathProblem[] {
  const path = issue.path.filter((seg): seg is string | number => typeof seg !== 'symbol')
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(path)
      return issue.keys.map((key) => {
        const guess = didYouMean(key, known)
        return { path: [...path, key], at: 'key', message: `unknown key (${guess ? `did you mean ${guess}?` : `known keys: ${known.join(', ')}`})` }
      })
    }
    case 'invalid_type':
    case 'invalid_value':
      // Only required keys report a missing or null value: optional ones accept both.
      if (issue.input === undefined || issue.input === null) return [{ path, message: 'required' }]
      if (issue.code === 'invalid_value') return [{ path, message: `must be one of ${issue.values.map(String).join('|')}` }]
      return [{ path, message: `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${describe(issue.input)}` }]
    case 'too_small':
      return [{ path, message: 'must not be empty' }]
    default:
      return [{ path, message: issue.message }]
  }
}

/** What a wrong value was, short: strings and numbers as written, collections by kind. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object' && value !== null) return 'a map'
  return JSON.stringify(value) ?? String(value)
}

/** The keys the object schema at `path` allows (list indexes and optional wrappers looked through). */
function knownKeysAt(path: KeyPath): string[] {
  let schema: unknown = MatrixInput
  for (const seg of path) {
    schema = unwrap(schema)
    if (typeof seg === 'number' && schema instanceof z.ZodArray) schema = schema.element
    else if (typeof seg === 'string' && schema instanceof z.ZodObject) schema = schema.shape[seg]
    else return []
  }
  schema = unwrap(schema)
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : []
}

function unwrap(schema: unknown): unknown {
  while (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) schema = schema.unwrap()
  return schema
}
