// Open files Node can't make: an O_TMPFILE (a file with no name yet) given a name by linkat,
// and a read-only shared mapping held by a process of its own that touches it on request: if
// the file shrank under it, that access is a SIGBUS, and only the child dies of it.
export const openFilesPy = String.raw`
import mmap
@op('of-tmpfile')
def _(a):
    fd = os.open(a[0], os.O_TMPFILE | os.O_RDWR, 0o644)
    os.write(fd, a[1].encode())
    return fd
@op('of-linkat')
def _(a):
    # linkat(AT_FDCWD, "/proc/self/fd/N", AT_FDCWD, path, AT_SYMLINK_FOLLOW): os.link would link the
    # /proc symlink itself (EXDEV).
    sysc(LIBC.linkat(-100, ('/proc/self/fd/%d' % a[0]).encode(), -100, a[1].encode(), 0x400))
@op('of-close')
def _(a): os.close(a[0])
@op('of-mmap-child')
def _(a):
    # A child maps a[1] bytes of file a[0] and reads the 4 bytes at a[2] (so the page is in); on
    # child-go it reads them again and says what it read (hex), unless that kills it.
    box = {}
    def setup():
        fd = os.open(a[0], os.O_RDONLY | os.O_NOFOLLOW)
        box['m'] = mmap.mmap(fd, a[1], mmap.MAP_SHARED, mmap.PROT_READ)
        return box['m'][a[2]:a[2] + 4].hex()
    return child_start(setup, lambda: box['m'][a[2]:a[2] + 4].hex())
`
