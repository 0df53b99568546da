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
    title: 'two names that differ only in case are two files: both created (O_EXCL), both listed, two inodes',
    async run(n) {
      await n.created('plain', NAMES.upper)
      const group = await n.created('plain', NAMES.lower)
      await n.listedOnce(group, NAMES.upper)
      await n.listedOnce(group, NAMES.lower, { always: true })
      await n.twoFiles(group, NAMES.upper, NAMES.lower)
    },
  },
  {
    id: 'names/case/exact-lookup',
    title: 'a lookup finds only the exact name: the same word in capitals (LIMAFS-CASE) is ENOENT (else found: what it found)',
    async run(n) {
      const group = await n.created('plain', NAMES.upper)
      await n.notFound(group, NAMES.shout)
    },
  },
  {
    id: 'names/case/rename-case-only',
    title: 'a rename that changes only the case: the dir then lists the new name, not the old one',
    async run(n) {
      const group = await n.created('alone', NAMES.renameFrom)
      if (group.renamed !== '0') n.c.fail({ op: 'name-rename', args: [group.dir, 'rename-me', 'Rename-Me'], wanted: '0', found: group.renamed ?? 'not done', errno: group.renamed, stage: 'call', class: 'loud' })
      await n.listedOnce(group, NAMES.renameTo, { always: true })
      if (n.listing(group).includes(NAMES.renameFrom)) n.c.fail({ op: 'name-list', args: [group.dir], wanted: 'only "Rename-Me"', found: '"rename-me" still listed', stage: 'call', class: 'silent' })
      await n.foundBy(group, NAMES.renameTo)
    },
  },
]
