// Space as applications ask for it: posix_fallocate, fallocate(2) modes (through libc: python3
// has no os.fallocate), SEEK_DATA/SEEK_HOLE, statvfs, and filling a file until the share is full.
export const spacePy = String.raw`
FALLOC_MODES = {'': 0, 'keep-size': 1, 'punch-hole': 3}  # punch-hole needs keep-size with it
def sp_open(path, flags=os.O_RDWR):
    return os.open(path, flags | os.O_NOFOLLOW)
@op('sp-fallocate')
def _(a):
    fd = sp_open(a[0])
    try: sysc(LIBC.fallocate(fd, FALLOC_MODES[a[1]], ctypes.c_long(a[2]), ctypes.c_long(a[3])))
    finally: os.close(fd)
@op('sp-posix-fallocate')
def _(a):
    fd = sp_open(a[0])
    try: os.posix_fallocate(fd, a[1], a[2])
    finally: os.close(fd)
@op('sp-seek')
def _(a):
    fd = sp_open(a[0], os.O_RDONLY)
    try: return os.lseek(fd, a[1], os.SEEK_DATA if a[2] == 'data' else os.SEEK_HOLE)
    finally: os.close(fd)
@op('sp-statvfs')
def _(a):
    st = os.statvfs(a[0])
    return {'frsize': st.f_frsize, 'blocks': st.f_blocks, 'bfree': st.f_bfree, 'bavail': st.f_bavail,
            'totalBytes': st.f_blocks * st.f_frsize, 'freeBytes': st.f_bfree * st.f_frsize, 'availBytes': st.f_bavail * st.f_frsize}
@op('sp-fill')
def _(a):
    # Writes chunks of a[1] bytes ('F') to a new file a[0] until a write fails or a[2] bytes went
    # in; then fsync and close. What each of them said: bytes written, and the errno (or 'ok').
    fd = os.open(a[0], os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    chunk = b'F' * a[1]
    wrote, write_errno = 0, 'ok'
    try:
        while wrote < a[2]:
            wrote += os.write(fd, chunk[:min(a[1], a[2] - wrote)])
    except OSError as e:
        write_errno = errno.errorcode.get(e.errno, 'EIO')
    def said(f):
        try:
            f()
            return 'ok'
        except OSError as e: return errno.errorcode.get(e.errno, 'EIO')
    return {'wrote': wrote, 'write': write_errno, 'fsync': said(lambda: os.fsync(fd)), 'close': said(lambda: os.close(fd))}
@op('sp-count')
def _(a):
    # How many bytes of file a[0], from its start, are byte a[1] before the first that is not.
    want, n = a[1].encode(), 0
    with open(a[0], 'rb', buffering=0) as f:
        while True:
            block = f.read(131072)
            if not block: return n
            kept = len(block) - len(block.lstrip(want))
            n += kept
            if kept < len(block): return n
`
