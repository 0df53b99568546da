// Changing content and names.
import * as fs from 'node:fs'
import type { OpFamily } from './op-env.ts'

export const contentOps: OpFamily = {
  write: ({ guard }, [p, data]) => fs.writeFileSync(guard.assertFollow(p), String(data)),
  append: ({ guard }, [p, data]) => fs.appendFileSync(guard.assertFollow(p), String(data)),
  truncate: ({ guard }, [p, length]) => fs.truncateSync(guard.assertFollow(p), length),
  rename: ({ guard }, [from, to]) => {
    fs.renameSync(guard.assertNoFollow(from), guard.assertNoFollow(to))
    guard.forget(from)
    guard.forget(to)
  },
  unlink: ({ guard }, [p]) => fs.unlinkSync(guard.assertNoFollow(p)),
  rmdir: ({ guard }, [p]) => {
    fs.rmdirSync(guard.assertNoFollow(p))
    guard.forget(p)
  },
}
