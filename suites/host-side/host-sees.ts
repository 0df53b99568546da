// What host tools see of the guest's work: can the host user (the share's owner: who the host's
// own new files belong to) read and edit what the guest made; which entries a backup, `ls -a`
// or `git status` finds in a dir the guest filled; which xattrs come along with a file. Pure.
import type { PointSpec, PointVerdict } from '../../agent/check-api.ts'
import type { HostTruth } from '../../agent/diagnostics.ts'

export const HOST_SEES_POINTS: PointSpec[] = [
  { id: 'host-side/host-sees-owner/file', title: 'the host user (who owns what the host makes in the share) can read and write a file the guest made', needs: ['host', 'root', 'python3'] },
  { id: 'host-side/host-sees-owner/dir', title: 'the host user can list a dir the guest made and add entries to it', needs: ['host', 'root', 'python3'] },
  { id: 'host-side/host-sees-entries/dir', title: 'the host lists (ls -a) exactly the entries the guest made in a dir: nothing a backup or git status would pick up besides', needs: ['host', 'root', 'python3'] },
  { id: 'host-side/host-sees-xattrs/file', title: 'the host file carries exactly the user.* xattr the guest set: nothing more for a backup or cp -a to carry along', needs: ['host', 'root', 'python3'] },
]

export interface Owner {
  uid: number
  gid: number
}

/** rwx bits the host user gets on an object (root: all), as owner, group or others. */
function bitsFor(owner: Owner, host: HostTruth): number {
  const mode = Number.parseInt(host.mode ?? '0', 8)
  if (owner.uid === 0) return 7
  if (host.uid === owner.uid) return (mode >> 6) & 7
  if (host.gid === owner.gid) return (mode >> 3) & 7
  return mode & 7
}

const RIGHTS = ['---', '--x', '-w-', '-wx', 'r--', 'r-x', 'rw-', 'rwx']

/** Can the host user read and write (a file) or list, enter and add to (a dir) the guest's object? */
export function hostUserAccess(owner: Owner, host: HostTruth, kind: 'file' | 'dir', op: string, path: string): PointVerdict {
  const need = kind === 'file' ? 6 : 7
  const wanted = `uid ${owner.uid} may ${RIGHTS[need]}`
  if (!host.exists) return { ok: false, diagnostics: { op, args: [path], wanted, found: `not on the host: ${host.error ?? 'missing'}`, stage: 'host', class: 'silent', host } }
  const has = bitsFor(owner, host)
  if ((has & need) === need) return { ok: true, diagnostics: { host } }
  return { ok: false, diagnostics: { op, args: [path], wanted, found: `uid ${owner.uid} may ${RIGHTS[has]} (host: ${host.uid}:${host.gid} ${host.mode})`, stage: 'host', class: 'silent', host } }
}

/** The host file's xattrs, wanted exactly the guest's. */
export function hostXattrs(wanted: Record<string, string>, host: HostTruth, op: string, path: string): PointVerdict {
  const text = (x: Record<string, string>) => Object.keys(x).sort().map((k) => `${k}=${x[k]}`).join(', ') || 'none'
  const found = host.xattrs ? text(host.xattrs) : `unreadable: ${host.error ?? 'no answer'}`
  return found === text(wanted) ? { ok: true } : { ok: false, diagnostics: { op, args: [path], wanted: text(wanted), found, stage: 'host', class: 'silent', host } }
}

/** The host's listing of a dir against the guest's: what the host has besides (a model's own files) or lacks. */
export function hostEntries(guest: readonly string[], host: readonly string[], op: string, path: string): PointVerdict {
  const g = [...guest].sort()
  const h = [...host].sort()
  if (g.join('/') === h.join('/')) return { ok: true }
  const extra = h.filter((n) => !g.includes(n))
  const missing = g.filter((n) => !h.includes(n))
  return {
    ok: false,
    diagnostics: {
      op, args: [path], wanted: `the guest's ${g.length} entries`, found: [extra.length ? `also ${extra.join(', ')}` : '', missing.length ? `without ${missing.join(', ')}` : ''].filter(Boolean).join('; '),
      stage: 'host', class: 'silent', note: `guest: ${g.join(', ')}; host: ${h.join(', ')}`,
    },
  }
}
