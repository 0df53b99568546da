// Held descriptors: a read through an fd opened before a host edit; a write not yet closed.
import * as fs from 'node:fs'
import { fdOf, hold, type OpFamily } from './op-env.ts'

export const descriptorOps: OpFamily = {
  'fd-open': ({ guard, handles }, [p, flags = 'r']) => hold(handles, { fd: fs.openSync(guard.assertFollow(p), flags) }),
  'fd-read': ({ handles }, [handle]) => {
    const buf = Buffer.alloc(65536)
    const n = fs.readSync(fdOf(handles, handle), buf, 0, buf.length, 0)
    return buf.toString('utf8', 0, n)
  },
  'fd-write': ({ handles }, [handle, data]) => fs.writeSync(fdOf(handles, handle), String(data), 0),
  'fd-fsync': ({ handles }, [handle]) => fs.fsyncSync(fdOf(handles, handle)),
  'fd-close': ({ handles }, [handle]) => {
    fs.closeSync(fdOf(handles, handle))
    handles.delete(handle)
  },
}
