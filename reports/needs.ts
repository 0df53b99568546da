// What users need from a share, each as the check ids that measure it, and usage profiles as
// sets of needs. ONE declarative table: the answer table of summary.md and report.html, and
// `limafs recommend` (--need, --profile) read it. Globs over check ids, `*` spans `/` (as in the
// matrix's expect). A suite no need names yet still shows in the heat map and the matrix; add
// its need here to put it in the answer.

export const NEEDS = ['ownership', 'symlinks', 'xattrs', 'host-edits', 'times', 'locks', 'open-files', 'names', 'dirs', 'space', 'read-only', 'migrate', 'speed'] as const
export type Need = (typeof NEEDS)[number]

/** Earlier names of needs, still taken by `limafs recommend --need`. */
export const NEED_ALIASES: Readonly<Record<string, Need>> = { chown: 'ownership' }

export interface NeedSpec {
  need: Need
  /** The column header of the answer table. */
  label: string
  /** One line: what keeping it means (`limafs recommend --help`). */
  what: string
}

export const NEED_SPECS: readonly NeedSpec[] = [
  { need: 'ownership', label: 'ownership', what: 'guest chown/chgrp and chmod work, show at once and last (drop_caches, remount, restart); setuid/setgid, umask, special files' },
  { need: 'symlinks', label: 'symlinks', what: 'guest symlinks are real symlinks on the host and last; host symlinks read and follow in the guest' },
  { need: 'xattrs', label: 'xattrs', what: 'user.* xattrs round-trip and last' },
  { need: 'host-edits', label: 'host edits seen', what: 'host changes seen in the guest within the window (by path, by an open descriptor) and by its next open, guest writes seen on the host, host-side edits keep guest metadata right' },
  { need: 'times', label: 'times', what: 'atime/mtime/ctime move as POSIX says and explicit times last' },
  { need: 'locks', label: 'locks', what: 'fcntl, OFD and flock locks conflict as on a local fs, between guest processes and with the host; SQLite' },
  { need: 'open-files', label: 'open files', what: 'an open file survives unlink, rename and host changes (the temp-file pattern), O_APPEND, O_TMPFILE' },
  { need: 'names', label: 'names', what: 'long, odd and non-UTF-8 names kept byte for byte; case and Unicode forms kept apart' },
  { need: 'dirs', label: 'big dirs', what: 'large directories list exactly (no entry missing or twice), telldir/seekdir' },
  { need: 'space', label: 'space', what: 'fallocate, sparse files, statfs, ENOSPC fails loud and keeps what was written' },
  { need: 'read-only', label: 'read-only', what: 'on a read-only share: every guest write fails EROFS (loud), the host\'s content reads back whole (a large file, symlinks, modes, mtime)' },
  { need: 'migrate', label: 'model switch', what: 'a tree made under one security model reads right under another' },
  { need: 'speed', label: 'speed', what: 'the bench suite\'s ratios to tmpfs (the fastest among the configs that meet the other needs)' },
]

/**
 * The checks that decide a need. With `when`, a group counts only when those needs are asked for
 * too (chown -h on a symlink is a symlink matter only when ownership matters).
 */
export interface CheckGroup {
  need: Need
  when?: readonly Need[]
  checks: readonly string[]
  except?: readonly string[]
}

export const CHECK_GROUPS: readonly CheckGroup[] = [
  // chown/chgrp made in the guest (the call, at once, after drop_caches, remount and restart, what the host stored); modes and special files.
  { need: 'ownership', checks: ['chown/*', 'modes/*'] },
  // symlinks made in the guest (and what the host gets), symlinks made on the host (readlink, follow).
  { need: 'symlinks', checks: ['symlink/*'], except: ['symlink/lchown*', 'symlink/host-made/lchown'] },
  { need: 'symlinks', when: ['ownership'], checks: ['symlink/lchown*', 'symlink/host-made/lchown'] },
  { need: 'xattrs', checks: ['xattr/*'], except: ['xattr/trusted/*', 'xattr/security/*', 'xattr/acl/*', 'xattr/empty-value/*'] },
  {
    need: 'host-edits',
    // open-after-stat: the guest's next open reads what the host wrote (an editor's save, a build).
    checks: ['coherence/host-*', 'coherence/guest-write-*/host-sees', 'host-side/*', 'read-only/host-change/*', 'open-files/host-rewritten/*'],
    except: ['coherence/*mmap*', 'coherence/*/after-drop-caches', 'read-only/host-change/after-drop-caches'],
  },
  { need: 'times', checks: ['times/*'] },
  { need: 'locks', checks: ['locks/*'] },
  { need: 'open-files', checks: ['open-files/*'] },
  { need: 'names', checks: ['names/*'] },
  { need: 'dirs', checks: ['dirs/*'] },
  { need: 'space', checks: ['space/*'] },
  { need: 'read-only', checks: ['read-only/refuses/*', 'read-only/reads/*'] },
  { need: 'migrate', checks: ['migrate/*'] },
  { need: 'speed', checks: ['bench/*'] },
]

/** Checks near a need that it does not require: listed when they fail on a recommended config. */
export const CAVEAT_GROUPS: ReadonlyArray<{ need: Need; checks: readonly string[]; what: string }> = [
  { need: 'xattrs', checks: ['xattr/trusted/*', 'xattr/security/*', 'xattr/acl/*', 'xattr/empty-value/*'], what: 'trusted.* and security.* xattrs, POSIX ACLs, empty values' },
  { need: 'host-edits', checks: ['coherence/*mmap*', 'coherence/inotify/*', 'coherence/*/after-drop-caches', 'read-only/host-change/after-drop-caches'], what: 'mmap, inotify, drop_caches' },
]

export interface Profile {
  name: string
  /** What a person does: the heading of its recommendation. */
  title: string
  needs: readonly Need[]
}

/** Ways people use a share, each a set of needs; `limafs recommend --profile NAME`. */
export const PROFILES: readonly Profile[] = [
  { name: 'host-edit-guest-build', title: 'edit on the host, build in the guest', needs: ['host-edits', 'times', 'symlinks', 'dirs'] },
  { name: 'guest-databases', title: 'databases and package managers in the guest', needs: ['ownership', 'symlinks', 'locks', 'open-files', 'space'] },
  { name: 'git-both-sides', title: 'git on both sides', needs: ['host-edits', 'times', 'symlinks', 'names', 'dirs'] },
  { name: 'containers-in-guest', title: 'containers and their volumes in the guest', needs: ['ownership', 'symlinks', 'xattrs', 'names'] },
]

export function specOf(need: Need): NeedSpec {
  return NEED_SPECS.find((s) => s.need === need)!
}

/** A need's check globs, as help and "not measured" lines quote them. */
export function needChecksText(need: Need): string {
  return CHECK_GROUPS.filter((g) => g.need === need && !g.when).flatMap((g) => g.checks).join(', ')
}

/** A need by its name or an earlier alias; undefined when unknown. */
export function needNamed(name: string): Need | undefined {
  return (NEEDS as readonly string[]).includes(name) ? (name as Need) : NEED_ALIASES[name]
}
