// Locks between guest processes: each op names the guest process that acts ('a', 'b': python3
// helpers of their own, see SpecialFiles.callIn), so two processes really are two. Descriptors
// are numbers in that process. A lock never blocks: a conflict is EAGAIN (fcntl, OFD, flock).
// SQLite connections live in those processes too.
import type { OpFamily } from './op-env.ts'

export const lockOps: OpFamily = {
  /** Starts the named guest processes side by side (a start costs ~0.5 s under emulation). */
  'procs-start': ({ special }, names) => special.warm(names.map(String)),
  'proc-pid': ({ special }, [proc]) => special.callIn(proc, 'pid', []),
  'lock-open': ({ guard, special }, [proc, p]) => special.callIn(proc, 'lk-open', [guard.assertFollow(p)]),
  'lock-close': ({ special }, [proc, fd]) => special.callIn(proc, 'lk-close', [fd]),
  /** lock PROC FD fcntl|ofd|flock read|write|unlock [START LEN] (LEN 0: to the end of the file). */
  lock: ({ special }, [proc, fd, how, kind, start = 0, length = 0]) => special.callIn(proc, 'lk-set', [fd, how, kind, start, length]),
  /** F_GETLK / F_OFD_GETLK: 'unlocked' or 'TYPE,START,LEN,PID' of the lock in the way. */
  'lock-get': ({ special }, [proc, fd, how, kind, start = 0, length = 0]) => special.callIn(proc, 'lk-get', [fd, how, kind, start, length]),
  /** A process of its own takes a write lock of a kind on all of a file and holds it until killed (child-kill): its pid. */
  'lock-hold-child': ({ guard, special }, [p, how]) => special.call('lk-hold-child', [guard.assertFollow(p), how]),
  'sqlite-version': ({ special }, [proc]) => special.callIn(proc, 'sql-version', []),
  'sqlite-open': ({ guard, special }, [proc, p]) => special.callIn(proc, 'sql-open', [guard.assertNoFollow(p)]),
  /** One SQL statement on a connection: the rows as text (',' between columns, ';' between rows). */
  sqlite: ({ special }, [proc, handle, statement]) => special.callIn(proc, 'sql', [handle, statement]),
  'sqlite-close': ({ special }, [proc, handle]) => special.callIn(proc, 'sql-close', [handle]),
}
