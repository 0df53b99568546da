// A descriptor and the name it was opened by part ways: the file is renamed, another file is
// renamed over it, a file is made with no name (O_TMPFILE) and named later; and two O_APPEND
// writers share one file.
import type { CheckSpec } from '../../agent/check-api.ts'
import { withDescriptors } from './descriptors.ts'

export const names: CheckSpec[] = [
  {
    id: 'open-files/renamed/read-write',
    title: 'a descriptor keeps working after its file is renamed: what it writes is in the file under the new name',
    async run(x) {
      await withDescriptors(x, async (open) => {
        const f = await x.make('file')
        await x.setup('write', f, 'hello')
        const fd = await open(f, 'r+')
        const to = x.path('renamed')
        await x.setup('rename', f, to)
        await x.expect(0, 'fd-pwrite', fd, 'world', 5)
        await x.expect('helloworld', 'read', to)
      })
    },
  },
  {
    id: 'open-files/rename-over/open-fd',
    title: 'a file renamed over one a descriptor has open: the descriptor still reads the old file, the name the new one',
    async run(x) {
      await withDescriptors(x, async (open) => {
        const f = await x.make('file')
        await x.setup('write', f, 'old content')
        const fd = await open(f, 'r')
        const replacement = x.path('new')
        await x.setup('write', replacement, 'new content')
        await x.expect(0, 'rename', replacement, f)
        await x.expect('old content', 'fd-pread', fd, 64, 0)
        await x.expect('new content', 'read', f)
      })
    },
  },
  {
    id: 'open-files/tmpfile/linkat',
    title: 'O_TMPFILE makes a file with no name; linkat gives it one, with what was written to it',
    needs: ['python3'],
    async run(x) {
      const dir = x.path('dir')
      await x.setup('mkdir', dir, 0o755)
      const fd = (await x.expect(0, 'tmpfile-open', dir, 'made unnamed')) as number
      try {
        await x.expect(0, 'tmpfile-link', fd, `${dir}/named`)
      } finally {
        await x.attempt('tmpfile-close', fd)
      }
      await x.expect('made unnamed', 'read', `${dir}/named`)
    },
  },
  {
    id: 'open-files/append/two-writers',
    title: 'two O_APPEND descriptors of one file: every write lands at the end, none over another',
    async run(x) {
      await withDescriptors(x, async (open) => {
        const f = await x.make('file')
        const one = await open(f, 'a')
        const two = await open(f, 'a')
        await x.expect(0, 'fd-append', one, 'one\n')
        await x.expect(0, 'fd-append', two, 'two\n')
        await x.expect(0, 'fd-append', one, 'three\n')
        await x.expect('one\ntwo\nthree\n', 'read', f)
      })
    },
  },
]
