// The tree-make steps that take one host path from one state to another (applying a change,
// or undoing it): first a check that the path is still what was looked at (same inode and
// type, or still absent), then make or remove it, give it its owner, its user.virtfs.* xattrs
// and its mode, in that order (a chown clears setuid bits; a mode without w would stop an xattr).
import type { HostState } from './plan.ts'

export type Step = Array<string | number | null>

function make(path: string, s: HostState): Step[] {
  const perm = Number.parseInt(s.perm, 8)
  switch (s.type) {
    case 'file':
      return [['write', path, s.content ?? '', 0o600]]
    case 'dir':
      return [['mkdir', path, 0o700]]
    case 'symlink':
      return [['symlink', path, s.target ?? '']]
    case 'fifo':
      return [['mkfifo', path, perm]]
    case 'socket':
      return [['mknod', path, perm, 's', 0, 0]]
    default:
      // The plan never makes device nodes on the host.
      throw new Error(`refusing to make a ${s.type} at ${path}`)
  }
}

/** Steps from `from` (as just looked at: its ino is checked) to `to`; null = absent. */
export function stepsFor(path: string, from: HostState | null, to: HostState | null): Step[] {
  if (!from && !to) return []
  const steps: Step[] = [['check', path, from?.ino ?? null, from ? from.type : null]]
  if (!to) return [...steps, [from!.type === 'dir' ? 'rmdir' : 'unlink', path]]
  const replace = !from || from.type !== to.type
  if (from && replace) steps.push([from.type === 'dir' ? 'rmdir' : 'unlink', path])
  if (replace) steps.push(...make(path, to))
  else if (to.type === 'file' && to.content !== undefined && from!.content !== to.content) steps.push(['overwrite', path, to.content, Number.parseInt(to.perm, 8)])
  if (replace || from!.uid !== to.uid || from!.gid !== to.gid) steps.push(['chown', path, to.uid, to.gid])
  const had = replace ? {} : from!.virtfs
  for (const name of Object.keys(had)) if (!(name in to.virtfs)) steps.push(['removexattr', path, name])
  for (const [name, value] of Object.entries(to.virtfs)) if (had[name] !== value) steps.push(['setxattr', path, name, value])
  if (to.type !== 'symlink' && (replace || from!.perm !== to.perm)) steps.push(['chmod', path, Number.parseInt(to.perm, 8)])
  return steps
}
