// What a source configuration leaves in the host dir beside the guest's files: the host's own
// listing (ls -a, what `git status` or a backup on the host sees) of the tree and its dir,
// through the host bridge's `list`, against what the guest lists through the source. A model's
// bookkeeping (mapped-file's .virtfs_metadata) shows up there, and under every other model.
import type { PointSpec, PointVerdict, SharedTarget } from '../../agent/check-api.ts'
import { namesIn, type Look } from './look.ts'
import { TREE_DIR } from './tree.ts'

/** The dirs whose listings are compared (the tree and a dir in it). */
const LISTED = [TREE_DIR, `${TREE_DIR}/dir`]

export const HOST_LISTING: PointSpec = {
  id: 'migrate/host/tree/entries',
  title: "the host dir holds only what the guest lists through the source configuration (ls -a on the host of the tree and a dir in it: what git status there sees)",
  needs: ['sibling', 'root', 'python3', 'host'],
}

/** "tree: a,b; tree/dir: c": a listing per dir. */
const listingText = (names: (dir: string) => string[] | string) => LISTED.map((d) => {
  const n = names(d)
  return `${d}: ${typeof n === 'string' ? n : n.join(',') || 'empty'}`
}).join('; ')

/** The host's listings of the source's tree (bridge `list`), judged against the guest's own look. */
export async function hostListing(s: SharedTarget, own: Look): Promise<PointVerdict> {
  const dir = (s.sibling as { dir: string }).dir
  const host = new Map<string, string[] | string>()
  for (const d of LISTED) {
    const r = await s.host.act('list', `${dir}/${d}`)
    host.set(d, r.ok && Array.isArray(r.value) ? (r.value as Array<{ name: string }>).map((e) => e.name).sort() : `host: ${r.error ?? 'no listing'}`)
  }
  const wanted = listingText((d) => namesIn(own, d))
  const found = listingText((d) => host.get(d)!)
  if (found === wanted) return { ok: true }
  const failed = [...host.values()].find((v) => typeof v === 'string') as string | undefined
  return {
    ok: false,
    diagnostics: {
      op: 'list', args: LISTED.map((d) => `${d}/`), wanted, found, stage: 'host', class: failed ? 'loud' : 'silent',
      note: failed ? 'the host bridge could not list the dir' : 'names on the host the guest does not list through this configuration: what a backup, git status or another model sees',
    },
  }
}
