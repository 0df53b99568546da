// Verbs on names in a dir: mkdir, symlink, link, unlink, rename, remove-tree. Each acts relative
// to its verified parent dir's descriptor (mkdirat, symlinkat, linkat, unlinkat, renameat with
// both parents resolved), so the name can't be somewhere else than where it was checked.
import { z } from 'zod'
import { NoArgs, RelPath, verb, type VerbFamily } from './verb.ts'

/**
 * A symlink target the bridge makes: relative, with no `..` component (so a link it makes can't
 * lead out of the dir it is in, whatever the links around it are), no NUL.
 */
const SymlinkTarget = z.string().min(1).max(4095).refine(
  (t) => !t.startsWith('/') && !t.includes('\0') && !t.split('/').includes('..'),
  'must be relative with no ".." component',
)

const python = String.raw`
def checked_target(t):
    if not isinstance(t, str) or not t or t.startswith('/') or '\0' in t or '..' in t.split('/'):
        raise Refused('a symlink target the bridge makes must be relative with no ".." component')
    return t

def not_dir_name(w, what):
    if w.must_dir:
        raise Fail('ENOTDIR', w.rel, 'a trailing slash names a directory, and %s makes none' % what)

@op('mkdir')
def _(req):
    w = Where(req['at'])
    try:
        os.mkdir(w.name, req['args'].get('mode', 0o777), dir_fd=w.parent)
    except OSError as e:
        raise w.fail(e)

@op('symlink')
def _(req):
    w = Where(req['at'])
    not_dir_name(w, 'symlink')
    try:
        os.symlink(checked_target(req['args']['target']), w.name, dir_fd=w.parent)
    except OSError as e:
        raise w.fail(e)

@op('link')
def _(req):
    w, to = Where(req['at']), Where(req['to'])
    src = w.hold().guard()
    if stat.S_ISDIR(src.st.st_mode):
        raise Fail('EPERM', w.rel, 'a directory can not be hard-linked')
    not_dir_name(to, 'link')
    try:
        if O_PATH:
            # Through /proc: exactly the inode held, whatever is at the name now.
            os.link(src.proc(), to.name, dst_dir_fd=to.parent, follow_symlinks=True)
        else:
            os.link(w.name, to.name, src_dir_fd=w.parent, dst_dir_fd=to.parent, follow_symlinks=False)
            now = os.stat(to.name, dir_fd=to.parent, follow_symlinks=False)
            if (now.st_dev, now.st_ino) != (src.st.st_dev, src.st.st_ino):
                os.unlink(to.name, dir_fd=to.parent)
                raise Fail('EAGAIN', w.rel, 'it changed while the host linked it')
    except OSError as e:
        raise to.fail(e)
    # Both names were made in a scratch dir by the bridge's hand: the inode stays one it acts on.
    remember_made(src.st, src.birth())

@op('unlink')
def _(req):
    w = Where(req['at'])
    if stat.S_ISDIR(w.hold().guard(devices=True).st.st_mode):
        raise Fail('EISDIR', w.rel, 'unlink removes no directory (remove-tree does)')
    try:
        os.unlink(w.name, dir_fd=w.parent)
    except OSError as e:
        raise w.fail(e)

@op('rename')
def _(req):
    w, to = Where(req['at']), Where(req['to'])
    w.hold().guard(devices=True)
    if to.lstat() is not None:
        to.hold().guard(devices=True)  # what the rename replaces must be something the bridge may act on
    try:
        os.rename(w.name, to.name, src_dir_fd=w.parent, dst_dir_fd=to.parent)
    except OSError as e:
        raise w.fail(e)

MAX_DEPTH = 256

def empty_dir(sc, parent, name, where, depth):
    """Removes everything in the dir at name (rm -rf below it): each dir opened O_NOFOLLOW from
    its parent's descriptor, each entry checked by the inode rule, nothing followed."""
    if depth > MAX_DEPTH:
        raise Fail('ELOOP', where, 'deeper than the %d levels the bridge removes' % MAX_DEPTH)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | CLOEXEC, dir_fd=parent)
    except OSError as e:
        raise Fail(errname(e), where)
    try:
        if os.fstat(fd).st_dev != sc.dev:
            raise Refused('%s is on another file system than the scratch dir' % where)
        for entry in os.listdir(fd):
            path = where + '/' + entry
            try:
                st = os.stat(entry, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                continue
            guard_inode(sc, st, birth_ns(st, parent=fd, name=entry), path, devices=True)
            try:
                if stat.S_ISDIR(st.st_mode):
                    empty_dir(sc, fd, entry, path, depth + 1)
                    os.rmdir(entry, dir_fd=fd)
                else:
                    os.unlink(entry, dir_fd=fd)
            except OSError as e:
                raise Fail(errname(e), path)
    finally:
        os.close(fd)

@op('remove-tree')
def _(req):
    w = Where(req['at'])
    o = w.hold().guard(devices=True)
    try:
        if stat.S_ISDIR(o.st.st_mode):
            empty_dir(w.sc, w.parent, w.name, w.rel, 0)
            os.rmdir(w.name, dir_fd=w.parent)
        else:
            os.unlink(w.name, dir_fd=w.parent)
    except OSError as e:
        raise w.fail(e)
`

export const entriesFamily: VerbFamily = {
  python,
  verbs: {
    mkdir: verb({ doc: 'makes a dir (mode 0777 less the umask, or `mode`)', args: z.object({ mode: z.number().int().min(0).max(0o777).optional() }).strict() }),
    symlink: verb({ doc: 'makes a symlink to `target`: relative, with no ".." component (else refused)', args: z.object({ target: SymlinkTarget }).strict() }),
    link: verb({ doc: 'makes a hard link `to` (in a scratch dir of the same share) to the object at path; not a dir', args: z.object({ to: RelPath }).strict(), to: true }),
    unlink: verb({ doc: 'removes a name that is not a dir', args: NoArgs }),
    rename: verb({ doc: 'renames to `to` (in a scratch dir of the same share), replacing what is there as rename(2) does', args: z.object({ to: RelPath }).strict(), to: true }),
    'remove-tree': verb({ doc: 'rm -rf below the scratch dir (never the scratch dir itself): fd-based, follows no link', args: NoArgs }),
  },
}
