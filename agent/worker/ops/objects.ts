// Many objects made or looked at in one request to the python3 helper (see python/objects.ts):
// what a suite that works on every mount at once uses instead of an op per call. The items come
// as one JSON text (an op's arguments are plain strings and numbers), each {group, path, ...}:
// items of one group run in order. Every path is guarded here first.
import { dirname } from 'node:path'
import type { PathGuard } from '../path-guard.ts'
import type { OpFamily } from './op-env.ts'

interface Item {
  group: string
  path: string
  kind?: string
  mode?: number
}

/**
 * Guards each item's path. A path in a dir an earlier item of the batch makes can't be resolved
 * yet: that dir's own path is guarded instead (the helper makes it, following nothing).
 */
function guarded(guard: PathGuard, items: Item[], follow: (it: Item) => boolean): Item[] {
  const dirsMade = new Set<string>()
  return items.map((it) => {
    const parent = dirname(it.path)
    const path = dirsMade.has(parent) ? (guard.assertNoFollow(parent), it.path) : follow(it) ? guard.assertFollow(it.path) : guard.assertNoFollow(it.path)
    if (it.kind === 'dir') dirsMade.add(it.path)
    return { ...it, path }
  })
}

export const objectsOps: OpFamily = {
  // Made without following (a symlink's target is only its text); chmod follows, so such a path must lead nowhere outside either.
  'make-objects': ({ guard, special }, [items]) => special.call('make-objects', [guarded(guard, JSON.parse(items) as Item[], (it) => it.mode !== undefined)]),
  'look-objects': ({ guard, special }, [items]) => special.call('look-objects', [guarded(guard, JSON.parse(items) as Item[], () => false)]),
}
