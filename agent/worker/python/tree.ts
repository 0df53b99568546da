// Whole trees in one request: each made from a list of steps, or looked at entry by entry.
// Every path is relative to its tree's root and reached through directory descriptors opened
// with O_NOFOLLOW, one component at a time: nothing here follows a symlink, so nothing leaves
// the root the caller's path guard checked. One request for many trees instead of one per call
// (each a round trip of the helper's pipe, ~6 ms under emulation), and the trees in parallel
// threads: a 9p call waits on the host, and the host serves several at once.
export const treePy = String.raw`
import stat as ST
from concurrent.futures import ThreadPoolExecutor
TREE_THREADS = 16
def tree_each(jobs, run):
    # run(job) for every job, in threads; an OSError of one job is its errno, the others go on.
    def one(job):
        try: return run(job)
        except OSError as e: return {'errno': tree_errno(e)}
    with ThreadPoolExecutor(max_workers=TREE_THREADS) as pool: return list(pool.map(one, jobs))
TREE_TYPES = [(ST.S_ISLNK, 'symlink'), (ST.S_ISREG, 'file'), (ST.S_ISDIR, 'dir'), (ST.S_ISFIFO, 'fifo'), (ST.S_ISSOCK, 'socket'), (ST.S_ISCHR, 'char'), (ST.S_ISBLK, 'block')]
def tree_root(path): return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
def tree_at(root, rel, dirs):
    # The dir holding rel's last component, opened without following a symlink (one descriptor
    # per dir and job, kept in dirs: a 9p open is three round trips), and that name.
    parts = rel.split('/')
    if not rel or rel.startswith('/') or any(p in ('', '.', '..') for p in parts): raise OSError(errno.EINVAL, 'not a path inside the tree: ' + rel)
    fd, path = root, ''
    for p in parts[:-1]:
        path = path + '/' + p
        if path not in dirs: dirs[path] = os.open(p, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
        fd = dirs[path]
    return fd, parts[-1]
def tree_xpath(fd, name): return '/proc/self/fd/%d/%s' % (fd, name)
def tree_chmod(fd, name, mode):
    # No lchmod on Linux: an O_PATH descriptor of the entry itself, refused when it is a symlink.
    p = os.open(name, os.O_PATH | os.O_NOFOLLOW, dir_fd=fd)
    try:
        if ST.S_ISLNK(os.fstat(p).st_mode): raise OSError(errno.ELOOP, 'a symlink: not changed')
        os.chmod('/proc/self/fd/%d' % p, mode)
    finally: os.close(p)
def tree_write(fd, name, hexdata, mode):
    f = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode, dir_fd=fd)
    try: os.write(f, bytes.fromhex(hexdata))
    finally: os.close(f)
def tree_overwrite(fd, name, hexdata, mode):
    f = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode, dir_fd=fd)
    try: os.write(f, bytes.fromhex(hexdata))
    finally: os.close(f)
def tree_check(fd, name, ino, kind):
    # The entry is still the one planned (same inode and type), or still absent (ino None).
    try: st = os.stat(name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        if ino is None: return
        raise
    if ino is None: raise OSError(errno.EEXIST, 'already there: ' + name)
    now = next((t for test, t in TREE_TYPES if test(st.st_mode)), 'other')
    if st.st_ino != ino or now != kind: raise OSError(errno.ESTALE, 'changed since it was looked at: ' + name)
TREE_NODE = {'c': ST.S_IFCHR, 'b': ST.S_IFBLK, 's': ST.S_IFSOCK}
TREE_STEPS = {
    'mkdir': lambda fd, n, mode: os.mkdir(n, mode, dir_fd=fd),
    'write': tree_write,
    'chown': lambda fd, n, uid, gid: os.chown(n, uid, gid, dir_fd=fd, follow_symlinks=False),
    'chmod': tree_chmod,
    'symlink': lambda fd, n, target: os.symlink(target, n, dir_fd=fd),
    'link': lambda fd, n, existing: os.link(existing, n, src_dir_fd=fd, dst_dir_fd=fd, follow_symlinks=False),
    'mkfifo': lambda fd, n, mode: os.mkfifo(n, mode, dir_fd=fd),
    'mknod': lambda fd, n, mode, kind, major, minor: os.mknod(n, mode | TREE_NODE[kind], os.makedev(major, minor), dir_fd=fd),
    'setxattr': lambda fd, n, name, hexdata: os.setxattr(tree_xpath(fd, n), name, bytes.fromhex(hexdata), 0, follow_symlinks=False),
    'removexattr': lambda fd, n, name: os.removexattr(tree_xpath(fd, n), name, follow_symlinks=False),
    'overwrite': tree_overwrite,
    'unlink': lambda fd, n: os.unlink(n, dir_fd=fd),
    'rmdir': lambda fd, n: os.rmdir(n, dir_fd=fd),
    'check': tree_check,
}
def tree_errno(e): return errno.errorcode.get(e.errno, 'E%d' % e.errno)
def tree_make(job):
    # job = [root, [[step, rel, ...args], ...], {'stop': bool}]: each step's errno name, or None
    # when it worked; with stop, the steps after the first that failed are 'NOTRUN'.
    root, out, dirs = tree_root(job[0]), [], {}
    stop = len(job) > 2 and job[2] and job[2].get('stop')
    try:
        for step in job[1]:
            if stop and any(r is not None for r in out):
                out.append('NOTRUN')
                continue
            try:
                fd, name = tree_at(root, step[1], dirs)
                TREE_STEPS[step[0]](fd, name, *step[2:])
                out.append(None)
            except OSError as e: out.append(tree_errno(e))
            if step[0] == 'rmdir':
                # A dir gone: its descriptor (and those below) must not be used for a new one of that name.
                for key in [k for k in dirs if k == '/' + step[1] or k.startswith('/' + step[1] + '/')]: os.close(dirs.pop(key))
    finally:
        for fd in [root, *dirs.values()]: os.close(fd)
    return out
@op('tree-make')
def _(a): return tree_each(a[0], tree_make)
def tree_entry(fd, name, rel, want):
    st = os.stat(name, dir_fd=fd, follow_symlinks=False)
    kind = next((t for test, t in TREE_TYPES if test(st.st_mode)), 'other')
    e = {'type': kind, 'mode': '%04o' % ST.S_IMODE(st.st_mode), 'uid': st.st_uid, 'gid': st.st_gid, 'nlink': st.st_nlink, 'ino': st.st_ino, 'size': st.st_size}
    if kind in ('char', 'block'): e['rdev'] = '%d:%d' % (os.major(st.st_rdev), os.minor(st.st_rdev))
    if kind == 'symlink':
        try: e['target'] = os.readlink(name, dir_fd=fd)
        except OSError as x: e['target'] = {'errno': tree_errno(x)}
    if want(rel, 'xattrs'):
        try: e['xattrs'] = {n: os.getxattr(tree_xpath(fd, name), n, follow_symlinks=False).hex() for n in os.listxattr(tree_xpath(fd, name), follow_symlinks=False)}
        except OSError as x: e['xattrs'] = {'errno': tree_errno(x)}
    if want(rel, 'content') and kind == 'file' and st.st_size <= 4096:
        try:
            f = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
            try: e['content'] = os.read(f, 4096).hex()
            finally: os.close(f)
        except OSError as x: e['content'] = {'errno': tree_errno(x)}
    return e
def tree_walk(fd, dirrel, want, out):
    try: names = sorted(os.listdir(fd))
    except OSError as x:
        out[dirrel or '.'] = dict(out.get(dirrel or '.', {}), entries={'errno': tree_errno(x)})
        return
    for name in names:
        rel = dirrel + '/' + name if dirrel else name
        try: out[rel] = tree_entry(fd, name, rel, want)
        except OSError as x:
            out[rel] = {'errno': tree_errno(x)}
            continue
        if out[rel]['type'] == 'dir' and want(rel, 'descend'):
            try: sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError as x:
                out[rel]['entries'] = {'errno': tree_errno(x)}
                continue
            try: tree_walk(sub, rel, want, out)
            finally: os.close(sub)
def tree_look(job):
    # job = [root, {'xattrs': [rel...] | '*', 'content': [rel...] | '*', 'descend': [rel...] | '*'}]:
    # every entry below root by relative path, in the dirs to descend into (all when not given);
    # xattrs and content (regular files up to 4 KiB) only where asked.
    opts = dict({'descend': '*'}, **(job[1] if len(job) > 1 and job[1] else {}))
    want = lambda rel, what: opts.get(what) == '*' or rel in (opts.get(what) or [])
    root, out = tree_root(job[0]), {}
    try: tree_walk(root, '', want, out)
    finally: os.close(root)
    return out
@op('tree-look')
def _(a): return tree_each(a[0], tree_look)
`
