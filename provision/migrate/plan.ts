// What `limafs migrate` changes so that the guest sees under the new model what it saw under
// the old one: per host path, its state before and after (the manifest keeps both, so a change
// can be undone). Pure: a snapshot of the host tree in, the plan out.
//
//   to mapped-xattr / mapped-file  owners, modes, types, rdev in the model's own store (xattrs,
//       or .virtfs_metadata files); symlinks become regular files holding the target, fifos,
//       sockets and devices empty regular files, as QEMU makes them. Only where the host's own
//       values would show something else: a host-made file stays as it is.
//   to none / virtiofs  real types (symlinks, fifos, sockets), real modes, real owners when run
//       as root; what the host user can't set is reported, never faked: an owner (only root
//       gives files away), setuid/setgid without that owner (cp -a drops them too), device nodes
//       (never made on the host: whoever reaches the dir would get the device).
// The old model's bookkeeping goes (user.virtfs.* xattrs of mapped-xattr, .virtfs_metadata of
// mapped-file). Names and xattrs the new model would take as its bookkeeping are conflicts:
// a guest user could have planted them, and the plan refuses to apply until they are gone.
import type { FileType } from '../../agent/file-type.ts'
import type { TreeEntry } from '../../agent/worker/ops/tree.ts'
import {
  baseOf, guestView, hostType, isBookkeeping, metaFileOf, parentOf, type GuestEntry, type MigrateModel, type Snapshot,
} from './guest-view.ts'
import { fileFromMeta, isVirtfsXattr, majorMinor, META_DIR, META_ROOT, modeOf, xattrsFromMeta, type VirtfsMeta } from './store.ts'

/** A host path's state, in what the migration changes: its type, owner, mode, user.virtfs.* xattrs, and a file's content or a symlink's target where it matters. */
export interface HostState {
  type: FileType
  /** Permission bits, 4 octal digits (a symlink's are not changed). */
  perm: string
  uid: number
  gid: number
  /** user.virtfs.* xattrs, name -> hex (other xattrs are never touched). */
  virtfs: Record<string, string>
  /** A regular file's content in hex, when the change makes or removes the file. */
  content?: string
  target?: string
  /** The inode the plan saw (checked before changing the path). */
  ino?: number
}

export interface Change {
  path: string
  before: HostState | null
  after: HostState | null
  /** One line: what changes and why. */
  what: string
}

export interface Finding {
  path: string
  what: string
}

export interface Plan {
  from: MigrateModel
  to: MigrateModel
  /** Entries the guest sees under `from`. */
  entries: number
  changes: Change[]
  /** What the guest saw that the new model can't show (reported, never faked). */
  lost: Finding[]
  /** What blocks --apply: entries the new model would read as its own bookkeeping. */
  conflicts: Finding[]
}

export interface PlanOptions {
  /** Run as root: owners can be set. */
  root: boolean
  /** Who runs it: the owner of what it makes when not root. */
  uid: number
  gid: number
  /** The dir's own owner: what root gives the metadata it makes at the top. */
  dirOwner: { uid: number; gid: number }
}

const SPECIAL: readonly FileType[] = ['fifo', 'socket', 'char', 'block']
const MAPPED_FILE_MODE = '0600'
const MAPPED_DIR_MODE = '0700'
const SETID = 0o6000
const octal = (n: number) => (n & 0o7777).toString(8).padStart(4, '0')
const hex = (text: string) => Buffer.from(text).toString('hex')

/** A snapshot entry's state; content and target only when given. */
export function stateOf(e: TreeEntry, withContent = false): HostState {
  const xattrs = e.xattrs && !('errno' in e.xattrs) ? (e.xattrs as Record<string, string>) : {}
  return {
    type: hostType(e), perm: e.mode ?? '0000', uid: e.uid ?? 0, gid: e.gid ?? 0,
    virtfs: Object.fromEntries(Object.entries(xattrs).filter(([n]) => isVirtfsXattr(n))),
    ...(withContent && typeof e.content === 'string' ? { content: e.content } : {}),
    ...(typeof e.target === 'string' ? { target: e.target } : {}),
    ...(e.ino !== undefined ? { ino: e.ino } : {}),
  }
}

/** Do two states agree on everything the migration changes (the inode aside)? */
export function sameState(a: HostState | null, b: HostState | null): boolean {
  if (!a || !b) return a === b
  const strip = ({ ino: _ino, ...s }: HostState) => s
  const x = strip(a)
  const y = strip(b)
  if (x.type === 'symlink') x.perm = y.perm
  if (x.content === undefined || y.content === undefined) delete x.content, delete y.content
  return JSON.stringify(sortKeys(x)) === JSON.stringify(sortKeys(y))
}

const sortKeys = (s: Omit<HostState, 'ino'>) => ({ ...s, virtfs: Object.fromEntries(Object.entries(s.virtfs).sort(([p], [q]) => p.localeCompare(q))) })

/** The guest's view as the host shows it without any metadata: does an entry need some? */
const shownRaw = (g: GuestEntry, host: HostState) =>
  g.type === host.type && g.uid === host.uid && g.gid === host.gid && g.perm === Number.parseInt(host.perm, 8) && !SPECIAL.includes(g.type)

const metaFor = (g: GuestEntry): VirtfsMeta => ({ uid: g.uid, gid: g.gid, mode: modeOf(g.type, g.perm), ...(SPECIAL.includes(g.type) ? { rdev: g.rdev ?? 0 } : {}) })

export function planMigration(snapshot: Snapshot, from: MigrateModel, to: MigrateModel, o: PlanOptions): Plan {
  const view = guestView(snapshot, from)
  const lost: Finding[] = []
  const conflicts: Finding[] = []
  const entryChanges: Change[] = []
  const dirChanges: Change[] = []
  const metaDirs = new Map<string, Change>()
  const metaFiles: Change[] = []
  const removals: Change[] = []
  /** Inodes whose inode-wide state (xattrs, owner, mode) a hard link's other name already changed. */
  const inodesDone = new Set<number>()
  const ownerOfDir = (dir: string) => {
    if (!o.root) return { uid: o.uid, gid: o.gid }
    const e = dir ? snapshot[dir] : undefined
    return e ? { uid: e.uid!, gid: e.gid! } : o.dirOwner
  }

  for (const [rel, g] of view) {
    const e = snapshot[rel]!
    const now = stateOf(e, true)
    const name = baseOf(rel)
    if (to === 'mapped-file' && (name === META_DIR || name === META_ROOT)) {
      conflicts.push({ path: rel, what: `named like mapped-file's bookkeeping: mapped-file would hide it and read what is in it as owners and modes (a guest user can plant root ownership this way); rename or remove it first` })
    }
    if (to === 'mapped-xattr' && from !== 'mapped-xattr' && Object.keys(now.virtfs).length) {
      conflicts.push({ path: rel, what: `carries ${Object.keys(now.virtfs).join(', ')} as plain data: mapped-xattr would read them as owner and mode (a guest user can plant root ownership this way); remove them first` })
    }
    const linked = (e.nlink ?? 1) > 1 && g.type !== 'dir'
    const inodeDone = linked && e.ino !== undefined && inodesDone.has(e.ino)
    if (linked && e.ino !== undefined) inodesDone.add(e.ino)
    const after: HostState = { ...now, virtfs: { ...now.virtfs } }
    delete after.ino
    const notes: string[] = []

    if (to === 'mapped-xattr' || to === 'mapped-file') {
      // The host entry QEMU would have made: special files and symlinks as regular files.
      const keptAs = g.type === 'dir' || g.type === 'file' ? g.type : 'file'
      if (now.type !== keptAs) {
        if (linked) lost.push({ path: rel, what: `a ${g.type} with ${e.nlink} hard links: replacing it by the regular file ${to} keeps would split the links; left as it is` })
        else {
          Object.assign(after, { type: 'file', perm: MAPPED_FILE_MODE, ...(o.root ? {} : { uid: o.uid, gid: o.gid }), content: g.type === 'symlink' ? hex(g.target ?? '') : '' })
          delete after.target
          notes.push(`${now.type} -> regular file${g.type === 'symlink' ? ' holding the target' : ''}, as ${to} keeps a ${g.type}`)
        }
      }
      const needsMeta = !shownRaw(g, { ...after, virtfs: {} })
      const meta = metaFor(g)
      if (to === 'mapped-xattr') {
        after.virtfs = needsMeta ? xattrsFromMeta(meta) : {}
        if (needsMeta) notes.push(`user.virtfs.* = ${describeMeta(meta)}`)
      } else {
        if (from === 'mapped-xattr') after.virtfs = {}
        const file = metaFileOf(rel)
        const dir = parentOf(file)
        const old = snapshot[file]
        if (needsMeta) {
          if (!metaDirs.has(dir) && !snapshot[dir]) {
            metaDirs.set(dir, { path: dir, before: null, after: { type: 'dir', perm: MAPPED_DIR_MODE, ...ownerOfDir(parentOf(rel)), virtfs: {} }, what: `make ${dir} (mapped-file's metadata dir)` })
          }
          const content = hex(fileFromMeta(meta))
          if (!old || old.content !== content) {
            metaFiles.push({ path: file, before: old ? stateOf(old, true) : null, after: { type: 'file', perm: MAPPED_FILE_MODE, ...ownerOfDir(parentOf(rel)), virtfs: {}, content }, what: `mapped-file's metadata: ${describeMeta(meta)}` })
          }
        }
      }
    } else {
      // none, virtiofs: the real thing, where the host user may make it.
      if (from === 'mapped-xattr') after.virtfs = {}
      if (g.type !== now.type) {
        if (g.type === 'char' || g.type === 'block') {
          lost.push({ path: rel, what: `a ${g.type} device ${majorMinor(g.rdev ?? 0)}: device nodes are never made on the host (whoever reaches the dir would get the device); it stays an empty regular file` })
        } else if (linked) {
          lost.push({ path: rel, what: `a ${g.type} with ${e.nlink} hard links: replacing the regular file ${from} kept would split the links; left as it is` })
        } else {
          Object.assign(after, { type: g.type, ...(o.root ? {} : { uid: o.uid, gid: o.gid }) })
          delete after.content
          if (g.type === 'symlink') Object.assign(after, { target: g.target ?? '', perm: '0777' })
          notes.push(`regular file -> ${g.type}${g.type === 'symlink' ? ` -> ${g.target}` : ''}`)
        }
      }
      let perm = g.perm
      if (o.root) Object.assign(after, { uid: g.uid, gid: g.gid })
      else if (g.uid !== after.uid || g.gid !== after.gid) {
        lost.push({ path: rel, what: `owner ${g.uid}:${g.gid}: only root can give a file away; it shows as ${after.uid}:${after.gid}` })
        if (perm & SETID) {
          lost.push({ path: rel, what: `the ${perm & 0o4000 ? 'setuid' : 'setgid'} bit${(perm & SETID) === SETID ? 's' : ''} (mode ${octal(perm)}): dropped with the owner, as cp -a drops them` })
          perm &= ~SETID
        }
      }
      if (after.type !== 'symlink') after.perm = octal(perm)
      if (to === 'virtiofs' && e.xattrs && !('errno' in e.xattrs) && Object.keys(e.xattrs).some((n) => !isVirtfsXattr(n))) {
        lost.push({ path: rel, what: `user.* xattrs: virtiofsd as Lima starts it (no xattr option) shows none` })
      }
    }
    if (inodeDone) Object.assign(after, { virtfs: now.virtfs, uid: now.uid, gid: now.gid, perm: now.perm })
    if (sameState(now, after)) continue
    const change: Change = { path: rel, before: now, after, what: [...notes, ...describeDiff(now, after)].filter((v, i, a) => a.indexOf(v) === i).join('; ') }
    // A dir's own owner and mode change last (deepest first): a mode without w would stop the work inside.
    ;(g.type === 'dir' ? dirChanges : entryChanges).push(change)
  }

  if (from === 'mapped-file') {
    // Its bookkeeping goes: the metadata files, then their dirs (deepest first).
    const books = Object.keys(snapshot).filter((rel) => isBookkeeping(rel)).sort()
    for (const rel of books.filter((r) => snapshot[r]!.type !== 'dir')) {
      if (baseOf(rel) === META_ROOT && !rel.includes('/')) {
        lost.push({ path: rel, what: `the dir's own owner and mode (kept for the share's root): not converted; the dir itself is left as it is` })
        continue
      }
      removals.push({ path: rel, before: stateOf(snapshot[rel]!, true), after: null, what: `remove ${rel} (mapped-file's metadata)` })
    }
    for (const rel of books.filter((r) => snapshot[r]!.type === 'dir').reverse()) removals.push({ path: rel, before: stateOf(snapshot[rel]!), after: null, what: `remove ${rel} (mapped-file's metadata dir)` })
  }
  dirChanges.sort((a, b) => b.path.split('/').length - a.path.split('/').length)
  return { from, to, entries: view.size, changes: [...metaDirs.values(), ...entryChanges, ...metaFiles, ...dirChanges, ...removals], lost, conflicts }
}

function describeMeta(m: VirtfsMeta): string {
  return [`owner ${m.uid}:${m.gid}`, `mode ${(m.mode ?? 0).toString(8)}`, ...(m.rdev !== undefined ? [`rdev ${majorMinor(m.rdev)}`] : [])].join(', ')
}

function describeDiff(a: HostState, b: HostState): string[] {
  const out: string[] = []
  if (a.uid !== b.uid || a.gid !== b.gid) out.push(`owner ${a.uid}:${a.gid} -> ${b.uid}:${b.gid}`)
  if (a.perm !== b.perm && b.type !== 'symlink') out.push(`mode ${a.perm} -> ${b.perm}`)
  const gone = Object.keys(a.virtfs).filter((n) => !(n in b.virtfs))
  if (gone.length && !Object.keys(b.virtfs).length) out.push(`remove ${gone.join(', ')}`)
  return out
}
