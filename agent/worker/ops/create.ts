// Making objects: files, dirs, symlinks, hard links, fifos, device nodes.
import * as fs from 'node:fs'
import type { OpFamily } from './op-env.ts'

export const createOps: OpFamily = {
  create: ({ guard }, [p, mode = 0o644]) => fs.closeSync(fs.openSync(guard.assertNoFollow(p), 'wx', mode)),
  mkdir: ({ guard }, [p, mode = 0o755]) => {
    fs.mkdirSync(guard.assertNoFollow(p), mode)
    guard.made(p)
  },
  symlink: ({ guard }, [target, p]) => fs.symlinkSync(target, guard.assertNoFollow(p)),
  link: ({ guard }, [existing, p]) => fs.linkSync(guard.assertNoFollow(existing), guard.assertNoFollow(p)),
  mkfifo: ({ guard, special }, [p, mode = 0o644]) => special.call('mkfifo', [guard.assertNoFollow(p), mode]),
  mknod: ({ guard, special }, [p, mode, type, major, minor]) => special.call('mknod', [guard.assertNoFollow(p), mode, type, major, minor]),
  // creating with a umask in force (the worker is single-threaded: restoring it is enough)
  'umask-create': ({ guard }, [p, umask, mode]) => {
    const old = process.umask(umask)
    try {
      fs.closeSync(fs.openSync(guard.assertNoFollow(p), 'wx', mode))
    } finally {
      process.umask(old)
    }
  },
}
