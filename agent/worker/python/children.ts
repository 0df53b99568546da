// Guest processes of their own, forked from a helper: one that holds a lock until it is killed,
// one that touches a mapping and may die of SIGBUS doing it. A fork costs milliseconds where a
// new python3 costs ~0.5 s under emulation. The helper never dies with them: it waits for the
// child, with a time limit, and answers how it ended ("exit 0", "SIGBUS", "SIGKILL").
export const childrenPy = String.raw`
import select, signal
CHILDREN = {}
def child_fail(e):
    # 'E:ERRNO:text'; a Python error that is no OSError (mmap's ValueError) reads as EINVAL
    name = errno.errorcode.get(e.errno, 'EIO') if isinstance(e, OSError) else 'EINVAL'
    return 'E:%s:%s' % (name, str(e).replace('\n', ' '))
def child_start(setup, act=None):
    """Forks a child that runs setup() and sends its answer, then waits for 'go' (child-go),
    runs act() and sends that answer; without act it just waits until it is killed."""
    go_r, go_w = os.pipe()
    said_r, said_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            LIBC.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: never outlive the helper
            nul = os.open('/dev/null', os.O_RDWR)
            os.dup2(nul, 0)
            os.dup2(nul, 1)
            lo, hi = sorted((go_r, said_w))
            os.closerange(3, lo)
            os.closerange(lo + 1, hi)
            os.closerange(hi + 1, 1024)
            try: said = setup()
            except Exception as e: said = child_fail(e)
            os.write(said_w, (said + '\n').encode())
            if os.read(go_r, 1) and act:
                try: said = act()
                except Exception as e: said = child_fail(e)
                os.write(said_w, (said + '\n').encode())
        finally:
            os._exit(0)
    os.close(go_r)
    os.close(said_w)
    CHILDREN[pid] = (go_w, said_r)
    said = child_read(pid)
    if said is None:
        raise OSError(errno.EIO, 'the child ended while setting up (%s)' % child_end(pid, kill=True))
    if said.startswith('E:'):
        child_end(pid, kill=True)
        name, text = said[2:].split(':', 1)
        raise OSError(getattr(errno, name, errno.EIO), 'the child could not set up: %s' % text)
    return pid
def child_read(pid, timeout=10):
    """The child's next answer line, or None when it ended (or said nothing in time)."""
    said_r = CHILDREN[pid][1]
    buf = b''
    while not buf.endswith(b'\n'):
        if not select.select([said_r], [], [], timeout)[0]: return None
        more = os.read(said_r, 4096)
        if not more: return None
        buf += more
    return buf.decode(errors='replace').rstrip('\n')
def child_end(pid, kill=False):
    """Waits for the child (SIGKILL first when asked or when it does not end in time); how it ended."""
    go_w, said_r = CHILDREN.pop(pid)
    if kill: os.kill(pid, signal.SIGKILL)
    for _ in range(1000):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done: break
        time.sleep(0.01)
    else:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    os.close(go_w)
    os.close(said_r)
    return signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status) else 'exit %d' % os.WEXITSTATUS(status)
@op('pid')
def _(a): return os.getpid()
@op('child-go')
def _(a):
    """Lets the child act: how it ended ('SIGBUS'), or 'exit 0, said ANSWER'."""
    os.write(CHILDREN[a[0]][0], b'g')
    said = child_read(a[0])
    ended = child_end(a[0], kill=said is None)
    return ended if said is None else '%s, said %s' % (ended, said)
@op('child-kill')
def _(a): return child_end(a[0], kill=True)
`
