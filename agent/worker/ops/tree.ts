// Whole trees in one op (the migrate suite): each made from a list of steps, or looked at entry
// by entry, in the python3 helper (python/tree.ts), many trees per call and in parallel there.
// The guard checks each tree's root; every step names a path inside it, and the helper reaches
// it through O_NOFOLLOW descriptors.
import { normalizeErrno } from '../../errno-names.ts'
import type { OpResult } from '../protocol.ts'
import type { OpFamily } from './op-env.ts'

/** A path inside a tree: relative, no `..`, `.` or empty components (the helper checks again). */
function insideTree(rel: unknown): string {
  const parts = String(rel).split('/')
  if (!String(rel) || parts.some((p) => p === '' || p === '.' || p === '..')) throw Object.assign(new Error(`not a path inside the tree: ${String(rel)}`), { code: 'EINVAL' })
  return String(rel)
}

/** Errno names in a result ({errno: NAME} objects, and tree-make's lists of step results) in their one spelling. */
function normalized(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? normalizeErrno(v) : normalized(v)))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'errno' ? normalizeErrno(String(v)) : normalized(v)]))
  return value
}

const withErrnoNames = (r: OpResult): OpResult => (r.ok ? { ok: true, value: normalized(r.value) } : r)

const needsPython = () => Object.assign(new Error('tree ops need python3 in the guest'), { code: 'ENOTOOL' })

/** One entry as tree-look reports it, by its path relative to the looked-at root. */
export interface TreeEntry {
  type?: string
  /** Permission bits, 4 octal digits. */
  mode?: string
  uid?: number
  gid?: number
  nlink?: number
  ino?: number
  size?: number
  /** "major:minor" of a device. */
  rdev?: string
  target?: string | { errno: string }
  /** name -> hex value. */
  xattrs?: Record<string, string> | { errno: string }
  /** hex. */
  content?: string | { errno: string }
  /** lstat failed. */
  errno?: string
  /** Listing this dir failed. */
  entries?: { errno: string }
}

/** One tree to make: its root and its steps, each [op, rel, ...args] (see python/tree.ts for the ops). */
export type TreeMakeJob = [root: string, steps: unknown[][]]
/** One tree to look at: its root, which entries' xattrs and content to read, which dirs to descend into ('*': all; descend defaults to all). */
export type TreeLookJob = [root: string, want: { xattrs?: string[] | '*'; content?: string[] | '*'; descend?: string[] | '*' }]

export const treeOps: OpFamily = {
  /** [jobs]: for each tree, each step's errno name (null: it worked), or {errno} when its root could not be opened. */
  'tree-make': ({ guard, special }, [jobs]) => {
    if (special.tool !== 'python3') throw needsPython()
    const checked = (jobs as TreeMakeJob[]).map(([root, steps]) => [guard.assertFollow(root), steps.map(([op, rel, ...args]) => [op, insideTree(rel), ...args])])
    return special.call('tree-make', [checked]).then(withErrnoNames)
  },
  /** [jobs]: for each tree, every entry below its root by relative path (see python/tree.ts), or {errno}. */
  'tree-look': ({ guard, special }, [jobs]) => {
    if (special.tool !== 'python3') throw needsPython()
    return special.call('tree-look', [(jobs as TreeLookJob[]).map(([root, want]) => [guard.assertFollow(root), want ?? {}])]).then(withErrnoNames)
  },
}
