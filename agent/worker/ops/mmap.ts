// A shared writable mapping (python3's mmap): write through it, or read through one held open.
import type { OpFamily } from './op-env.ts'

export const mmapOps: OpFamily = {
  'mmap-write': ({ guard, special }, [p, text]) => special.call('mmap-write', [guard.assertFollow(p), text]),
  'mmap-open': ({ guard, special }, [p]) => special.call('mmap-open', [guard.assertFollow(p)]),
  'mmap-read': ({ special }, [id]) => special.call('mmap-read', [id]),
  'mmap-close': ({ special }, [id]) => special.call('mmap-close', [id]),
}
