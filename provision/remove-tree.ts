// Removes a host dir and everything in it, however deep. A share the guest wrote may hold a path
// longer than the host's PATH_MAX (the names suite's path-max tree, left by a run that was
// stopped before it removed it: the host path adds the share's own prefix), and Node's rmSync
// then fails with ENAMETOOLONG, which left `limafs testbed up` unable to clean up a dead testbed.
// rm -rf (GNU's and the BSDs') walks a tree by descriptor, never by a whole path, and follows no
// symlink either.
import { rmSync } from 'node:fs'
import { runChecked } from './process.ts'

export async function removeHostTree(dir: string): Promise<void> {
  try {
    rmSync(dir, { recursive: true, force: true })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENAMETOOLONG') throw err
    await runChecked('rm', ['-rf', '--', dir])
  }
}
