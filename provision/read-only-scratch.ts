// The scratch dir of a read-only share: the guest can make nothing there, so the orchestrator
// makes a `.limafs-XXXXXX` dir on the host side, fills it with the read-only suite's files
// (suites/read-only/fixture.ts), registers it with the host bridge, and removes it after the
// run. The dir is fresh (mkdtemp) and every file in it is made O_EXCL: nothing already there
// is followed or overwritten. As root (the testbed), its owner is the share dir's owner, so the
// bridge's helper (which acts as that owner) may change the files as the host's user would.
import { chmodSync, closeSync, constants, fchmodSync, futimesSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURE, FIXTURE_DIR, largeContent } from '../suites/read-only/fixture.ts'

/** Makes the scratch dir with the fixture in the share's host dir; returns its host path. */
export function makeReadOnlyScratch(hostDir: string): string {
  const scratch = mkdtempSync(join(hostDir, '.limafs-'))
  try {
    const owner = lstatSync(hostDir)
    const own = (p: string) => {
      if (process.getuid?.() === 0) lchownSync(p, owner.uid, owner.gid)
    }
    own(scratch)
    const base = join(scratch, FIXTURE_DIR)
    mkdirSync(base, 0o755)
    own(base)
    for (const e of FIXTURE) {
      const p = join(base, e.name)
      // Modes set after making, so the user's umask does not change what the suite expects.
      if (e.kind === 'dir') {
        mkdirSync(p)
        chmodSync(p, e.mode)
      }
      else if (e.kind === 'symlink') symlinkSync(e.target, p)
      else {
        const fd = openSync(p, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, e.mode)
        try {
          fchmodSync(fd, e.mode)
          const data = e.content === 'LARGE' ? largeContent() : Buffer.from(e.content)
          for (let off = 0; off < data.length;) off += writeSync(fd, data, off)
          if (e.mtimeS !== undefined) futimesSync(fd, e.mtimeS, e.mtimeS)
        } finally {
          closeSync(fd)
        }
      }
      own(p)
    }
    return scratch
  } catch (err) {
    removeReadOnlyScratch(scratch)
    throw err
  }
}

/** Removes it (rm -rf, following no link: rmSync looks at each entry with lstat). */
export function removeReadOnlyScratch(scratch: string): void {
  rmSync(scratch, { recursive: true, force: true })
}
