// Claiming a scratch dir: the first request the agent sends for each share, naming the
// `.limafs-XXXXXX` dir it just made there (path = that name). The orchestrator's side
// (../scratch-book.ts) checks the name (the pattern, not already there when the run began);
// the helper opens it O_DIRECTORY|O_NOFOLLOW as a direct child of the share's host dir, checks
// it is a real, empty dir on the share's file system born after the run began, and holds that
// descriptor for the whole run: every request below it starts there. A claim of a dir the run
// already holds (the verify pass after a restart) adopts it. `note-made` is internal: it tells a
// helper which files another helper made (the inode rule lets the bridge act on those).
import { NoArgs, verb, type VerbFamily } from './verb.ts'

const python = String.raw`
@op('claim')
def _(req):
    a = req['args']
    name = component(a['name'])
    # The share's host dir: a path the orchestrator configured (trusted), not one from the guest.
    share = kept(os.open(a['share'], os.O_RDONLY | os.O_DIRECTORY | CLOEXEC))
    try:
        seen = os.stat(name, dir_fd=share, follow_symlinks=False)
    except OSError as e:
        raise Fail(errname(e), name)
    if not stat.S_ISDIR(seen.st_mode):
        raise Refused('%s is a %s, not a directory' % (name, kind(seen.st_mode)))
    fd = os.open(name, DIR_FLAGS, dir_fd=share)  # held for the run: not closed with the request
    try:
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) != (seen.st_dev, seen.st_ino) or not stat.S_ISDIR(st.st_mode):
            raise Fail('EAGAIN', name, 'it changed while the host looked at it')
        if st.st_dev != os.fstat(share).st_dev:
            raise Refused('%s is a mount point, not a dir of the share' % name)
        birth = birth_ns(st, fd=fd)
        expect = a.get('expect')
        if expect is not None:
            if [str(st.st_dev), str(st.st_ino)] != expect:
                raise Refused('%s is no longer the dir this run claimed' % name)
        elif not a.get('trusted'):
            if os.listdir(listable(fd)):
                raise Refused('%s is not empty: a scratch dir is claimed as soon as it is made' % name)
            since = a.get('since')
            if since is not None and birth is not None and birth < since:
                raise Refused('%s is older than this run: only a dir the run made can be claimed' % name)
    except BaseException:
        os.close(fd)
        raise
    old = SCRATCH.pop(a['key'], None)
    if old is not None:
        os.close(old.fd)
    SCRATCH[a['key']] = Scratch(fd, st, birth)
    return {'dev': str(st.st_dev), 'ino': str(st.st_ino), 'birth': birth, 'uid': st.st_uid, 'gid': st.st_gid}

@op('note-made')
def _(req):
    for dev, ino, birth in req['args']['inodes']:
        MADE[(int(dev), int(ino))] = birth
    while len(MADE) > MAX_MADE:
        del MADE[next(iter(MADE))]
`

export const scratchFamily: VerbFamily = {
  python,
  verbs: {
    claim: verb({ doc: 'claims the scratch dir named by path (the agent\'s first request per share; again in the verify pass)', args: NoArgs }),
  },
}
