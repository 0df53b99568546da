// Looking: stat fields, link targets, listings, content.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import { statFields, type OpFamily } from './op-env.ts'

export const lookOps: OpFamily = {
  lstat: ({ guard }, [p]) => statFields(fs.lstatSync(guard.assertNoFollow(p))),
  stat: ({ guard }, [p]) => statFields(fs.statSync(guard.assertFollow(p))),
  readlink: ({ guard }, [p]) => fs.readlinkSync(guard.assertNoFollow(p)),
  readdir: ({ guard }, [p]) => fs.readdirSync(guard.assertFollow(p)).sort(),
  read: ({ guard }, [p]) => fs.readFileSync(guard.assertFollow(p), 'utf8'),
  /** A file's size and sha256, read in 1 MiB pieces (a large file is never held whole). */
  digest: ({ guard }, [p]) => {
    const fd = fs.openSync(guard.assertFollow(p), 'r')
    try {
      const hash = createHash('sha256')
      const buf = Buffer.alloc(1024 * 1024)
      let size = 0
      for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; size += n) hash.update(buf.subarray(0, n))
      return { size, sha256: hash.digest('hex') }
    } finally {
      fs.closeSync(fd)
    }
  },
}
