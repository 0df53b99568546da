// Verbs that only look: look (the host truth of one object), list (a dir's entries), statfs.
// They read metadata, never content or an inode's data, so the inode rule does not apply; they
// resolve like every verb (no symlink followed, not outside a scratch dir). The path may be the
// scratch dir itself.
import { decodeVirtfs, parseVirtfsMetadata } from '../host-truth.ts'
import type { HostTruth } from '../../../agent/diagnostics.ts'
import type { FileType } from '../../../agent/file-type.ts'
import { NoArgs, verb, type VerbFamily } from './verb.ts'

const python = String.raw`
MAX_XATTRS = 256
MAX_XATTR_BYTES = 1 << 20
MAX_LIST = 50000
ENOATTR = getattr(errno, 'ENOATTR', errno.ENODATA)

if hasattr(os, 'listxattr'):
    def list_xattrs(p):
        return os.listxattr(p, follow_symlinks=False)
    def get_xattr(p, n):
        return os.getxattr(p, n, follow_symlinks=False)
else:
    # macOS: libc's listxattr/getxattr with XATTR_NOFOLLOW (Python's os has no xattrs there).
    LIBC.listxattr.restype = LIBC.getxattr.restype = ctypes.c_ssize_t
    LIBC.listxattr.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int]
    LIBC.getxattr.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint32, ctypes.c_int]
    def sized(call):
        size = call(None, 0)
        if size < 0:
            sysc(-1)
        buf = ctypes.create_string_buffer(size or 1)
        size = call(buf, size)
        if size < 0:
            sysc(-1)
        return buf.raw[:size]
    def list_xattrs(p):
        b = os.fsencode(p)
        raw = sized(lambda buf, n: LIBC.listxattr(b, buf, n, 1))
        return [n.decode('utf-8', 'surrogateescape') for n in raw.split(b'\0') if n]
    def get_xattr(p, n):
        b, nb = os.fsencode(p), n.encode('utf-8', 'surrogateescape')
        return sized(lambda buf, size: LIBC.getxattr(b, nb, buf, size, 0, 1))

def read_xattrs(dir_fd, name, st):
    """(xattrs as hex, None) or (None, errno): by the bare name from its verified dir (fchdir;
    the helper has one thread), never following a link, then checked to be the object looked at."""
    os.fchdir(dir_fd)
    values, total = {}, 0
    try:
        for n in list_xattrs(name)[:MAX_XATTRS]:
            try:
                v = get_xattr(name, n)
            except OSError as e:
                if e.errno == ENOATTR:
                    continue
                raise
            total += len(v)
            if total > MAX_XATTR_BYTES:
                return None, 'E2BIG'
            values[n] = v.hex()
        now = os.stat(name, follow_symlinks=False)
    except OSError as e:
        if e.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
            return {}, None
        return None, errname(e)
    if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
        return None, 'EAGAIN'
    return values, None

def read_metadata(parent, name):
    """QEMU mapped-file's DIR/.virtfs_metadata/NAME, resolved like any path (no link followed)."""
    try:
        md = kept(os.open('.virtfs_metadata', DIR_FLAGS, dir_fd=parent))
        fd, st = hold(md, name, name)
        if not stat.S_ISREG(st.st_mode):
            return None
        o = Obj(md, name, name, None, fd, st)
        return read_bounded(o.reopen(os.O_RDONLY), 65536, name).decode('utf-8', 'replace')
    except (OSError, Fail, Refused):
        return None

@op('look')
def _(req):
    at = req['at']
    sc = scratch(at)
    if not at.get('path'):
        parent, name, st = sc.fd, '.', os.fstat(sc.fd)
    else:
        try:
            w = Where(at)
            st = w.lstat()
        except Fail as e:
            if e.code != 'ENOENT':
                raise
            st = None
        if st is None:
            return {'exists': False, 'error': 'ENOENT'}
        parent, name = w.parent, w.name
    truth = {'exists': True, 'type': kind(st.st_mode), 'uid': st.st_uid, 'gid': st.st_gid, 'mode': stat.S_IMODE(st.st_mode), 'size': st.st_size}
    if stat.S_ISLNK(st.st_mode):
        truth['symlinkTarget'] = os.readlink(name, dir_fd=parent)
    xattrs, why = read_xattrs(parent, name, st)
    if why:
        truth['xattrError'] = why
    else:
        truth['xattrs'] = xattrs
    if name != '.':
        md = read_metadata(parent, name)
        if md is not None:
            truth['metadata'] = md
    return truth

def target_dir(at):
    sc = scratch(at)
    comps = at.get('path') or []
    return walk(at, sc, comps) if comps else sc.fd

@op('list')
def _(req):
    entries = []
    for e in os.scandir(listable(target_dir(req['at']))):
        if len(entries) >= MAX_LIST:
            raise Fail('E2BIG', rel(req['at'], req['at'].get('path') or []), 'more than the %d entries the bridge lists' % MAX_LIST)
        raw = os.fsencode(e.name)
        t = 'symlink' if e.is_symlink() else 'dir' if e.is_dir(follow_symlinks=False) else 'file' if e.is_file(follow_symlinks=False) else kind(e.stat(follow_symlinks=False).st_mode)
        entries.append((raw, t))
    entries.sort()
    return [{'name': raw.decode('utf-8', 'replace'), 'hex': raw.hex(), 'type': t} for raw, t in entries]

@op('statfs')
def _(req):
    v = os.statvfs(target_dir(req['at']))
    return {'bsize': v.f_bsize, 'frsize': v.f_frsize, 'blocks': v.f_blocks, 'bfree': v.f_bfree, 'bavail': v.f_bavail,
            'files': v.f_files, 'ffree': v.f_ffree, 'favail': v.f_favail, 'namemax': v.f_namemax}
`

interface LookValue {
  exists: boolean
  error?: string
  type?: FileType
  uid?: number
  gid?: number
  mode?: number
  size?: number
  symlinkTarget?: string
  xattrs?: Record<string, string>
  xattrError?: string
  metadata?: string
}

/** The helper's look -> HostTruth: mode as octal text, user.virtfs.* and .virtfs_metadata decoded. */
function hostTruth(value: unknown, path: string): HostTruth {
  const v = value as LookValue
  if (!v.exists) return { path, exists: false, ...(v.error ? { error: v.error } : {}) }
  const truth: HostTruth = { path, exists: true, type: v.type!, uid: v.uid!, gid: v.gid!, mode: v.mode!.toString(8).padStart(4, '0'), size: v.size! }
  if (v.symlinkTarget !== undefined) truth.symlinkTarget = v.symlinkTarget
  if (v.xattrError) truth.error = `xattrs: ${v.xattrError}`
  if (v.xattrs) {
    truth.xattrs = v.xattrs
    const virtfs = decodeVirtfs(v.xattrs)
    if (virtfs) truth.virtfs = virtfs
  }
  if (v.metadata !== undefined) truth.virtfsMetadata = parseVirtfsMetadata(v.metadata)
  return truth
}

export const lookFamily: VerbFamily = {
  python,
  verbs: {
    look: verb({ doc: 'the host truth of an object: type, owner, mode, size, symlink target, xattrs (user.virtfs.* decoded), .virtfs_metadata', args: NoArgs, answer: hostTruth }),
    list: verb({ doc: 'a dir\'s entries as `ls -a` sees them, dot-files included (not . and ..): [{name (UTF-8), hex (raw bytes), type}]', args: NoArgs }),
    statfs: verb({ doc: 'statvfs of the share\'s file system at a dir: {bsize, frsize, blocks, bfree, bavail, files, ffree, favail, namemax}', args: NoArgs }),
  },
}
