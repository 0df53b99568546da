// Lima's defaults for mounts, one place (pkg/limayaml/defaults.go, Lima v2.2).
import type { CacheMode, ProtocolVersion, SecurityModel, SftpDriver } from '../types.ts'

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
/** Lima's sshfs defaults (defaults.go: SSHFS.Cache true, FollowSymlinks false). */
export const DEFAULT_SSHFS_CACHE = true
export const DEFAULT_SSHFS_FOLLOW_SYMLINKS = false
/**
 * Lima's SFTPDriver default is "" (auto): sshocker's reversesshfs picks OpenSSH's sftp-server
 * whenever it finds one (DetectDriver), which every macOS and Debian host has.
 */
export const DEFAULT_SSHFS_SFTP_DRIVER: SftpDriver = 'openssh-sftp-server'
/** Lima's default for `mountInotify` (defaults.go: false). */
export const DEFAULT_MOUNT_INOTIFY = false
/** Lima's user-mode network: guest address, gateway and prefix (pkg/networks/const.go). */
export const SLIRP_NETWORK = '192.168.5.0/24'
export const SLIRP_GATEWAY = '192.168.5.2'
export const SLIRP_IP_ADDRESS = '192.168.5.15'
