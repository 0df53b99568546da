// One look at a tree through one configuration (the tree-look op: every entry by its path
// relative to the looked-at dir), and a property of an entry in it as comparable text.
import type { TreeEntry } from '../../agent/worker/ops/tree.ts'

/** What tree-look reports for one entry (see agent/worker/ops/tree.ts). */
export type LookEntry = TreeEntry

export type Look = Record<string, LookEntry>

export type Property = 'type' | 'owner' | 'mode' | 'content' | 'xattrs' | 'target' | 'entries' | 'rdev' | 'same-file'

/** What a property reads as when the entry is not there at all. */
export const GONE = 'gone'

const errnoOf = (v: unknown): string | undefined => (v && typeof v === 'object' && 'errno' in v ? String((v as { errno: string }).errno) : undefined)

/** Bytes as text when they are printable ASCII, else 0x-hex. */
export function bytesText(hex: string): string {
  const bytes = Buffer.from(hex, 'hex')
  return bytes.every((b) => b >= 0x20 && b < 0x7f) ? bytes.toString('latin1') : `0x${hex}`
}

/** Names directly in the dir `rel` ('' = the looked-at dir itself), as ls -a lists them (without . and ..). */
export function namesIn(look: Look, rel: string): string[] {
  const prefix = rel ? `${rel}/` : ''
  return Object.keys(look).filter((k) => k !== '.' && k.startsWith(prefix) && !k.slice(prefix.length).includes('/')).map((k) => k.slice(prefix.length)).sort()
}

/**
 * The property of the entry at `rel` as text: "gone" when the entry is not there, the errno
 * name when looking failed, else the value ("1234:5678", "0640", a link target...). `twin` is
 * the other name of a hard link (same-file).
 */
export function property(look: Look, rel: string, p: Property, twin?: string): string {
  const e = look[rel]
  if (!e) return GONE
  if (e.errno) return e.errno
  switch (p) {
    case 'type':
      return e.type ?? '?'
    case 'owner':
      return `${e.uid}:${e.gid}`
    case 'mode':
      return e.mode ?? '?'
    case 'content':
      return errnoOf(e.content) ?? (typeof e.content === 'string' ? bytesText(e.content) : `not read (${e.type})`)
    case 'xattrs': {
      const failed = errnoOf(e.xattrs)
      if (failed) return failed
      const entries = Object.entries((e.xattrs ?? {}) as Record<string, string>).sort(([a], [b]) => a.localeCompare(b))
      return entries.length ? entries.map(([n, v]) => `${n}=${bytesText(v)}`).join(',') : 'none'
    }
    case 'target':
      if (e.type !== 'symlink') return `not a symlink (${e.type})`
      return errnoOf(e.target) ?? String(e.target)
    case 'entries':
      return errnoOf(e.entries) ?? (namesIn(look, rel).join(',') || 'empty')
    case 'rdev':
      return e.type === 'char' || e.type === 'block' ? `${e.type} ${e.rdev}` : `not a device (${e.type})`
    case 'same-file': {
      const other = twin ? look[twin] : undefined
      if (!other) return `the other name is ${GONE}`
      if (other.errno) return `the other name: ${other.errno}`
      return other.ino === e.ino && (e.nlink ?? 0) >= 2 ? `one file, ${e.nlink} links` : `two files (links ${e.nlink} and ${other.nlink})`
    }
  }
}
