// Where QEMU's mapped security models keep what the guest set (hw/9pfs/9p-local.c), read and
// written byte for byte as QEMU does:
//   mapped-xattr  user.virtfs.uid, .gid, .mode: 4 bytes little-endian each (mode with its type
//                 bits: S_IFLNK|0777 for a symlink); user.virtfs.rdev: 8 bytes little-endian
//   mapped-file   DIR/.virtfs_metadata/NAME (for the share's root: .virtfs_metadata_root), lines
//                 "virtfs.uid=N", "virtfs.gid=N", "virtfs.mode=N", "virtfs.rdev=N", decimal, in
//                 that order, each written only when known; read with atoi, any order
// Both store symlinks as regular host files holding the target (no trailing NUL), and fifos,
// sockets and device nodes as empty regular files (mode 0600, dirs 0700 on the host).
import type { FileType } from '../../agent/file-type.ts'

/** What the guest set, as a mapped model keeps it: any field may be missing (QEMU then shows the host's). */
export interface VirtfsMeta {
  uid?: number
  gid?: number
  /** The whole st_mode: type bits and permission bits. */
  mode?: number
  rdev?: number
}

export const META_DIR = '.virtfs_metadata'
export const META_ROOT = '.virtfs_metadata_root'
export const VIRTFS_XATTR = { uid: 'user.virtfs.uid', gid: 'user.virtfs.gid', mode: 'user.virtfs.mode', rdev: 'user.virtfs.rdev' } as const
const FIELDS = ['uid', 'gid', 'mode', 'rdev'] as const

export const isVirtfsXattr = (name: string) => name.startsWith('user.virtfs.')

const TYPE_BITS: Record<FileType, number> = { fifo: 0o010000, char: 0o020000, dir: 0o040000, block: 0o060000, file: 0o100000, symlink: 0o120000, socket: 0o140000, other: 0 }
const S_IFMT = 0o170000

/** The st_mode of a type and permission bits. */
export const modeOf = (type: FileType, perm: number) => TYPE_BITS[type] | (perm & 0o7777)

/** The type an st_mode says (undefined for bits that are no type). */
export function typeOfMode(mode: number): FileType | undefined {
  const bits = mode & S_IFMT
  return (Object.keys(TYPE_BITS) as FileType[]).find((t) => t !== 'other' && TYPE_BITS[t] === bits)
}

/** Linux's dev_t of a major:minor (glibc's makedev). */
export function makedev(major: number, minor: number): number {
  return Number((BigInt(major & 0xfff) << 8n) | BigInt(minor & 0xff) | (BigInt(minor & ~0xff) << 12n) | (BigInt(major & ~0xfff) << 32n))
}

export function majorMinor(dev: number): string {
  const d = BigInt(dev)
  const major = ((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn)
  const minor = (d & 0xffn) | ((d >> 12n) & ~0xffn)
  return `${major}:${minor}`
}

/** mapped-xattr's fields from a host file's xattrs (name -> hex). */
export function metaFromXattrs(xattrs: Readonly<Record<string, string>>): VirtfsMeta {
  const meta: VirtfsMeta = {}
  for (const f of FIELDS) {
    const hex = xattrs[VIRTFS_XATTR[f]]
    if (hex === undefined) continue
    const bytes = Buffer.from(hex, 'hex')
    // QEMU reads them with getxattr into a 4-byte (8 for rdev) variable: shorter values are garbage, longer ones ERANGE.
    if (f === 'rdev' ? bytes.length === 8 : bytes.length === 4) meta[f] = f === 'rdev' ? Number(bytes.readBigUInt64LE(0)) : bytes.readUInt32LE(0)
  }
  return meta
}

/** The xattrs mapped-xattr would write for these fields (name -> hex). */
export function xattrsFromMeta(meta: VirtfsMeta): Record<string, string> {
  const out: Record<string, string> = {}
  for (const f of FIELDS) {
    const v = meta[f]
    if (v === undefined) continue
    const b = Buffer.alloc(f === 'rdev' ? 8 : 4)
    if (f === 'rdev') b.writeBigUInt64LE(BigInt(v))
    else b.writeUInt32LE(v >>> 0)
    out[VIRTFS_XATTR[f]] = b.toString('hex')
  }
  return out
}

/** mapped-file's fields from a metadata file's text, read as QEMU reads it (atoi of what follows "virtfs.X="). */
export function metaFromFile(text: string): VirtfsMeta {
  const meta: VirtfsMeta = {}
  for (const line of text.split('\n')) {
    for (const f of FIELDS) {
      if (!line.startsWith(`virtfs.${f}`)) continue
      const n = /^[ \t]*([+-]?\d+)/.exec(line.slice(`virtfs.${f}`.length + 1))
      meta[f] = n ? Number(n[1]) : 0
    }
  }
  return meta
}

/** The metadata file mapped-file would write for these fields. */
export function fileFromMeta(meta: VirtfsMeta): string {
  return FIELDS.filter((f) => meta[f] !== undefined).map((f) => `virtfs.${f}=${meta[f]! | 0}\n`).join('')
}
