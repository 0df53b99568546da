// Messages between the agent and its worker processes (child_process IPC). The agent itself
// never touches the share: every file system call runs in a worker it can abandon and kill.
import type { XattrTool } from '../capabilities.ts'
import type { MountTarget, RunEvent, RunSettings, StagedCheck } from '../run-types.ts'
import type { Stage } from '../diagnostics.ts'
import type { FileType } from '../file-type.ts'
import type { JobFigures } from '../profile.ts'

export type OpResult =
  | { ok: true; value?: unknown }
  | { ok: false; errno: string; message: string }

/** Sent once after fork: where the worker may act, and which helpers the guest has. */
export interface WorkerInit {
  kind: 'init'
  /** Mount paths whose direct `.limafs-*` children the worker may create, list and remove. */
  mountPaths: string[]
  /** How xattrs, fifos and device nodes are made: python3 (started at once), the tools, or none. */
  xattrTool: XattrTool
  /** Start the python3 helper at once (the root worker needs it soon; the ordinary user's rarely). */
  eagerHelper: boolean
}

/** One op (the agent's own housekeeping, or an op relayed as the ordinary user). */
interface OpRequest {
  kind: 'op'
  id: number
  op: string
  args: unknown[]
}

/** Run checks: a suite's calls, or one later stage of staged checks. Events stream back. */
export type JobRequest = { kind: 'job'; id: number; settings: RunSettings; startAt: number; hasUser: boolean } & (
  | { job: 'suite'; suite: string; target: MountTarget }
  | { job: 'stage'; stage: Stage; staged: StagedCheck[]; target: MountTarget }
  | { job: 'shared'; suite: string; targets: MountTarget[] }
)

/** A job as the agent asks for it (the worker client adds id and kind). */
export type JobSpec = JobRequest extends infer J ? (J extends JobRequest ? Omit<J, 'id' | 'kind'> : never) : never

/** The answer to a worker's relay request (user op, host bridge). */
interface RelayReply {
  kind: 'relay-reply'
  id: number
  result: unknown
}

export type ToWorker = WorkerInit | OpRequest | JobRequest | RelayReply

/**
 * What a worker asks the agent to do for it: an op as the ordinary user, the host bridge, or
 * leave to drop the caches (a shared suite's drop_caches: begin waits until the other lane's
 * job may see it, end lets that job go on; agent/lanes.ts).
 */
export type RelayAsk =
  | { relay: 'user-op'; op: string; args: unknown[]; timeoutMs: number }
  | { relay: 'host'; verb: string; mount: string; path: string; args?: Record<string, unknown> }
  | { relay: 'cache-drop'; step: 'begin' | 'end' }

export type FromWorker =
  | { kind: 'op-result'; id: number; result: OpResult }
  | { kind: 'event'; job: number; event: RunEvent }
  | { kind: 'job-done'; job: number; error?: string; figures?: JobFigures }
  | ({ kind: 'relay'; id: number } & RelayAsk)

/** The stat fields the agent compares. mode is the permission bits as 4 octal digits ("0644"). */
export interface StatFields {
  uid: number
  gid: number
  mode: string
  type: FileType
  size: number
  nlink: number
  ino: number
  /** Modification time, whole seconds since the epoch. */
  mtime: number
}
