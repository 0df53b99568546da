// The one shape of a check's diagnostics, in the agent's TAP (YAML block under a point) and
// later in every report. Logic-free: agent/, suites/ and reports/ share it.
import type { FileType } from './file-type.ts'

/** ok = the call and its effect are as wanted. A failure is loud or silent. */
export type FailureClass =
  /** The call returned an error the user sees (EPERM, ENOTSUP, ELOOP, a timeout...). */
  | 'loud'
  /** The call said OK but the effect is wrong or is lost later: the dangerous kind. */
  | 'silent'

/** When in a check's life an expectation was looked at. */
export const STAGES = ['setup', 'call', 'at-once', 'after-drop-caches', 'after-remount', 'after-restart', 'host'] as const
export type Stage = (typeof STAGES)[number]

/** What the host side of a share really stored, when a host bridge answered. */
export interface HostTruth {
  /** Host path relative to the share's host dir. */
  path: string
  exists: boolean
  type?: FileType
  uid?: number
  gid?: number
  /** Permission bits as octal text ("0600"). */
  mode?: string
  size?: number
  /** user.* and other xattrs on the host file, values in hex. */
  xattrs?: Record<string, string>
  /** QEMU mapped-xattr's user.virtfs.{uid,gid,mode,rdev}, decoded. */
  virtfs?: { uid?: number; gid?: number; mode?: string; rdev?: number }
  /** QEMU mapped-file's .virtfs_metadata/NAME content, as key=value lines. */
  virtfsMetadata?: Record<string, string>
  /** For a host symlink: its target. */
  symlinkTarget?: string
  error?: string
}

/** One workload's figures on one share (the bench suite), beside the guest's tmpfs baseline. */
export interface BenchFigures {
  /** e.g. "create", "chown", "chown-R", "stat", "readdir", "xattr", "write-read", "unlink", "git-tree", "npm-unpack", "sqlite" */
  workload: string
  /** Operations per run of the workload (files, or bytes for write-read). */
  ops: number
  /** Median over the repeats. */
  opsPerSec: number
  p50Ms: number
  p99Ms: number
  /** ops/s over the repeats. */
  repeats: { min: number; median: number; max: number; n: number }
  /** This share's median ops/s divided by the tmpfs baseline's: the figure people compare (1 = as fast as tmpfs). */
  ratio?: number
  /** Absent (with ratio) when the guest had no tmpfs to measure a baseline on. */
  baselineOpsPerSec?: number
  /** An app-like workload's steps (git-tree: checkout, status, read, chmod-rename): median ms of each. */
  phasesMs?: Record<string, number>
}

/** The YAML diagnostics of a failed (or measured) point. */
export interface Diagnostics {
  op: string
  args: Array<string | number>
  /** What POSIX (or the check) wants: "0", an errno name, or the fields asked for ("1234,5678"). */
  wanted: string
  /** What the guest saw: "0", an errno name, the fields, or "timeout". */
  found: string
  /** The errno name when the call failed, else absent. */
  errno?: string
  stage: Stage
  class?: FailureClass
  /** What the host stored for the object, when a host bridge answered. */
  host?: HostTruth
  /** Coherence: ms from the change to the first look that saw it. */
  latencyMs?: number
  /** Bench suite figures (on ok points). */
  bench?: BenchFigures
  /**
   * A security finding, in one line (why): set on a failure that lets guest-set metadata (an
   * owner, root above all; a setuid/setgid bit; a type) reach an object the host made, or lets a
   * guest user's plain data become ownership. Reports show these above everything else.
   */
  security?: string
  note?: string
}
