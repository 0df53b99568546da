// Types shared across provision/: the shape of one mount configuration under test.
// Vocabulary is Lima's (lima.yaml `mounts[]`), so a user can copy a mount from lima.yaml.

export const SECURITY_MODELS = ['none', 'mapped-xattr', 'mapped-file', 'passthrough'] as const
export type SecurityModel = (typeof SECURITY_MODELS)[number]

export const CACHE_MODES = ['none', 'loose', 'fscache', 'mmap'] as const
export type CacheMode = (typeof CACHE_MODES)[number]

export const PROTOCOL_VERSIONS = ['9p2000', '9p2000.u', '9p2000.L'] as const
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number]

/** Lima's mount types (pkg/limatype/lima_yaml.go), wsl2 aside (Windows hosts only). */
export const MOUNT_TYPES = ['9p', 'virtiofs', 'reverse-sshfs'] as const
export type MountType = (typeof MOUNT_TYPES)[number]

/**
 * The settings block each mount type has in lima.yaml's mounts[] (`9p:`, `virtiofs:`, `sshfs:`):
 * reverse-sshfs's block is named after the tool, not the mount type.
 */
export const SETTINGS_BLOCK: Readonly<Record<MountType, '9p' | 'virtiofs' | 'sshfs'>> = { '9p': '9p', virtiofs: 'virtiofs', 'reverse-sshfs': 'sshfs' }

/** Lima's mounts[].sshfs.sftpDriver (sshocker's reversesshfs drivers; "" in lima.yaml means auto). */
export const SFTP_DRIVERS = ['openssh-sftp-server', 'builtin'] as const
export type SftpDriver = (typeof SFTP_DRIVERS)[number]

export interface NinePSettings {
  securityModel: SecurityModel
  cache: CacheMode
  /** As written in lima.yaml ("128KiB"); parsed with ramInBytes where bytes are needed. */
  msize: string
  protocolVersion: ProtocolVersion
}

/** One configuration under test, defaults filled in. */
export interface ShareConfig {
  name: string
  mountType: MountType
  writable: boolean
  /**
   * Present exactly when mountType is 9p, except for a share limafs found rather than set up (the
   * ssh backend): its security model is the host's and can't be seen from the guest, so none is
   * claimed (environment.json's mountinfo keeps what the guest sees).
   */
  ninep?: NinePSettings
  virtiofs?: { queueSize: number }
  /** Present exactly when mountType is reverse-sshfs (Lima's mounts[].sshfs). */
  sshfs?: SshfsSettings
  /**
   * Lima's `mountInotify` (an instance setting in lima.yaml): the host watches the share and the
   * guest re-applies each changed file's times, so guest watchers hear of host edits. Filled by
   * the matrix (false: Lima's default); absent for a share limafs found (the ssh backend).
   */
  mountInotify?: boolean
}

export interface SshfsSettings {
  /** false: sshfs -o cache=no. */
  cache: boolean
  /** true: sshfs -o follow_symlinks. */
  followSymlinks: boolean
  sftpDriver: SftpDriver
}

/** A share as a backend set it up: where it lives on the host and in the guest. */
export interface ShareSetup {
  config: ShareConfig
  tag: string
  hostDir: string
  mountPoint: string
  /** The same configuration mounted a second time on the run's sibling dir (when the run asked for siblings). */
  sibling?: SiblingSetup
}

/**
 * A sibling share: the configuration's settings on the run's ONE sibling dir, the same host dir
 * for every configuration, on a small size-limited file system where the backend can make one.
 * Through siblings a tree made under one security model is seen under another (migrate), and a
 * share can be filled up without filling the real one (space).
 */
export interface SiblingSetup {
  tag: string
  hostDir: string
  mountPoint: string
}
