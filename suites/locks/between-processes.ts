// Two guest processes and one file: fcntl (POSIX) record locks, OFD locks and flock conflict as
// on a local file system, and keep Linux's rules of who owns a lock.
import type { CheckSpec } from '../../agent/check-api.ts'
import { A, B, oneFileInBoth } from './processes.ts'

export const betweenProcesses: CheckSpec[] = [
  {
    id: 'locks/fcntl/conflict',
    title: "an fcntl write lock held by one process refuses an overlapping one from another (EAGAIN) and F_GETLK there names it (type, range, holder's pid); a range beside it is free, and all of it once unlocked",
    needs: ['python3'],
    async run(x) {
      await oneFileInBoth(x, async (_p, _f, fa, fb) => {
        const pid = (await x.setup('proc-pid', A)) as number
        await x.expect(0, 'lock', A, fa, 'fcntl', 'write', 0, 100)
        await x.expect('EAGAIN', 'lock', B, fb, 'fcntl', 'write', 50, 100)
        await x.expect(`write,0,100,${pid}`, 'lock-get', B, fb, 'fcntl', 'write', 0, 0)
        await x.expect(0, 'lock', B, fb, 'fcntl', 'write', 100, 100)
        await x.expect(0, 'lock', A, fa, 'fcntl', 'unlock', 0, 100)
        await x.expect(0, 'lock', B, fb, 'fcntl', 'write', 0, 100)
      })
    },
  },
  {
    id: 'locks/fcntl/close-releases',
    title: "closing any descriptor of a file drops the process's fcntl locks on it (POSIX; SQLite works around it): the other process then gets the lock",
    needs: ['python3'],
    async run(x) {
      await oneFileInBoth(x, async (p, f, fa, fb) => {
        await x.setup('lock', A, fa, 'fcntl', 'write', 0, 0)
        await x.expect('EAGAIN', 'lock', B, fb, 'fcntl', 'write', 0, 0)
        await p.close(A, await p.open(A, f))
        await x.expect(0, 'lock', B, fb, 'fcntl', 'write', 0, 0)
      })
    },
  },
  {
    id: 'locks/ofd/conflict',
    title: 'an OFD lock belongs to its open file: a second descriptor of the same process is refused (EAGAIN), so is another process, and closing another descriptor keeps it (unlike fcntl locks)',
    needs: ['python3'],
    async run(x) {
      await oneFileInBoth(x, async (p, f, fa, fb) => {
        const fa2 = await p.open(A, f)
        await x.expect(0, 'lock', A, fa, 'ofd', 'write', 0, 0)
        await x.expect('EAGAIN', 'lock', A, fa2, 'ofd', 'write', 0, 0)
        await x.expect('write,0,0,-1', 'lock-get', B, fb, 'ofd', 'write', 0, 0)
        await p.close(A, fa2)
        await x.expect('EAGAIN', 'lock', B, fb, 'fcntl', 'write', 0, 0)
      })
    },
  },
  {
    id: 'locks/flock/conflict',
    title: "flock LOCK_EX held by one process refuses another's LOCK_EX|LOCK_NB and LOCK_SH (EAGAIN); unlocked, it is free",
    needs: ['python3'],
    async run(x) {
      await oneFileInBoth(x, async (_p, _f, fa, fb) => {
        await x.expect(0, 'lock', A, fa, 'flock', 'write')
        await x.expect('EAGAIN', 'lock', B, fb, 'flock', 'write')
        await x.expect('EAGAIN', 'lock', B, fb, 'flock', 'read')
        await x.expect(0, 'lock', A, fa, 'flock', 'unlock')
        await x.expect(0, 'lock', B, fb, 'flock', 'write')
      })
    },
  },
  {
    id: 'locks/flock-fcntl/independent',
    title: "flock and fcntl locks don't see each other (Linux): a process holding flock LOCK_EX takes an fcntl write lock on the file too",
    needs: ['python3'],
    async run(x) {
      await oneFileInBoth(x, async (p, f, fa) => {
        const fa2 = await p.open(A, f)
        await x.expect(0, 'lock', A, fa, 'flock', 'write')
        await x.expect(0, 'lock', A, fa2, 'fcntl', 'write', 0, 0)
      })
    },
  },
]
