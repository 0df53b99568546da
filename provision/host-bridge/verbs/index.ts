// THE VERB TABLE of the host bridge: every verb the agent may ask the host for, from the verb
// families (a file each). A request is {id, verb, mount, path, args}: `path` is relative to the
// mount and its first component a scratch dir this run claimed; args are checked against the
// verb's zod schema before anything runs.
//
// To add a verb: (1) in the family file it belongs to (or a new one listed below), its Python
// under `@op('name')`, built on the prelude (../python/prelude.ts): `Where(req['at'])` resolves
// the path, `.hold().guard()` holds the object and applies the inode rule, then act on the held
// object or relative to `w.parent`; (2) its entry in the family's `verbs` with a one-line doc and
// a strict zod schema of its args; (3) a test of what it does and of its scratch guard in
// test/provision/host-bridge/<family>.test.ts, and a row for it in test/provision/hostile-guest.test.ts
// (which fails for a verb it has no attacks for). README's verb list says the same in a line.
//
//   claim        claims the scratch dir named by path (scratch.ts)
//   look         the host truth of an object (look.ts)     list, statfs: a dir's entries, statvfs
//   read         a regular file's content (content.ts)     write, append, replace, truncate, copy
//   mkdir        (entries.ts)                              symlink, link, unlink, rename, remove-tree
//   chmod        (meta.ts)                                 chown, touch, utimes
import { contentFamily } from './content.ts'
import { entriesFamily } from './entries.ts'
import { lookFamily } from './look.ts'
import { metaFamily } from './meta.ts'
import { scratchFamily } from './scratch.ts'
import type { VerbFamily, VerbSpec } from './verb.ts'

export const FAMILIES: readonly VerbFamily[] = [scratchFamily, lookFamily, contentFamily, entriesFamily, metaFamily]

/** Every verb by name; a name two families both define is a bug, caught at load. */
export const VERBS: Readonly<Record<string, VerbSpec<never>>> = (() => {
  const verbs: Record<string, VerbSpec<never>> = {}
  for (const family of FAMILIES) {
    for (const [name, spec] of Object.entries(family.verbs)) {
      if (Object.hasOwn(verbs, name)) throw new Error(`host-bridge verb ${name} is defined twice`)
      verbs[name] = spec
    }
  }
  return verbs
})()

export type { Owner, VerbSpec } from './verb.ts'
