// The ssh backend's command-line values: `--ssh USER@HOST[:PORT]` and, repeatable,
// `--mount GUESTPATH[=HOSTPATH]`. Pure; every mistake is a UsageError saying what was expected.
import { isAbsolute, resolve } from 'node:path'
import { UsageError } from '../errors.ts'

const DEFAULT_SSH_PORT = 22

export interface SshDestination {
  user: string
  host: string
  port: number
}

/** "user@host", "user@host:2222", "user@[::1]:2222". */
export function parseSshDestination(value: string): SshDestination {
  const m = /^([^@\s]+)@(\[[0-9A-Fa-f:.]+\]|[^:@\s[\]]+)(?::(\d+))?$/.exec(value)
  if (!m) throw new UsageError(`--ssh: expected USER@HOST[:PORT], got ${JSON.stringify(value)}`)
  const port = m[3] === undefined ? DEFAULT_SSH_PORT : Number(m[3])
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--ssh: ${m[3]} is not a port number`)
  return { user: m[1]!, host: m[2]!.replace(/^\[(.*)\]$/, '$1'), port }
}

export interface MountSpec {
  /** A share's mount point in the guest (or a directory on it). */
  guestPath: string
  /** Where the host keeps that share; absent: host-side checks are skipped. */
  hostPath?: string
}

/** "GUESTPATH" or "GUESTPATH=HOSTPATH"; a relative HOSTPATH is taken from `cwd`. */
export function parseMountSpec(value: string, cwd: string): MountSpec {
  const at = value.indexOf('=')
  const guestPath = at < 0 ? value : value.slice(0, at)
  const hostPath = at < 0 ? undefined : value.slice(at + 1)
  if (!guestPath || !guestPath.startsWith('/')) throw new UsageError(`--mount ${JSON.stringify(value)}: GUESTPATH must be an absolute path in the guest`)
  if (hostPath !== undefined && !hostPath) throw new UsageError(`--mount ${JSON.stringify(value)}: nothing after "="; leave "=HOSTPATH" out when the host dir is not reachable`)
  const normal = guestPath.length > 1 ? guestPath.replace(/\/+$/, '') : guestPath
  return { guestPath: normal, ...(hostPath !== undefined ? { hostPath: isAbsolute(hostPath) ? hostPath : resolve(cwd, hostPath) } : {}) }
}
