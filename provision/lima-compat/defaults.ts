// Lima's defaults for mounts, one place (pkg/limayaml/defaults.go, Lima v2.2).
import type { CacheMode, ProtocolVersion, SecurityModel } from '../types.ts'

/** Lima's default for mounts[].writable: a mount is read-only unless it says otherwise. */
export const DEFAULT_WRITABLE = false
/** Lima's default since 0.13: no ownership mapping, chown fails (it was mapped-xattr before). */
export const DEFAULT_9P_SECURITY_MODEL: SecurityModel = 'none'
export const DEFAULT_9P_PROTOCOL_VERSION: ProtocolVersion = '9p2000.L'
/** Lima's default msize; the fstab gets it in bytes (131072). */
export const DEFAULT_9P_MSIZE = '128KiB'
/** Lima's default cache for a writable 9p mount: host edits are seen at once. */
export const DEFAULT_9P_CACHE_WRITABLE: CacheMode = 'mmap'
/** Lima's default cache for a read-only 9p mount. */
export const DEFAULT_9P_CACHE_READONLY: CacheMode = 'fscache'
/** Lima's default virtio queue size for virtiofs (Linux hosts). */
export const DEFAULT_VIRTIOFS_QUEUE_SIZE = 1024
/** Lima's user-mode network: guest address, gateway and prefix (pkg/networks/const.go). */
export const SLIRP_NETWORK = '192.168.5.0/24'
export const SLIRP_GATEWAY = '192.168.5.2'
export const SLIRP_IP_ADDRESS = '192.168.5.15'
