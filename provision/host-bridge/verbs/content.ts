// Verbs on a regular file's content: read, write, append, replace, truncate, copy. Each opens
// the file it checked (reopened from its O_PATH descriptor, or O_NOFOLLOW|O_NONBLOCK and checked
// again), refuses anything that is not a regular file (fifo, socket, device: never opened), and
// makes new files with O_EXCL so a planted link or file is never written through.
import { z } from 'zod'
import { Content, contentToHelper, NoArgs, RelPath, verb, type VerbFamily } from './verb.ts'

/** Largest file `copy` copies (it never crosses the channel, but it costs the host's disk and time). */
const MAX_COPY_BYTES = 256 * 1024 * 1024
/** Largest size `truncate` sets: sparse on most file systems, but not on all. */
const MAX_TRUNCATE_BYTES = 1024 * 1024 * 1024

const python = String.raw`
MAX_COPY = ${MAX_COPY_BYTES}

@op('read')
def _(req):
    w = Where(req['at'])
    fd = w.hold().guard().reopen(os.O_RDONLY)
    return base64.b64encode(read_bounded(fd, MAX_READ, w.rel)).decode()

def open_or_create(w, flags):
    """(descriptor, made): the existing regular file reopened with flags, or a new one."""
    try:
        return w.create(flags), True
    except FileExistsError:
        return w.hold().guard().reopen(flags), False
    except OSError as e:
        raise w.fail(e)

@op('write')
def _(req):
    w = Where(req['at'])
    fd, made = open_or_create(w, os.O_WRONLY)
    if not made:
        os.ftruncate(fd, 0)  # in place: the same inode, like an editor that rewrites the file
    write_all(fd, base64.b64decode(req['args']['content']))

@op('append')
def _(req):
    w = Where(req['at'])
    fd, _made = open_or_create(w, os.O_WRONLY | os.O_APPEND)
    write_all(fd, base64.b64decode(req['args']['content']))

@op('replace')
def _(req):
    # A new inode under a random name (O_EXCL), renamed over the old one: an atomic save.
    w = Where(req['at'])
    if w.lstat() is not None:
        w.hold().guard(devices=True)  # what loses the name must be something the bridge may act on
    tmp = '.limafs-bridge-' + os.urandom(8).hex()
    fd = w.create(name=tmp)
    try:
        write_all(fd, base64.b64decode(req['args']['content']))
        os.rename(tmp, w.name, src_dir_fd=w.parent, dst_dir_fd=w.parent)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=w.parent)
        except OSError:
            pass
        raise

@op('truncate')
def _(req):
    w = Where(req['at'])
    os.ftruncate(w.hold().guard().reopen(os.O_WRONLY), req['args']['size'])

@op('copy')
def _(req):
    # cp -p: content, mode (never setuid/setgid), atime and mtime, and the owner when this helper
    # may; the orchestrator asks the root helper for the owner otherwise (dst says which file).
    w, to = Where(req['at']), Where(req['to'])
    src = w.hold().guard().regular()
    st = src.st
    if st.st_size > MAX_COPY:
        raise Fail('EFBIG', w.rel, 'larger than the %d bytes the bridge copies' % MAX_COPY)
    rfd = src.reopen(os.O_RDONLY)
    dfd = to.create(os.O_WRONLY, 0o600)
    try:
        write_all(dfd, read_bounded(rfd, MAX_COPY, w.rel))
        os.chmod(dfd, stat.S_IMODE(st.st_mode) & ~0o6000)
        os.utime(dfd, ns=(st.st_atime_ns, st.st_mtime_ns))
        made = os.fstat(dfd)
        kept = (made.st_uid, made.st_gid) == (st.st_uid, st.st_gid)
        if not kept:
            try:
                os.chown(dfd, st.st_uid, st.st_gid)
                kept = True
            except PermissionError:
                pass
    except BaseException:
        try:
            os.unlink(to.name, dir_fd=to.parent)
        except OSError:
            pass
        raise
    return {'ownerKept': kept, 'owner': [st.st_uid, st.st_gid], 'dst': [str(made.st_dev), str(made.st_ino)]}
`

export const contentFamily: VerbFamily = {
  python,
  verbs: {
    read: verb({
      doc: 'a regular file\'s content as UTF-8 text (at most 1 MiB; a fifo, socket or device is refused, never opened)',
      args: NoArgs,
      answer: (v) => Buffer.from(String(v), 'base64').toString('utf8'),
    }),
    write: verb({ doc: 'writes a regular file in place (same inode, truncated first), or makes it (O_EXCL)', args: Content, toHelper: contentToHelper }),
    append: verb({ doc: 'appends to a regular file, or makes it (O_EXCL)', args: Content, toHelper: contentToHelper }),
    replace: verb({ doc: 'an atomic save: a new file under a random temp name (O_EXCL), renamed over the old one', args: Content, toHelper: contentToHelper }),
    truncate: verb({ doc: `sets a regular file's size (at most ${MAX_TRUNCATE_BYTES / 2 ** 30} GiB)`, args: z.object({ size: z.number().int().min(0).max(MAX_TRUNCATE_BYTES) }).strict() }),
    copy: verb({
      doc: `cp -p to a new name \`to\` (O_EXCL): content (at most ${MAX_COPY_BYTES / 2 ** 20} MiB), mode without setuid/setgid, atime and mtime, owner when the host may (value {ownerKept})`,
      args: z.object({ to: RelPath }).strict(),
      to: true,
    }),
  },
}
