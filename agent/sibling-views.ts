// Every sibling share is on one host dir (see --sibling): the sibling scratch dir one mount made
// is there, at the same relative path, through every other mount's sibling share too. These
// "views" are the run's own scratch dirs seen through another configuration; the workers adopt
// them as roots, so a shared suite can read one configuration's tree through another's settings.
import type { MountTarget } from './run-types.ts'

/** source's sibling scratch dir through `through`'s sibling share, when both have one. */
export function siblingView(source: MountTarget, through: MountTarget): string | undefined {
  const s = source.sibling
  const t = through.sibling
  if (!s || !t || !('scratch' in s) || !('scratch' in t)) return undefined
  return `${t.path}/${s.scratch.slice(s.path.length + 1)}`
}

/** Every view between two different targets (each a `.limafs-*` dir directly in a --sibling path). */
export function siblingViews(targets: readonly MountTarget[]): string[] {
  return targets.flatMap((source) => targets.flatMap((through) => {
    const view = source === through ? undefined : siblingView(source, through)
    return view ? [view] : []
  }))
}
