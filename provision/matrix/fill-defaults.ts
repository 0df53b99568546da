// The one place defaults are applied: schema-checked input -> Matrix. Lima's mount defaults come
// from lima-compat/defaults.ts; the matrix's own defaults are here, each with its reason.
import {
  DEFAULT_9P_CACHE_READONLY,
  DEFAULT_9P_CACHE_WRITABLE,
  DEFAULT_9P_MSIZE,
  DEFAULT_9P_PROTOCOL_VERSION,
  DEFAULT_9P_SECURITY_MODEL,
  DEFAULT_MOUNT_INOTIFY,
  DEFAULT_SSHFS_CACHE,
  DEFAULT_SSHFS_FOLLOW_SYMLINKS,
  DEFAULT_SSHFS_SFTP_DRIVER,
  DEFAULT_VIRTIOFS_QUEUE_SIZE,
  DEFAULT_WRITABLE,
} from '../lima-compat/defaults.ts'
import type { ShareConfig } from '../types.ts'
import type { ConfigInput, MatrixInput } from './schema.ts'
import { KNOWN_SUITES, type Backend, type Matrix } from './types.ts'

/** The built-in QEMU testbed: it needs neither Lima nor a remote host. */
const DEFAULT_BACKEND: Backend = 'testbed'
/** Every suite: what each configuration keeps (conformance) and what it costs (bench), in the same run. */
export const DEFAULT_SUITES: readonly string[] = [...KNOWN_SUITES]

export function fillDefaults(input: MatrixInput, file?: string): Matrix {
  return {
    ...(file === undefined ? {} : { file }),
    backend: input.backend ?? DEFAULT_BACKEND,
    configs: input.configs.map(fillConfig),
    suites: [...(input.suites ?? DEFAULT_SUITES)],
    expect: (input.expect ?? []).map(({ check, config, reason }) => ({ check, config, reason })),
  }
}

export function fillConfig(input: ConfigInput): ShareConfig {
  const writable = input.writable ?? DEFAULT_WRITABLE
  const base = { name: input.name, mountType: input.mountType, writable, mountInotify: input.mountInotify ?? DEFAULT_MOUNT_INOTIFY }
  if (input.mountType === 'virtiofs') return { ...base, virtiofs: { queueSize: input.virtiofs?.queueSize ?? DEFAULT_VIRTIOFS_QUEUE_SIZE } }
  if (input.mountType === 'reverse-sshfs') {
    const sshfs = input.sshfs
    return {
      ...base,
      sshfs: {
        cache: sshfs?.cache ?? DEFAULT_SSHFS_CACHE,
        followSymlinks: sshfs?.followSymlinks ?? DEFAULT_SSHFS_FOLLOW_SYMLINKS,
        sftpDriver: sshfs?.sftpDriver ?? DEFAULT_SSHFS_SFTP_DRIVER,
      },
    }
  }
  const ninep = input['9p']
  return {
    ...base,
    ninep: {
      securityModel: ninep?.securityModel ?? DEFAULT_9P_SECURITY_MODEL,
      cache: ninep?.cache ?? (writable ? DEFAULT_9P_CACHE_WRITABLE : DEFAULT_9P_CACHE_READONLY),
      msize: ninep?.msize ?? DEFAULT_9P_MSIZE,
      protocolVersion: ninep?.protocolVersion ?? DEFAULT_9P_PROTOCOL_VERSION,
    },
  }
}
