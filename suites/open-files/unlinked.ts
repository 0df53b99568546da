// The temp-file pattern: open a file, unlink it, keep working through the descriptor. On a
// local file system every descriptor call still works on the nameless file, and nothing done
// to it reaches a later file of the same name.
import type { CheckSpec } from '../../agent/check-api.ts'
import { withUnlinked } from './descriptors.ts'

export const unlinked: CheckSpec[] = [
  {
    id: 'open-files/unlinked/fstat',
    title: 'fstat of an open descriptor after unlink: link count 0, the size it had',
    run: (x) => withUnlinked(x, async (fd) => {
      await x.expect('0,5', 'fd-fstat', fd, 'nlink,size')
    }),
  },
  {
    id: 'open-files/unlinked/read-write',
    title: 'after unlink, a write through the descriptor reads back through it',
    run: (x) => withUnlinked(x, async (fd) => {
      await x.expect(0, 'fd-pwrite', fd, 'world', 5)
      await x.expect('helloworld', 'fd-pread', fd, 64, 0)
    }),
  },
  {
    id: 'open-files/unlinked/ftruncate',
    title: 'after unlink, ftruncate through the descriptor shortens the file',
    run: (x) => withUnlinked(x, async (fd) => {
      await x.expect(0, 'fd-ftruncate', fd, 3)
      await x.expect('3', 'fd-fstat', fd, 'size')
      await x.expect('hel', 'fd-pread', fd, 64, 0)
    }),
  },
  {
    id: 'open-files/unlinked/fchmod',
    title: 'after unlink, fchmod 0600 through the descriptor changes its mode',
    run: (x) => withUnlinked(x, async (fd, _f, metaChanged) => {
      await x.expect(0, 'fd-fchmod', fd, 0o600)
      metaChanged()
      await x.expect('0600', 'fd-fstat', fd, 'mode')
    }),
  },
  {
    id: 'open-files/unlinked/fchown',
    title: 'after unlink, fchown to another uid:gid through the descriptor changes its owner',
    needs: ['root'],
    run: (x) => withUnlinked(x, async (fd, _f, metaChanged) => {
      await x.expect(0, 'fd-fchown', fd, x.other.uid, x.other.gid)
      metaChanged()
      await x.expect(`${x.other.uid},${x.other.gid}`, 'fd-fstat', fd, 'uid,gid')
    }),
  },
  {
    id: 'open-files/unlinked/futimens',
    title: 'after unlink, futimens through the descriptor sets its mtime',
    run: (x) => withUnlinked(x, async (fd) => {
      await x.expect(0, 'fd-futimes', fd, 1_000_000_000)
      await x.expect('1000000000', 'fd-fstat', fd, 'mtime')
    }),
  },
  {
    id: 'open-files/unlinked/host-reuses-name',
    title: 'a setuid mode and an owner set through a deleted file\'s descriptor do not reach the file the host then makes under that name',
    needs: ['root', 'host'],
    async run(x) {
      await withUnlinked(x, async (fd, f, metaChanged) => {
        // Whatever these say: the question is where their effect ends up.
        const chowned = await x.attempt('fd-fchown', fd, x.other.uid, x.other.gid)
        const chmodded = await x.attempt('fd-fchmod', fd, 0o4755)
        if (chowned.ok || chmodded.ok) metaChanged()
        await x.hostSetup('write', f, { content: 'the host made this\n' })
        const host = await x.recordHost(f)
        const wanted = `${host?.uid},${host?.gid},${host?.mode}`
        const seen = (await x.setup('lstat', f)) as { uid: number; gid: number; mode: string }
        const found = `${seen.uid},${seen.gid},${seen.mode}`
        if (found !== wanted) {
          x.fail({
            op: 'lstat', args: [f], wanted, found, stage: 'host', class: 'silent',
            ...(/^[1-7]/.test(seen.mode) || seen.uid !== host?.uid ? { security: "an owner and setuid bit set through a deleted file's descriptor land on the next file the host makes under that name" } : {}),
          })
        }
        // The host's file is there under the name: the scratch dir's removal takes it (and what QEMU keeps for it).
      })
    },
  },
]
