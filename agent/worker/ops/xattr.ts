// Extended attributes (through the python3 helper or the tools) and POSIX ACLs.
import { aclOp } from '../special-files.ts'
import type { OpFamily } from './op-env.ts'

export const xattrOps: OpFamily = {
  getxattr: ({ guard, special }, [p, name]) => special.call('getxattr', [guard.assertFollow(p), name]),
  setxattr: ({ guard, special }, [p, name, hex, flag = '']) => special.call('setxattr', [guard.assertFollow(p), name, hex, flag]),
  listxattr: ({ guard, special }, [p]) => special.call('listxattr', [guard.assertFollow(p)]),
  removexattr: ({ guard, special }, [p, name]) => special.call('removexattr', [guard.assertFollow(p), name]),
  setfacl: ({ guard }, [p, spec]) => aclOp('setfacl', guard.assertFollow(p), spec),
  getfacl: ({ guard }, [p]) => aclOp('getfacl', guard.assertFollow(p)),
}
