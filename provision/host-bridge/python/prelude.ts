// The host helper's prelude: how a request's path is resolved beneath a scratch dir so that a
// guest racing the host can't bend it, and the rule for which objects the bridge acts on.
// Every verb family (../verbs/*.ts) builds on these; program.ts puts them together.
//
// Resolution: the scratch dir is held by a descriptor from its claim on; every component below
// it is opened relative to its parent's descriptor with O_DIRECTORY|O_NOFOLLOW (a symlink is
// refused, never followed) and must stay on the scratch dir's file system. The object at the
// end is held by a descriptor too (O_PATH on Linux: no driver opened, no permission needed;
// /proc/self/fd/N reopens exactly that inode), and every act is done on it or relative to the
// verified parent: what was checked is what is acted on. Without O_PATH (macOS) the object is
// opened O_NONBLOCK|O_NOFOLLOW (O_SYMLINK for a symlink) and checked to be what was looked at;
// fifos, sockets and devices are then never opened.
//
// The inode rule (guard): the bridge acts on an object's inode (reads or changes its content,
// mode, owner or times, links, copies, renames or removes it) only if the bridge made it, or it
// was born in the scratch dir: not a device node, not a non-directory with other names (a hard
// link may lead to a file outside the scratch dir, and it is the same inode), not older than the
// scratch dir (moved in from elsewhere in the share), where the file system records birth times.
export const PRELUDE_PY = String.raw`
import sys, os, json, errno, stat, struct, base64, traceback, ctypes

LINUX = sys.platform.startswith('linux')
LIBC = ctypes.CDLL(None, use_errno=True)
CLOEXEC = getattr(os, 'O_CLOEXEC', 0)
# O_PATH where the host has it (Linux with /proc); LIMAFS_BRIDGE_PORTABLE=1 takes the macOS way
# on Linux too, so both are tested here.
O_PATH = getattr(os, 'O_PATH', 0) if LINUX and os.path.isdir('/proc/self/fd') and not os.environ.get('LIMAFS_BRIDGE_PORTABLE') else 0
O_SYMLINK = getattr(os, 'O_SYMLINK', 0)
NB = os.O_NONBLOCK | getattr(os, 'O_NOCTTY', 0) | CLOEXEC
DIR_FLAGS = (O_PATH or os.O_RDONLY) | os.O_DIRECTORY | os.O_NOFOLLOW | CLOEXEC
AT_EMPTY_PATH = 0x1000
MAX_READ = 1 << 20
MAX_ANSWER = 4 << 20

class Refused(Exception):
    """The bridge's rules say no; the message says why, with the request's relative path only."""

class Fail(Exception):
    """An errno, where (the request's relative path) and an optional detail."""
    def __init__(self, code, where=None, detail=None):
        Exception.__init__(self, code)
        self.code, self.where, self.detail = code, where, detail

def errname(e):
    return errno.errorcode.get(e.errno, 'E%d' % e.errno) if e.errno else 'EIO'

def sysc(rc):
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))

if LINUX:
    LIBC.fchownat.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_int]
    class Timespec(ctypes.Structure):
        _fields_ = [('sec', ctypes.c_long), ('nsec', ctypes.c_long)]
    STATX = getattr(LIBC, 'statx', None)
else:
    STATX = None

# Descriptors opened for the request being served: all closed when it ends.
FDS = []
def kept(fd):
    FDS.append(fd)
    return fd

class Scratch(object):
    __slots__ = ('fd', 'dev', 'ino', 'birth')
    def __init__(self, fd, st, birth):
        self.fd, self.dev, self.ino, self.birth = fd, st.st_dev, st.st_ino, birth

# scratch key (from the orchestrator) -> Scratch, held for the whole run
SCRATCH = {}
# (dev, ino) -> birth of the regular files the bridge made (known from their own descriptor)
MADE = {}
# what this request made, told to the orchestrator (which tells the other helpers)
NEW_MADE = []

def kind(mode):
    for test, name in ((stat.S_ISREG, 'file'), (stat.S_ISDIR, 'dir'), (stat.S_ISLNK, 'symlink'), (stat.S_ISFIFO, 'fifo'),
                       (stat.S_ISSOCK, 'socket'), (stat.S_ISCHR, 'char'), (stat.S_ISBLK, 'block')):
        if test(mode):
            return name
    return 'other'

def birth_ns(st, fd=None, parent=None, name=None):
    """When the inode was born (ns), or None where the file system does not say."""
    if hasattr(st, 'st_birthtime'):
        return int(st.st_birthtime * 1e9)
    if STATX is None:
        return None
    buf = ctypes.create_string_buffer(256)
    if fd is not None:
        rc = STATX(fd, b'', AT_EMPTY_PATH | 0x100, 0x800, buf)
    else:
        rc = STATX(parent, os.fsencode(name), 0x100, 0x800, buf)
    if rc != 0 or not struct.unpack_from('I', buf, 0)[0] & 0x800:
        return None
    sec, nsec = struct.unpack_from('qI', buf, 80)
    return sec * 1000000000 + nsec

MAX_MADE = 100000

def remember_made(st, b):
    MADE.pop((st.st_dev, st.st_ino), None)
    MADE[(st.st_dev, st.st_ino)] = b
    if len(MADE) > MAX_MADE:
        del MADE[next(iter(MADE))]  # the oldest: forgetting means more refusals, never fewer
    NEW_MADE.append([str(st.st_dev), str(st.st_ino), b])

def note_made(fd):
    st = os.fstat(fd)
    remember_made(st, birth_ns(st, fd))

def component(name):
    if not isinstance(name, str) or name in ('', '.', '..') or '/' in name or '\0' in name:
        raise Refused('a path component must be a plain name (not empty, ".", ".." or with a slash)')
    return name

def rel(at, comps):
    return '/'.join([at['name']] + list(comps))

def scratch(at):
    sc = SCRATCH.get(at.get('scratch'))
    if sc is None:
        raise Refused('%s is not a scratch dir this run claimed' % at.get('name'))
    return sc

def walk(at, sc, comps):
    """The descriptor of the dir at comps below the scratch dir: real dirs only, on its file
    system, each one the inode rule allows."""
    fd = sc.fd
    for i, name in enumerate(comps):
        component(name)
        try:
            fd = kept(os.open(name, DIR_FLAGS, dir_fd=fd))
        except OSError as e:
            link = e.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK)
            raise Fail('ELOOP' if e.errno == errno.EMLINK else errname(e), rel(at, comps[:i + 1]),
                       'a symlink or not a directory: the bridge follows no symlink' if link else None)
        st = os.fstat(fd)
        if not stat.S_ISDIR(st.st_mode):
            raise Fail('ENOTDIR', rel(at, comps[:i + 1]))
        # A dir moved in from elsewhere in the share is not walked into either.
        guard_inode(sc, st, birth_ns(st, fd=fd), rel(at, comps[:i + 1]))
    return fd

class Where(object):
    """A name in a verified dir below a scratch dir: at.path's last component and its parent."""
    def __init__(self, at):
        self.at = at
        self.sc = scratch(at)
        self.comps = at.get('path')
        if not isinstance(self.comps, list) or not self.comps:
            raise Refused('%s is the scratch dir itself: the bridge acts only on what is in it' % at.get('name'))
        self.parent = walk(at, self.sc, self.comps[:-1])
        self.name = component(self.comps[-1])
        self.must_dir = bool(at.get('dir'))
        self.rel = rel(at, self.comps)

    def fail(self, e, detail=None):
        return Fail(errname(e), self.rel, detail)

    def lstat(self):
        """lstat of the name (None when there is nothing), honouring a trailing slash."""
        try:
            st = os.stat(self.name, dir_fd=self.parent, follow_symlinks=False)
        except FileNotFoundError:
            return None
        except OSError as e:
            raise self.fail(e)
        if self.must_dir and not stat.S_ISDIR(st.st_mode):
            raise Fail('ENOTDIR', self.rel, 'a trailing slash names a directory; the bridge follows no symlink')
        return st

    def hold(self):
        """The object itself, held (see hold below); ENOENT and the like as Fail."""
        fd, st = hold(self.parent, self.name, self.rel, self.must_dir)
        return Obj(self.parent, self.name, self.rel, self.sc, fd, st)

    def create(self, flags=os.O_WRONLY, mode=0o666, name=None):
        """A new regular file (O_EXCL, never through a link), remembered as made by the bridge."""
        if self.must_dir:
            raise Fail('EISDIR', self.rel, 'a trailing slash names a directory')
        fd = kept(os.open(name or self.name, flags | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | NB, mode, dir_fd=self.parent))
        note_made(fd)
        return fd

def hold(parent, name, where, must_dir=False):
    """(descriptor or None, stat) of the object at name in the dir parent, no symlink followed:
    O_PATH on Linux; elsewhere opened (O_SYMLINK for a link) and checked to be what lstat saw,
    a fifo, socket or device never opened (None)."""
    try:
        if O_PATH:
            fd = kept(os.open(name, O_PATH | os.O_NOFOLLOW | CLOEXEC | (os.O_DIRECTORY if must_dir else 0), dir_fd=parent))
            return fd, os.fstat(fd)
        st = os.stat(name, dir_fd=parent, follow_symlinks=False)
        if must_dir and not stat.S_ISDIR(st.st_mode):
            raise OSError(errno.ENOTDIR, 'not a directory')
        fd = open_portable(parent, name, st)
        if fd is None:
            return None, st
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
            raise Fail('EAGAIN', where, 'it changed while the host looked at it')
        return fd, now
    except OSError as e:
        link = must_dir and e.errno in (errno.ELOOP, errno.ENOTDIR)
        raise Fail(errname(e), where, 'a trailing slash names a directory; the bridge follows no symlink' if link else None)

def open_portable(parent, name, st):
    m = st.st_mode
    if stat.S_ISLNK(m):
        return kept(os.open(name, os.O_RDONLY | O_SYMLINK | NB, dir_fd=parent)) if O_SYMLINK else None
    if not (stat.S_ISREG(m) or stat.S_ISDIR(m)):
        return None
    for access in ((os.O_RDONLY,) if stat.S_ISDIR(m) else (os.O_RDONLY, os.O_WRONLY)):
        try:
            return kept(os.open(name, access | os.O_NOFOLLOW | NB, dir_fd=parent))
        except PermissionError:
            continue
    return None

def listable(fd):
    """A descriptor readdir can use for the dir held by fd."""
    return kept(os.open('/proc/self/fd/%d' % fd, os.O_RDONLY | os.O_DIRECTORY | CLOEXEC)) if O_PATH else fd

def guard_inode(sc, st, birth, where, devices=False):
    """The inode rule (see the top of this file)."""
    if st.st_dev != sc.dev:
        raise Refused('%s is on another file system than the scratch dir' % where)
    if not devices and (stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)):
        raise Refused('%s is a device node: the bridge changes no device node' % where)
    made = MADE.get((st.st_dev, st.st_ino), False)
    if made is not False and (made is None or birth is None or made == birth):
        return
    if not stat.S_ISDIR(st.st_mode) and st.st_nlink > 1:
        raise Refused('%s has %d names and the bridge did not make it: it may be a hard link to a file outside the scratch dir' % (where, st.st_nlink))
    if sc.birth is not None and birth is not None and birth < sc.birth:
        raise Refused('%s is older than the scratch dir: it was moved or linked in from elsewhere, and the bridge acts only on what was made in it' % where)

class Obj(object):
    """An object below a scratch dir, held so that what is checked is what is acted on."""
    def __init__(self, parent, name, where, sc, fd, st):
        self.parent, self.name, self.rel, self.sc, self.fd, self.st = parent, name, where, sc, fd, st

    @property
    def kind(self):
        return kind(self.st.st_mode)

    def proc(self):
        return '/proc/self/fd/%d' % self.fd

    def birth(self):
        if self.fd is not None:
            return birth_ns(self.st, fd=self.fd)
        return birth_ns(self.st, parent=self.parent, name=self.name)

    def guard(self, devices=False):
        guard_inode(self.sc, self.st, self.birth(), self.rel, devices)
        return self

    def regular(self):
        if not stat.S_ISREG(self.st.st_mode):
            raise Refused('%s is a %s: the bridge reads and writes regular files only' % (self.rel, self.kind))
        return self

    def reopen(self, flags):
        """A descriptor for reading or writing this very regular file (never a fifo or device)."""
        self.regular()
        try:
            if O_PATH:
                fd = kept(os.open(self.proc(), flags | NB))
            else:
                fd = kept(os.open(self.name, flags | os.O_NOFOLLOW | NB, dir_fd=self.parent))
        except OSError as e:
            raise Fail(errname(e), self.rel)
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) != (self.st.st_dev, self.st.st_ino) or not stat.S_ISREG(now.st_mode):
            raise Fail('EAGAIN', self.rel, 'it changed while the host looked at it')
        return fd

    def unheld(self):
        return Fail('EOPNOTSUPP', self.rel, 'this host acts on a %s only through a descriptor, and could not open it' % self.kind)

    def chmod(self, mode):
        if O_PATH:
            os.chmod(self.proc(), mode)
        elif self.fd is not None:
            os.chmod(self.fd, mode)
        else:
            raise self.unheld()

    def chown(self, uid, gid):
        if O_PATH:
            sysc(LIBC.fchownat(self.fd, b'', uid, gid, AT_EMPTY_PATH))
        elif self.fd is not None:
            os.chown(self.fd, uid, gid)
        else:
            raise self.unheld()

    def utime(self, ns):
        """Sets (atime, mtime) in ns, or both to now (ns None); on a symlink, the link itself."""
        if O_PATH and stat.S_ISLNK(self.st.st_mode):
            ts = None if ns is None else (Timespec * 2)(Timespec(*divmod(ns[0], 10 ** 9)), Timespec(*divmod(ns[1], 10 ** 9)))
            sysc(LIBC.utimensat(self.fd, b'', ts, AT_EMPTY_PATH))
        elif O_PATH or self.fd is not None:
            target = self.proc() if O_PATH else self.fd
            if ns is None:
                os.utime(target)
            else:
                os.utime(target, ns=tuple(ns))
        else:
            raise self.unheld()

def write_all(fd, data):
    view = memoryview(data)
    while len(view):
        view = view[os.write(fd, view):]

def read_bounded(fd, limit, what):
    chunks, total = [], 0
    while True:
        chunk = os.read(fd, min(1 << 20, limit + 1 - total))
        if not chunk:
            return b''.join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise Fail('EFBIG', what, 'larger than the %d bytes the bridge reads' % limit)

OPS = {}
def op(name):
    def register(f):
        if name in OPS:
            raise ValueError('op %s is defined twice' % name)
        OPS[name] = f
        return f
    return register
`
