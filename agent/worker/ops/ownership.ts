// Owners and modes.
import * as fs from 'node:fs'
import { command, type OpFamily } from './op-env.ts'

export const ownershipOps: OpFamily = {
  chown: ({ guard }, [p, uid, gid]) => fs.chownSync(guard.assertFollow(p), uid, gid),
  lchown: ({ guard }, [p, uid, gid]) => fs.lchownSync(guard.assertNoFollow(p), uid, gid),
  chmod: ({ guard }, [p, mode]) => fs.chmodSync(guard.assertFollow(p), mode),
  'chown-R': ({ guard }, [p, owner]) => command('chown', ['-R', String(owner), guard.assertNoFollow(p)]),
}
