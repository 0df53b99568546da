// Types shared across provision/: the shape of one mount configuration under test.
// Vocabulary is Lima's (lima.yaml `mounts[]`), so a user can copy a mount from lima.yaml.

export const SECURITY_MODELS = ['none', 'mapped-xattr', 'mapped-file', 'passthrough'] as const
export type SecurityModel = (typeof SECURITY_MODELS)[number]

export const CACHE_MODES = ['none', 'loose', 'fscache', 'mmap'] as const
export type CacheMode = (typeof CACHE_MODES)[number]

export const PROTOCOL_VERSIONS = ['9p2000', '9p2000.u', '9p2000.L'] as const
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number]

export const MOUNT_TYPES = ['9p', 'virtiofs'] as const
export type MountType = (typeof MOUNT_TYPES)[number]

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
