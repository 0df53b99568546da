// Case: names that differ only in case are different names on a POSIX file system: two files,
// a lookup finds only the exact name, and a rename that changes only the case is a rename.
// (macOS hosts are case-insensitive and case-preserving: there the second create is EEXIST, the
// lookup finds the other file, and a case-only rename may do nothing; the diagnostics say which
// name the guest sees and what the host dir holds.)
import { NAMES } from './catalog.ts'
import type { NamePoint } from './name-check.ts'

export const CASE: NamePoint[] = [
  {
    id: 'names/case/two-files',
    title: 'two names that differ only in case are two files: both created (O_EXCL), both listed, each with its own content',
    async run(n) {
      await n.created('case', NAMES.upper)
      const group = await n.created('case', NAMES.lower)
      await n.listsExactly(group, [NAMES.upper, NAMES.lower], NAMES.upper)
      await n.readBack(group, NAMES.upper)
      await n.readBack(group, NAMES.lower)
    },
  },
  {
    id: 'names/case/exact-lookup',
    title: 'a lookup finds only the exact name: the same word in other case is ENOENT (else found: the content of the file it found)',
    async run(n) {
      const group = await n.created('plain', NAMES.upper)
      await n.c.expect('ENOENT', 'name-read', group.dir, NAMES.lower)
      await n.c.expect('ENOENT', 'name-read', group.dir, NAMES.shout)
    },
  },
  {
    id: 'names/case/rename-case-only',
    title: 'a rename that changes only the case: the dir then lists only the new name, which holds the content',
    async run(n) {
      const group = await n.created('rename', NAMES.renameFrom)
      await n.c.expect(0, 'name-rename', group.dir, NAMES.renameFrom, NAMES.renameTo)
      const at = n.groups.registry.findIndex((m) => m.dir === group.dir && m.hex === NAMES.renameFrom)
      if (at >= 0) n.groups.registry.splice(at, 1, { dir: group.dir, hex: NAMES.renameTo })
      const now = (await n.c.expect(0, 'name-list', group.dir)) as string[]
      await n.listsExactly({ ...group, listing: { names: now } }, [NAMES.renameTo], NAMES.renameTo)
      await n.c.expect(`limafs ${NAMES.renameFrom}\n`, 'name-read', group.dir, NAMES.renameTo)
    },
  },
]
