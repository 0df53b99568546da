// utimensat(2) and futimens(2) with exact nanoseconds, UTIME_NOW and UTIME_OMIT (os.utime has
// no UTIME_OMIT): through ctypes. A time is "SECONDS.NANOSECONDS", "now" or "omit". Linux values.
export const timesPy = String.raw`
class _Timespec(ctypes.Structure):
    _fields_ = [('tv_sec', ctypes.c_long), ('tv_nsec', ctypes.c_long)]
UTIME_NOW, UTIME_OMIT = (1 << 30) - 1, (1 << 30) - 2
AT_FDCWD, AT_SYMLINK_NOFOLLOW = -100, 0x100
def _timespecs(atime, mtime):
    def one(v):
        if v == 'now': return _Timespec(0, UTIME_NOW)
        if v == 'omit': return _Timespec(0, UTIME_OMIT)
        s, _, n = v.partition('.')
        return _Timespec(int(s), int((n + '000000000')[:9]))
    return (_Timespec * 2)(one(atime), one(mtime))
@op('utimensat')
def _(a):
    flags = 0 if a[3] == 'follow' else AT_SYMLINK_NOFOLLOW
    sysc(LIBC.utimensat(AT_FDCWD, a[0].encode(), _timespecs(a[1], a[2]), flags))
@op('futimens')
def _(a):
    fd = os.open(a[0], os.O_RDONLY)
    try:
        sysc(LIBC.futimens(fd, _timespecs(a[1], a[2])))
    finally:
        os.close(fd)
`
