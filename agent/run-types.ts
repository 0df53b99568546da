// Plain data shared by the agent, its workers and the state file: what a run is about (mounts,
// settings, capabilities) and what it produces (points, staged checks, events). Types only.
import type { XattrTool } from './capabilities.ts'
import type { BenchSettings, CheckSpec, Persisted } from './check-api.ts'
import type { Diagnostics } from './diagnostics.ts'
import type { MountInfo } from './mountinfo.ts'
import type { Directive } from './tap-writer.ts'

export interface Todo {
  check: string
  reason: string
}

/** One mount as a run sees it (plain data: it travels to workers). */
export interface MountTarget {
  /** The --mount path as given (a mount point or a directory on a mount). */
  path: string
  mount: MountInfo
  scratch: string
  /** A dir in the scratch dir the ordinary user may write in. */
  userDir: string
  /** Why the ordinary user can't reach userDir at all (a parent closed to them): their checks SKIP with it. */
  userUnreachable?: string
  todos: Todo[]
  /** The mount's sibling share (--sibling) with a scratch dir of ours on it, or why there is none. */
  sibling?: Sibling
  /** The share's security model (--model; 'virtiofs' for a virtiofs mount), when known. */
  model?: string
  /** A read-only mount: the scratch dir is the one the host made (--ro-scratch); the agent writes nothing. */
  readOnly?: true
}

/** A sibling share as a run sees it: its path and mount point, and our scratch dir there; or why there is none. */
export type Sibling = { path: string; mountPoint: string; scratch: string } | { missing: string }

export interface Capabilities {
  isRoot: boolean
  user: { uid: number; gid: number }
  other: { uid: number; gid: number }
  xattr: XattrTool
  acl: boolean
  python3: boolean
  bridge: boolean
  remount: boolean
}

/** What a worker needs to run checks (plain data). */
export interface RunSettings {
  caps: Capabilities
  checkTimeoutMs: number
  opTimeoutMs: number
  /** How long shared suites watch for a change to show (coherence). */
  windowMs: number
  /** Source of a RegExp on check ids. */
  grep?: string
  bench: BenchSettings
  /** The scratch dir on the guest's tmpfs that suites that measure compare with, or why there is none. */
  baseline?: { scratch: string } | { missing: string }
}

/** A point ready to be written. */
export interface PointRecord {
  id: string
  ok: boolean
  directive?: Directive
  diagnostics?: Record<string, unknown>
}

/** A check with later stages still to look at (plain data: kept in the state file too). */
export interface StagedCheck {
  suite: string
  check: Pick<CheckSpec, 'id' | 'stages'>
  persisted: Persisted[]
  callFailedLoud: boolean
  /** Why the later stages can't be judged (setup failed before anything was registered). */
  setupFailure?: Diagnostics
}

export type RunEvent =
  | { type: 'check-start'; suite: string; id: string; index: number }
  | { type: 'point'; suite: string; point: PointRecord }
  /** A shared suite's points, several mounts' at once (one IPC message instead of one per point). */
  | { type: 'points'; suite: string; points: Array<{ mount: string; point: PointRecord }> }
  | { type: 'staged'; staged: StagedCheck }
