// What every op family shares: the environment an op runs in, the op signature, and the
// helpers several families use (stat fields, running a command, held descriptors).
import { spawnSync } from 'node:child_process'
import type * as fs from 'node:fs'
import { errnoFromMessage } from '../../errno-names.ts'
import { fileType } from '../../file-type.ts'
import type { PathGuard } from '../path-guard.ts'
import type { OpResult, StatFields } from '../protocol.ts'
import type { SpecialFiles } from '../special-files.ts'

/** A descriptor, watch or other resource a check keeps across ops, by handle. */
export interface Held {
  fd?: number
  watcher?: fs.FSWatcher
  events?: string[]
}

export interface OpEnv {
  guard: PathGuard
  special: SpecialFiles
  /** Open file descriptors and inotify watches a check keeps across ops, by handle. */
  handles: Map<number, Held>
}

/** An op: its arguments as the check gave them; a value, an OpResult (delegated), or a throw. */
export type Op = (env: OpEnv, args: any[]) => unknown | Promise<unknown>

/** A family of ops, by name. */
export type OpFamily = Record<string, Op>

let nextHandle = 1

/** Keeps a resource for later ops; returns its handle. */
export function hold(handles: OpEnv['handles'], held: Held): number {
  const handle = nextHandle++
  handles.set(handle, held)
  return handle
}

/** The descriptor behind a handle (EBADF when there is none). */
export function fdOf(handles: OpEnv['handles'], handle: number): number {
  const fd = handles.get(handle)?.fd
  if (fd === undefined) throw Object.assign(new Error(`no open descriptor ${handle}`), { code: 'EBADF' })
  return fd
}

export function statFields(st: fs.Stats): StatFields {
  return {
    uid: st.uid,
    gid: st.gid,
    mode: (st.mode & 0o7777).toString(8).padStart(4, '0'),
    type: fileType(st),
    size: st.size,
    nlink: st.nlink,
    ino: st.ino,
    mtime: Math.floor(st.mtimeMs / 1000),
  }
}

/** Runs a command, turning a non-zero exit into an error whose errno is read from its message. */
export function command(cmd: string, args: string[]): OpResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8' })
  if (r.error) return { ok: false, errno: 'ENOTOOL', message: `${cmd}: ${r.error.message}` }
  const message = (r.stderr || r.stdout).trim()
  if (r.status !== 0) return { ok: false, errno: errnoFromMessage(message), message: `${cmd} ${args.join(' ')} (exit ${r.status}): ${message}` }
  return { ok: true, value: r.stdout }
}
