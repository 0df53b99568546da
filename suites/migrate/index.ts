// Switching a share's security model (mapped-xattr to mapped-file, 9p to virtiofs...) on a dir
// that already holds files: what survives? Every configuration is mounted a second time on ONE
// host dir (sibling shares), so a tree made through one configuration's sibling is read through
// another's in the same boot: per object and property a point under the source configuration,
// `migrate/to-<model>/<object>/<property>`, wanted = what the guest saw through the source,
// as `cp -a` keeps it on a local file system. Then the reverse risk: what a non-root guest user
// writes as plain data under one model, read as an owner, mode or type by another (security).
// One write phase for every source, one drop_caches, one read phase: a few round trips each.
import { sharedSuite, type Need, type PointSpec, type SharedTarget } from '../../agent/check-api.ts'
import { HOST_LISTING, hostListing } from './host-listing.ts'
import type { Look } from './look.ts'
import { MIGRATE_MODELS, targetModels, throughFor } from './pairs.ts'
import { PLANTED, PLANTED_DIR, PLANTED_DIR_STEPS } from './planted.ts'
import { plantedStepList, reportSwitch, treeStepList, type Outcome, type Written } from './switch.ts'
import { TREE, TREE_LISTING, TREE_WANTS } from './tree.ts'

const TREE_NEEDS: readonly Need[] = ['sibling', 'root', 'python3']
const PLANTED_NEEDS: readonly Need[] = ['sibling', 'root', 'user', 'python3']

const POINTS: PointSpec[] = MIGRATE_MODELS.flatMap((b): PointSpec[] => [
  ...TREE.flatMap((o) => o.properties.map((p) => ({ id: `migrate/to-${b}/${o.object}/${p}`, title: `${o.title}, made through another model, seen through ${b}: its ${p} kept`, needs: TREE_NEEDS }))),
  { id: `migrate/to-${b}/${TREE_LISTING.object}/${TREE_LISTING.property}`, title: `${TREE_LISTING.title}, seen through ${b}`, needs: TREE_NEEDS },
  ...PLANTED.flatMap((o) => o.properties.map((p) => ({ id: `migrate/to-${b}/${o.object}/${p}`, title: `${o.title}, seen through ${b}: its ${p} as the user made it (security)`, needs: PLANTED_NEEDS }))),
]).concat(HOST_LISTING)

/** One batched op's outcome per job: each job's value, or its errno (the job's or the whole op's). */
function perJob(r: Outcome, n: number): Outcome[] {
  if (!r.ok) return Array.from({ length: n }, () => ({ ok: false, errno: r.errno }))
  return (r.value as unknown[]).map((v) => (v && typeof v === 'object' && 'errno' in v ? { ok: false, errno: String((v as { errno: string }).errno) } : { ok: true, value: v }))
}

const sourceSkip = (s: SharedTarget, noTree: string | undefined): string | undefined =>
  noTree ?? ('missing' in s.sibling ? s.sibling.missing : undefined)
    ?? (s.model ? undefined : "the share's security model is not known (the agent's --model MOUNT=MODEL; limafs run passes it)")

const idsFor = (b: string, userSkip: string | undefined) => POINTS.filter((p) => p.id.startsWith(`migrate/to-${b}/`) && (!userSkip || !p.needs?.includes('user')))

const migrateSuite = sharedSuite('migrate', 'Switching a share\'s model: a tree made through one configuration, seen through another (none, mapped-xattr, mapped-file, virtiofs), and what a guest user plants', POINTS, async (ctx) => {
  const noTree = ctx.unmet(['root', 'python3'])
  const noUser = ctx.unmet(['user'])

  // --- write: the tree (root) and the plantings (the ordinary user) through every source at once ---
  const sources: SharedTarget[] = []
  for (const s of ctx.targets) {
    const skip = sourceSkip(s, noTree)
    if (!skip) {
      sources.push(s)
      continue
    }
    for (const b of s.model ? targetModels(s) : MIGRATE_MODELS) for (const p of POINTS.filter((p) => p.id.startsWith(`migrate/to-${b}/`))) ctx.point(s, p.id, { skip })
    ctx.point(s, HOST_LISTING.id, { skip })
  }
  if (!sources.length) return
  const dirOf = (s: SharedTarget) => (s.sibling as { dir: string }).dir
  // The user's python3 helper starts (~0.6 s emulated) while root makes the trees.
  const [made] = await Promise.all([ctx.op('tree-make', sources.map((s) => [dirOf(s), [...treeStepList, ...PLANTED_DIR_STEPS]])), noUser ? undefined : ctx.userOp('tree-look', [])])
  const trees = perJob(made, sources.length)
  ctx.progress('made the trees')
  const plantings = noUser ? undefined : perJob(await ctx.userOp('tree-make', sources.map((s) => [`${dirOf(s)}/${PLANTED_DIR}`, plantedStepList])), sources.length)
  const written: Written[] = sources.map((source, i) => ({ source, tree: trees[i]!, planted: plantings?.[i] ?? { skip: noUser! } }))
  ctx.progress('planted')

  // --- one drop_caches: what is read next comes from the host, not from what a mount kept ---
  const dropped = await ctx.op('drop-caches')
  const dropNote = dropped.ok ? 'after drop_caches' : `drop_caches FAILED (${dropped.errno}): a mount may answer from its cache`

  // --- read: each source's own view, and the same files through one configuration of each other model, all at once ---
  const views = written.flatMap((w) => [
    { w, dir: dirOf(w.source) },
    ...targetModels(w.source).flatMap((b) => {
      const through = throughFor(w.source, b, ctx.targets)
      const view = through ? ctx.siblingView(w.source, through) : undefined
      return through && view && 'dir' in view ? [{ w, b, through, dir: view.dir }] : []
    }),
  ])
  const looks = perJob(await ctx.op('tree-look', views.map((v) => [v.dir, TREE_WANTS])), views.length)
  ctx.progress('looked at the trees')
  const lookOf = (w: Written, b?: string) => looks[views.findIndex((v) => v.w === w && ('b' in v ? v.b === b : b === undefined))]

  const noHost = ctx.unmet(['host'])
  for (const w of written) {
    const s = w.source
    const own = lookOf(w)!
    ctx.point(s, HOST_LISTING.id, noHost ? { skip: noHost } : own.ok ? await hostListing(s, own.value as Look) : { ok: false, diagnostics: { op: 'tree-look', args: ['tree'], wanted: 'a look at the tree', found: own.errno!, stage: 'after-drop-caches', class: 'loud' } })
    for (const b of targetModels(s)) {
      const ids = idsFor(b, 'skip' in w.planted ? w.planted.skip : undefined)
      if ('skip' in w.planted) for (const p of PLANTED.flatMap((o) => o.properties.map((q) => `migrate/to-${b}/${o.object}/${q}`))) ctx.point(s, p, { skip: (w.planted as { skip: string }).skip })
      const through = throughFor(s, b, ctx.targets)
      const view = through ? ctx.siblingView(s, through) : undefined
      if (!through || !view || 'missing' in view) {
        const skip = view && 'missing' in view ? view.missing : `no configuration of model ${b} with a sibling share in this run`
        for (const p of ids) ctx.point(s, p.id, { skip })
        continue
      }
      reportSwitch(ctx, w, b, through, own, lookOf(w, b)!, dropNote)
    }
  }
})

/** It drops the guest's caches (a step of its own), which every mount feels: it runs when no other suite does. */
export default { ...migrateSuite, dropsCaches: true as const }
