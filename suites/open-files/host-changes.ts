// The host changes a file the guest has open: appends to it between the guest's O_APPEND
// writes, deletes it, truncates it (a file the host made). A local file system would show the other writer's change
// to the descriptor at once (it is one file), and keep a deleted file readable. And the host
// rewrites a file the guest has looked at: the guest's next open must read it (close-to-open).
import type { CheckContext, CheckSpec } from '../../agent/check-api.ts'
import { withDescriptors, type Open } from './descriptors.ts'

const CONTENT = 'hello world\n'

export const hostChanges: CheckSpec[] = [
  {
    id: 'open-files/append/host-and-guest',
    title: "the guest appends (O_APPEND), the host appends, the guest appends again: all three, in order, on both sides",
    needs: ['host'],
    async run(x) {
      const f = await x.make('file')
      await withDescriptors(x, async (open) => {
        const fd = await open(f, 'a')
        await x.expect(0, 'fd-append', fd, 'guest 1\n')
        await x.expect(0, 'fd-fsync', fd)
        await x.hostSetup('append', f, { content: 'host\n' })
        await x.expect(0, 'fd-append', fd, 'guest 2\n')
        await x.expect(0, 'fd-fsync', fd)
      })
      const wanted = 'guest 1\nhost\nguest 2\n'
      const onHost = await x.host.act('read', f)
      if (!onHost.ok || onHost.value !== wanted) {
        x.fail({ op: 'host-read', args: [f], wanted, found: onHost.ok ? String(onHost.value) : `host: ${onHost.error}`, stage: 'host', class: 'silent' })
      }
      await x.expect(wanted, 'read', f)
    },
  },
  {
    id: 'open-files/host-deleted/read',
    title: 'the host deletes a file the guest has open: the descriptor still reads its content',
    needs: ['host'],
    async run(x) {
      await withDescriptors(x, async (open) => {
        const fd = await hostActsOnOpen(x, open, 'unlink')
        await x.expect(CONTENT, 'fd-pread', fd, 64, 0)
      })
    },
  },
  {
    id: 'open-files/host-deleted/fstat',
    title: 'the host deletes a file the guest has open: fstat through the descriptor works and says link count 0',
    needs: ['host'],
    async run(x) {
      await withDescriptors(x, async (open) => {
        const fd = await hostActsOnOpen(x, open, 'unlink')
        await x.expect('0', 'fd-fstat', fd, 'nlink')
      })
    },
  },
  {
    id: 'open-files/host-rewritten/open-after-stat',
    title: 'the guest stats a file the host made empty, the host writes it (in place, closed), the guest opens and reads it at once: it reads what the host wrote (close-to-open, as NFS promises)',
    needs: ['host'],
    async run(x) {
      // What an editor's save or a build tool does to a file a watcher or a shell has just
      // looked at (mountInotify's guest agent stats every file the host changes).
      const f = x.path('file')
      await x.hostSetup('write', f, { content: '' })
      await x.setup('stat', f)
      await x.hostSetup('write', f, { content: CONTENT })
      await x.expect(CONTENT, 'read', f)
    },
  },
  {
    id: 'open-files/host-truncated/read',
    title: 'the host truncates a file the guest has open (and has read): fstat through the descriptor says size 0, a read finds nothing',
    needs: ['host'],
    async run(x) {
      await withDescriptors(x, async (open) => {
        const fd = await hostActsOnOpen(x, open, 'truncate', { size: 0 })
        await x.expect('0', 'fd-fstat', fd, 'size')
        await x.expect('', 'fd-pread', fd, 64, 0)
      })
    },
  },
]

/**
 * A file the host made (so the host's delete takes all of it: under mapped-file a guest-made file
 * also has QEMU's .virtfs_metadata entry, which the host knows nothing of), opened and read by
 * the guest (so whatever it caches is there); then the host acts on it. The host makes it whole
 * under its name at once (written aside, renamed): a guest that looks at it while it is being
 * written (mountInotify's guest agent does) can keep its empty size cached for a while, which
 * is open-after-stat's subject, not these checks'.
 */
async function hostActsOnOpen(x: CheckContext, open: Open, verb: string, args?: Record<string, unknown>): Promise<number> {
  const f = x.path('file')
  await x.hostSetup('replace', f, { content: CONTENT })
  const fd = await open(f, 'r')
  await x.setup('fd-pread', fd, 64, 0)
  await x.hostSetup(verb, f, args)
  return fd
}
