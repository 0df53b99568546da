// Holding a dir open keeps its dentry, and its parents', in the guest's cache while checks work
// in it. On 9p with cache=none or mmap an unused dentry is dropped at once, so every path op
// would walk each component again (a round trip each, ~5 ms under emulation): held, only the
// last component is walked. Released with fd-close (before drop_caches and remounts).
import * as fs from 'node:fs'
import { hold, type OpFamily } from './op-env.ts'

export const dirHoldOps: OpFamily = {
  'dir-hold': ({ guard, handles }, [p]) => hold(handles, { fd: fs.openSync(guard.assertNoFollow(p), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW) }),
}
