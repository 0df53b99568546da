// Case: names that differ only in case are different names on a POSIX file system: two files,
// a lookup finds only the exact name, and a rename that changes only the case is a rename.
// (macOS hosts are case-insensitive and case-preserving: there the second create is EEXIST, the
// lookup finds the other file, and a case-only rename may do nothing; the diagnostics say which
// name the guest sees and what the host dir holds.)
import { NAMES, type Hex } from './catalog.ts'
import type { NamePoint } from './name-check.ts'

export const CASE: NamePoint[] = [
  {
    id: 'names/case/two-files',
    title: 'two names that differ only in case are two files: both created (O_EXCL), both listed, each with its own content',
    async run(n) {
      const dir = await n.dir('case-two')
      await n.create(dir, NAMES.upper, 'upper\n')
      try {
        await n.create(dir, NAMES.lower, 'lower\n')
      } catch (err) {
        await n.record(dir, ((await n.c.attempt('name-list', dir)).value as Hex[] | undefined) ?? [])
        throw err
      }
      await n.listsExactly(dir, [NAMES.upper, NAMES.lower], { always: true })
      await n.c.expect('upper\n', 'name-read', dir, NAMES.upper)
      await n.c.expect('lower\n', 'name-read', dir, NAMES.lower)
    },
  },
  {
    id: 'names/case/exact-lookup',
    title: 'a lookup finds only the exact name: the same word in other case is ENOENT (found: the content of the file it found)',
    async run(n) {
      const dir = await n.dir('case-lookup')
      await n.create(dir, NAMES.upper, 'upper\n')
      await n.c.expect('ENOENT', 'name-read', dir, NAMES.lower)
      await n.c.expect('ENOENT', 'name-read', dir, NAMES.shout)
    },
  },
  {
    id: 'names/case/rename-case-only',
    title: 'a rename that changes only the case: the dir then lists only the new name, which holds the content',
    async run(n) {
      const dir = await n.dir('case-rename')
      await n.create(dir, NAMES.renameFrom, 'renamed\n')
      await n.c.expect(0, 'name-rename', dir, NAMES.renameFrom, NAMES.renameTo)
      n.made.splice(n.made.findIndex((m) => m.dir === dir && m.hex === NAMES.renameFrom), 1, { dir, hex: NAMES.renameTo })
      await n.listsExactly(dir, [NAMES.renameTo], { always: true })
      await n.c.expect('renamed\n', 'name-read', dir, NAMES.renameTo)
    },
  },
]
