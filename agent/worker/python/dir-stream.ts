// Directory streams as programs read them: libc's own opendir/readdir through ctypes. Held open
// across requests (dir-stream-*: read part of a dir, let the host add entries, read on), and
// telldir/seekdir/rewinddir, which neither Node nor Python's os module offers, on one stream
// (dir-seek). Node's Dir would do for reading in steps, but it lstats every entry whose type
// readdir leaves unknown: on 9p shares a round trip each (4.5 s for 2000 entries, cache=mmap).
//
// dir-seek reads SKIP names, remembers telldir, reads SPAN more, seekdir back and reads SPAN
// again (they must be the same names); then rewinddir and the first SPAN names again. "." and ".." are read like any entry (they hold stream positions
// too) but left out of what is returned. struct dirent is the LP64 layout glibc and musl share.
export const dirStreamPy = String.raw`
class Dirent(ctypes.Structure):
    _fields_ = [('d_ino', ctypes.c_uint64), ('d_off', ctypes.c_int64), ('d_reclen', ctypes.c_ushort),
                ('d_type', ctypes.c_ubyte), ('d_name', ctypes.c_char * 256)]
_readdir = getattr(LIBC, 'readdir64', None) or LIBC.readdir
_readdir.restype = ctypes.POINTER(Dirent)
_readdir.argtypes = [ctypes.c_void_p]
LIBC.opendir.restype = ctypes.c_void_p
LIBC.opendir.argtypes = [ctypes.c_char_p]
LIBC.closedir.argtypes = [ctypes.c_void_p]
LIBC.telldir.restype = ctypes.c_long
LIBC.telldir.argtypes = [ctypes.c_void_p]
LIBC.seekdir.restype = None
LIBC.seekdir.argtypes = [ctypes.c_void_p, ctypes.c_long]
LIBC.rewinddir.restype = None
LIBC.rewinddir.argtypes = [ctypes.c_void_p]

def _next(d):
    """The next entry's name (bytes), or None at the end of the stream."""
    while True:
        ctypes.set_errno(0)
        p = _readdir(d)
        if not p:
            e = ctypes.get_errno()
            if e:
                raise OSError(e, os.strerror(e))
            return None
        name = p.contents.d_name
        if name not in (b'.', b'..'):
            return name

def _take(d, n):
    out = []
    while len(out) < n:
        name = _next(d)
        if name is None:
            break
        out.append(name.decode('utf-8', 'backslashreplace'))
    return out

# Streams held open across requests (the dirs suite reads part, the host adds, it reads on).
STREAMS = {}

def _open(path):
    d = LIBC.opendir(os.fsencode(path))
    if not d:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return d

@op('dir-stream-open')
def _(a):
    v = max(STREAMS, default=0) + 1
    STREAMS[v] = _open(a[0])
    return v

@op('dir-stream-read')
def _(a):
    d = STREAMS.get(a[0])
    if d is None:
        raise OSError(errno.EBADF, 'no open directory stream %s' % a[0])
    return _take(d, int(a[1]))

@op('dir-stream-close')
def _(a):
    d = STREAMS.pop(a[0], None)
    if d is not None:
        LIBC.closedir(d)

@op('dir-seek')
def _(a):
    path, skip, span = a[0], int(a[1]), int(a[2])
    d = _open(path)
    try:
        head = _take(d, skip)
        pos = LIBC.telldir(d)
        ahead = _take(d, span)
        LIBC.seekdir(d, pos)
        again = _take(d, span)
        LIBC.rewinddir(d)
        rewound = _take(d, min(span, len(head)))
        return {'head': head[:span], 'position': str(pos), 'ahead': ahead, 'again': again, 'rewound': rewound}
    finally:
        LIBC.closedir(d)
`
