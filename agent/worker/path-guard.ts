// The agent must never touch anything outside its own scratch directories: the share may be a
// user's home. Every path an op gets is checked here first, in the worker (realpath on a share
// can hang like any other call).
import { readlinkSync, realpathSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'

export class OutsideScratch extends Error {
  readonly errno = 'EOUTSIDE'
}

/** The scratch dir name pattern: `.limafs-` and a random suffix. */
export const SCRATCH_NAME = /^\.limafs-[A-Za-z0-9]{6,}$/

export class PathGuard {
  private readonly roots = new Set<string>()
  /**
   * Directories already resolved inside a root. realpath walks every component (a 9p round
   * trip each, costing more than the op itself), so a dir is resolved once; ops that can
   * change what a dir path is (rename, rmdir, removal) forget it.
   */
  private readonly resolvedDirs = new Set<string>()

  constructor(private readonly mountPaths: readonly string[]) {}

  addRoot(root: string): void {
    this.roots.add(resolve(root))
    // A --mount path reached through a symlink: parents resolve to the root's real path.
    try {
      this.roots.add(realpathSync(root))
    } catch {
      // Not there (yet): every op inside it fails on its own with ENOENT.
    }
  }

  /** Is p (already absolute and resolved) a scratch root or below one? */
  private under(p: string): boolean {
    for (const root of this.roots) if (p === root || p.startsWith(`${root}/`)) return true
    return false
  }

  /** A --mount path itself (only ever looked at). */
  assertMountPath(p: string): string {
    const abs = resolve(p)
    if (!this.mountPaths.some((m) => resolve(m) === abs)) throw new OutsideScratch(`refusing ${p}: not a --mount path`)
    return abs
  }

  /** A scratch dir itself (created, listed or removed by the agent): PATH/.limafs-XXXXXX. */
  assertScratchDir(p: string): string {
    const abs = resolve(p)
    if (!this.mountPaths.some((m) => resolve(m) === dirname(abs)) || !SCRATCH_NAME.test(basename(abs))) {
      throw new OutsideScratch(`refusing ${p}: not a .limafs-* scratch dir directly inside a --mount path`)
    }
    return abs
  }

  /**
   * For ops that do not follow the last component (lstat, lchown, unlink, mkdir, symlink...):
   * the path is lexically inside a scratch root and its parent really is (no symlinked dirs).
   */
  assertNoFollow(p: string): string {
    const abs = resolve(p)
    if (!this.under(abs)) throw new OutsideScratch(`refusing ${p}: outside the scratch dir`)
    if (this.roots.has(abs)) return abs
    const dir = dirname(abs)
    if (this.resolvedDirs.has(dir)) return abs
    const parent = realpathSync(dir)
    if (!this.under(parent)) throw new OutsideScratch(`refusing ${p}: its directory resolves outside the scratch dir (${parent})`)
    this.resolvedDirs.add(dir)
    return abs
  }

  /**
   * A dir an op just made (mkdir never follows) in a dir already resolved inside a root: it is a
   * real dir there, so it resolves inside too, without a realpath (a 9p round trip per component).
   */
  made(dir: string): void {
    const abs = resolve(dir)
    const parent = dirname(abs)
    if (this.resolvedDirs.has(parent) || this.roots.has(parent)) this.resolvedDirs.add(abs)
  }

  /** A path (and everything below it) may now be something else: resolve it again next time. */
  forget(p: string): void {
    const abs = resolve(p)
    for (const dir of this.resolvedDirs) if (dir === abs || dir.startsWith(`${abs}/`)) this.resolvedDirs.delete(dir)
  }

  /** For ops that follow symlinks (stat, chown, open, chmod): where it leads must be inside too. */
  assertFollow(p: string, depth = 0): string {
    const abs = this.assertNoFollow(p)
    if (depth > 40) return abs // the op itself will say ELOOP
    let target: string
    try {
      target = readlinkSync(abs)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EINVAL' || code === 'ENOENT') return abs // not a symlink, or not there
      throw err // ELOOP, EIO...: following would fail the same way
    }
    this.assertFollow(resolve(dirname(abs), target), depth + 1)
    return abs
  }
}
