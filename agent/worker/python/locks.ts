// File locks as a guest process takes them: fcntl (POSIX record locks, owned by the process),
// OFD locks (owned by the open file description) and flock, never blocking (F_SETLK, LOCK_NB):
// a conflict is an errno (EAGAIN), not a hang. Descriptors are kept by number until closed.
export const locksPy = String.raw`
import fcntl, struct
F_OFD_GETLK = getattr(fcntl, 'F_OFD_GETLK', 36)  # the Linux numbers, for a python3 older than 3.9
F_OFD_SETLK = getattr(fcntl, 'F_OFD_SETLK', 37)
LK_TYPES = {'read': fcntl.F_RDLCK, 'write': fcntl.F_WRLCK, 'unlock': fcntl.F_UNLCK}
LK_TYPE_NAMES = {v: k for k, v in LK_TYPES.items()}
LK_FLOCK = {'read': fcntl.LOCK_SH, 'write': fcntl.LOCK_EX, 'unlock': fcntl.LOCK_UN}
def lk_struct(kind, start, length):
    # struct flock: l_type, l_whence (SEEK_SET), l_start, l_len, l_pid (0: OFD locks want it so)
    return struct.pack('hhqqi', LK_TYPES[kind], 0, start, length, 0)
def lk_set(fd, how, kind, start=0, length=0):
    if how == 'flock': fcntl.flock(fd, LK_FLOCK[kind] | fcntl.LOCK_NB)
    else: fcntl.fcntl(fd, fcntl.F_SETLK if how == 'fcntl' else F_OFD_SETLK, lk_struct(kind, start, length))
@op('lk-open')
def _(a):
    return os.open(a[0], os.O_RDWR | os.O_NOFOLLOW)
@op('lk-close')
def _(a): os.close(a[0])
@op('lk-set')
def _(a): lk_set(*a)
@op('lk-get')
def _(a):
    # F_GETLK / F_OFD_GETLK: 'unlocked', or the lock in the way as 'TYPE,START,LEN,PID' (PID -1 for OFD locks)
    got = fcntl.fcntl(a[0], fcntl.F_GETLK if a[1] == 'fcntl' else F_OFD_GETLK, lk_struct(a[2], a[3], a[4]))
    kind, _whence, start, length, pid = struct.unpack('hhqqi', got)
    return 'unlocked' if kind == fcntl.F_UNLCK else '%s,%d,%d,%d' % (LK_TYPE_NAMES[kind], start, length, pid)
@op('lk-hold-child')
def _(a):
    # A process of its own opens the file and takes a write lock of kind a[1] on all of it, until killed.
    def hold():
        lk_set(os.open(a[0], os.O_RDWR | os.O_NOFOLLOW), a[1], 'write')
        return 'held'
    return child_start(hold)
`
