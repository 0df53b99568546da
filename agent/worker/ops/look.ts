// Looking: stat fields, link targets, listings, content.
import * as fs from 'node:fs'
import { statFields, type OpFamily } from './op-env.ts'

export const lookOps: OpFamily = {
  lstat: ({ guard }, [p]) => statFields(fs.lstatSync(guard.assertNoFollow(p))),
  stat: ({ guard }, [p]) => statFields(fs.statSync(guard.assertFollow(p))),
  readlink: ({ guard }, [p]) => fs.readlinkSync(guard.assertNoFollow(p)),
  readdir: ({ guard }, [p]) => fs.readdirSync(guard.assertFollow(p)).sort(),
  read: ({ guard }, [p]) => fs.readFileSync(guard.assertFollow(p), 'utf8'),
}
