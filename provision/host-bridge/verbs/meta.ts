// Verbs on an object's mode, owner and times: chmod, chown, touch, utimes. All act on the held
// object (fchmod, fchownat(AT_EMPTY_PATH), futimens/utimensat on its descriptor). The bridge
// never makes a setuid or setgid file: chmod refuses those bits, chown (which only root may do
// to another uid) drops them, and no device node gets a mode or an owner.
import { z } from 'zod'
import { Id, verb, type VerbFamily } from './verb.ts'

/** A time with nanoseconds: seconds since the epoch (0 .. 2^40) and 0 .. 999999999 ns. */
const Time = z.object({ sec: z.number().int().min(0).max(2 ** 40), nsec: z.number().int().min(0).max(999_999_999) }).strict()

const python = String.raw`
@op('chmod')
def _(req):
    w = Where(req['at'])
    o = w.hold().guard()
    mode = req['args']['mode']
    if stat.S_ISLNK(o.st.st_mode):
        raise Refused('%s is a symlink: the bridge changes no symlink\'s mode' % o.rel)
    if mode & 0o6000 and not stat.S_ISDIR(o.st.st_mode):
        raise Refused('the bridge makes no setuid or setgid file (%s)' % o.rel)
    try:
        o.chmod(mode)
    except OSError as e:
        raise w.fail(e)

@op('chown')
def _(req):
    w = Where(req['at'])
    o = w.hold().guard()
    # The orchestrator's own follow-up of a copy names the file it made (never the guest's args).
    expect = req.get('expect')
    if expect is not None and [str(o.st.st_dev), str(o.st.st_ino)] != expect:
        raise Fail('EAGAIN', o.rel, 'it is no longer the file the bridge made')
    try:
        o.chown(req['args']['uid'], req['args']['gid'])
        if not stat.S_ISDIR(o.st.st_mode) and not stat.S_ISLNK(o.st.st_mode):
            mode = stat.S_IMODE(os.fstat(o.fd).st_mode if o.fd is not None else o.st.st_mode)
            if mode & 0o6000:
                o.chmod(mode & ~0o6000)
    except OSError as e:
        raise w.fail(e)

@op('touch')
def _(req):
    w = Where(req['at'])
    o = w.hold().guard()
    if stat.S_ISLNK(o.st.st_mode):
        raise Refused('%s is a symlink: touch sets a file\'s times (utimes sets a symlink\'s own)' % o.rel)
    m = req['args'].get('mtime')
    try:
        o.utime(None if m is None else (m * 10 ** 9, m * 10 ** 9))
    except OSError as e:
        raise w.fail(e)

@op('utimes')
def _(req):
    w = Where(req['at'])
    o = w.hold().guard()
    a = req['args']
    ns = None if 'atime' not in a else tuple(a[k]['sec'] * 10 ** 9 + a[k]['nsec'] for k in ('atime', 'mtime'))
    try:
        o.utime(ns)
    except OSError as e:
        raise w.fail(e)
`

export const metaFamily: VerbFamily = {
  python,
  verbs: {
    chmod: verb({ doc: 'sets the mode (0 .. 07777; setuid/setgid only on a dir; never on a symlink)', args: z.object({ mode: z.number().int().min(0).max(0o7777) }).strict() }),
    chown: verb({
      doc: 'sets owner and group (as root only when limafs is root and they are not the share owner\'s); drops setuid/setgid',
      args: z.object({ uid: Id, gid: Id }).strict(),
      asRoot: (a: { uid: number; gid: number }, owner) => a.uid !== owner.uid || a.gid !== owner.gid,
    }),
    touch: verb({ doc: 'sets atime and mtime to `mtime` (seconds) or now; not on a symlink', args: z.object({ mtime: z.number().int().min(0).max(2 ** 40).optional() }).strict() }),
    utimes: verb({
      doc: 'sets atime and mtime ({sec, nsec} each), or both to now (no args); on a symlink, the link itself',
      args: z.union([z.object({}).strict(), z.object({ atime: Time, mtime: Time }).strict()]),
    }),
  },
}
