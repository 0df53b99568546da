// Verbs that hold a lock on a regular file for a while, as another process on the host would:
// lock (fcntl or flock, write lock, the whole file, never waiting) and unlock. The locks suite
// asks whether a guest process and a host process see each other's locks across the share.
//
// The lock lives on a descriptor of its own (a dup of the held file's, outside the request's
// descriptors, which are closed when the request ends). 'fcntl' is an OFD lock on Linux
// (F_OFD_SETLK): it conflicts with other processes' POSIX locks as a POSIX lock does, but is not
// dropped when the helper closes some other descriptor of the same file (a `look` at it), which
// a per-process POSIX lock would be. macOS has no OFD locks: there it is a POSIX lock (lockf),
// which such a close would drop. Hostile input: at most MAX_LOCKS held at once, each for at most
// MAX_HOLD_MS (a timer thread lets go), handles random and checked; the helper's exit drops all.
import { z } from 'zod'
import { verb, type VerbFamily } from './verb.ts'

/** The longest a lock is held (the guest's wait for it is shorter). */
export const MAX_HOLD_MS = 10_000
/** Locks one helper holds at once. */
export const MAX_LOCKS = 16

const python = String.raw`
import fcntl, secrets, threading

MAX_LOCKS = ${MAX_LOCKS}
LOCKS = {}  # handle -> (descriptor, dev, ino)
LOCKS_LOCK = threading.Lock()

def let_go(handle):
    with LOCKS_LOCK:
        held = LOCKS.pop(handle, None)
    if held is not None:
        os.close(held[0])  # the lock goes with its last descriptor (OFD and flock alike)

@op('lock')
def _(req):
    w = Where(req['at'])
    o = w.hold().guard()
    fd = os.dup(o.reopen(os.O_RDWR))
    try:
        with LOCKS_LOCK:
            if len(LOCKS) >= MAX_LOCKS:
                raise Refused('the bridge holds %d locks already' % MAX_LOCKS)
        if req['args']['kind'] == 'flock':
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        elif hasattr(fcntl, 'F_OFD_SETLK'):
            fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack('hhqqi', fcntl.F_WRLCK, 0, 0, 0, 0))
        else:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        os.close(fd)
        raise Fail(errname(e), o.rel, 'the lock is taken' if e.errno in (errno.EAGAIN, errno.EACCES) else None)
    except Exception:
        os.close(fd)
        raise
    handle = secrets.token_hex(8)
    with LOCKS_LOCK:
        LOCKS[handle] = (fd, o.st.st_dev, o.st.st_ino)
    timer = threading.Timer(req['args']['holdMs'] / 1000.0, let_go, [handle])
    timer.daemon = True
    timer.start()
    return handle

@op('unlock')
def _(req):
    w = Where(req['at'])
    o = w.hold()
    handle = req['args']['handle']
    with LOCKS_LOCK:
        held = LOCKS.get(handle)
    if held is None or held[1:] != (o.st.st_dev, o.st.st_ino):
        raise Fail('ENOENT', o.rel, 'no lock of the bridge on it by that handle (let go already?)')
    let_go(handle)
`

export const locksFamily: VerbFamily = {
  python,
  verbs: {
    lock: verb({
      doc: `takes a write lock on a regular file (kind fcntl: OFD on Linux, POSIX on macOS; or flock) without waiting, holds it holdMs (at most ${MAX_HOLD_MS}) or until unlock; answers a handle; EAGAIN when taken`,
      args: z.object({ kind: z.enum(['fcntl', 'flock']), holdMs: z.number().int().min(1).max(MAX_HOLD_MS) }).strict(),
    }),
    unlock: verb({ doc: 'lets go of a lock the bridge holds on that file, by its handle', args: z.object({ handle: z.string().regex(/^[0-9a-f]{16}$/) }).strict() }),
  },
}
