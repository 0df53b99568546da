// What a `run --keep` leaves in its scratch dir for `verify` after a VM restart: the checks
// with an after-restart stage and what must still hold. Paths are kept relative to the
// scratch dir ($SCRATCH/...).
import type { Persisted } from './check-api.ts'
import type { StagedCheck } from './run-types.ts'

export const STATE_FILE = 'state.json'
const FORMAT = 'limafs-agent-state'
const VERSION = 1
const SCRATCH_VAR = '$SCRATCH'

interface StateFile {
  format: typeof FORMAT
  version: typeof VERSION
  createdAt: string
  mountPath: string
  staged: StagedCheck[]
}

const mapPaths = (persisted: Persisted[], from: string, to: string): Persisted[] =>
  persisted.map((p) => ({ ...p, args: p.args.map((a) => (typeof a === 'string' && (a === from || a.startsWith(`${from}/`)) ? to + a.slice(from.length) : a)) }))

export function encodeState(mountPath: string, scratch: string, staged: readonly StagedCheck[]): string {
  const kept = staged
    .filter((s) => s.check.stages?.includes('after-restart'))
    .map((s) => ({ ...s, check: { id: s.check.id, stages: s.check.stages }, persisted: mapPaths(s.persisted, scratch, SCRATCH_VAR) }))
  return `${JSON.stringify({ format: FORMAT, version: VERSION, createdAt: new Date().toISOString(), mountPath, staged: kept } satisfies StateFile, null, 1)}\n`
}

/** The kept checks, or why the file is not one of ours. */
export function decodeState(text: string, scratch: string): StagedCheck[] | string {
  let data: Partial<StateFile>
  try {
    data = JSON.parse(text) as Partial<StateFile>
  } catch (err) {
    return `not JSON (${(err as Error).message})`
  }
  if (data.format !== FORMAT) return `not a limafs agent state file (format ${JSON.stringify(data.format)})`
  if (data.version !== VERSION) return `state file version ${data.version}; this agent reads version ${VERSION}`
  if (!Array.isArray(data.staged)) return 'state file has no staged checks'
  return data.staged.map((s) => ({ ...s, persisted: mapPaths(s.persisted, SCRATCH_VAR, scratch) }))
}
