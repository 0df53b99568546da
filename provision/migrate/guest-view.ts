// What the guest sees of a host dir under a model: mapped-xattr reads user.virtfs.* xattrs,
// mapped-file its .virtfs_metadata files (and hides them), none and virtiofs the host's own
// owners, modes and types. Pure: a snapshot of the host tree (tree-look) in, a view out.
import type { FileType } from '../../agent/file-type.ts'
import type { TreeEntry } from '../../agent/worker/ops/tree.ts'
import { META_DIR, META_ROOT, makedev, metaFromFile, metaFromXattrs, typeOfMode, type VirtfsMeta } from './store.ts'

export const MIGRATE_MODELS = ['none', 'mapped-xattr', 'mapped-file', 'virtiofs'] as const
export type MigrateModel = (typeof MIGRATE_MODELS)[number]

/** Every entry below the dir, by path relative to it (tree-look's answer). */
export type Snapshot = Record<string, TreeEntry>

export interface GuestEntry {
  type: FileType
  uid: number
  gid: number
  /** Permission bits (setuid, setgid, sticky included). */
  perm: number
  rdev?: number
  /** A symlink's target. */
  target?: string
}

export const isMapped = (m: MigrateModel) => m === 'mapped-xattr' || m === 'mapped-file'

export const parentOf = (rel: string) => (rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '')
export const baseOf = (rel: string) => rel.slice(rel.lastIndexOf('/') + 1)
export const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name)

/** Where mapped-file keeps an entry's metadata: its dir's .virtfs_metadata/NAME. */
export const metaFileOf = (rel: string) => join(join(parentOf(rel), META_DIR), baseOf(rel))

/** mapped-file's own bookkeeping (hidden from its guest): .virtfs_metadata dirs and what is in them, .virtfs_metadata_root. */
export const isBookkeeping = (rel: string) => rel.split('/').some((part) => part === META_DIR || part === META_ROOT)

export const hexText = (hex: string) => Buffer.from(hex, 'hex').toString('utf8')

/** The host entry's type as tree-look names it. */
export const hostType = (e: TreeEntry) => (e.type ?? 'other') as FileType

/** The metadata the model keeps for an entry (empty for none and virtiofs, and where there is none). */
export function metaOf(snapshot: Snapshot, rel: string, model: MigrateModel): VirtfsMeta {
  const e = snapshot[rel]
  if (!e) return {}
  if (model === 'mapped-xattr') return e.xattrs && !('errno' in e.xattrs) ? metaFromXattrs(e.xattrs as Record<string, string>) : {}
  if (model === 'mapped-file') {
    const file = snapshot[metaFileOf(rel)]
    return file && typeof file.content === 'string' ? metaFromFile(hexText(file.content)) : {}
  }
  return {}
}

/** The metadata files whose content a view under `model` needs. */
export function metadataFiles(snapshot: Snapshot, model: MigrateModel): string[] {
  return model === 'mapped-file' ? Object.keys(snapshot).filter((rel) => parentOf(rel).split('/').at(-1) === META_DIR && snapshot[rel]!.type === 'file') : []
}

/** Host files a view under `model` shows as symlinks: their content is the target. */
export function symlinkFiles(snapshot: Snapshot, model: MigrateModel): string[] {
  if (!isMapped(model)) return []
  return Object.keys(snapshot).filter((rel) => !(model === 'mapped-file' && isBookkeeping(rel)) && snapshot[rel]!.type === 'file' && typeOfMode(metaOf(snapshot, rel, model).mode ?? 0) === 'symlink')
}

/** One entry as the guest sees it under `model`: the host's values, overridden by what the model kept. */
export function guestEntry(snapshot: Snapshot, rel: string, model: MigrateModel): GuestEntry {
  const e = snapshot[rel]!
  const meta = metaOf(snapshot, rel, model)
  const type = meta.mode !== undefined ? (typeOfMode(meta.mode) ?? hostType(e)) : hostType(e)
  const rdev = meta.rdev ?? (e.rdev ? makedev(...(e.rdev.split(':').map(Number) as [number, number])) : undefined)
  const target = type !== 'symlink' ? undefined : hostType(e) === 'symlink' ? (typeof e.target === 'string' ? e.target : undefined) : typeof e.content === 'string' ? hexText(e.content) : undefined
  return {
    type, uid: meta.uid ?? e.uid!, gid: meta.gid ?? e.gid!, perm: meta.mode !== undefined ? meta.mode & 0o7777 : Number.parseInt(e.mode ?? '0', 8),
    ...(rdev !== undefined && (type === 'char' || type === 'block') ? { rdev } : {}),
    ...(target !== undefined ? { target } : {}),
  }
}

/** Every entry the guest sees under `model`, by relative path, parents first. */
export function guestView(snapshot: Snapshot, model: MigrateModel): Map<string, GuestEntry> {
  const rels = Object.keys(snapshot).filter((rel) => !(model === 'mapped-file' && isBookkeeping(rel)) && !snapshot[rel]!.errno).sort()
  return new Map(rels.map((rel) => [rel, guestEntry(snapshot, rel, model)]))
}
