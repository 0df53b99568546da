// Switching a share's security model (mapped-xattr to mapped-file, 9p to virtiofs...) on a dir
// that already holds files: what survives? Every configuration is mounted a second time on ONE
// host dir (sibling shares), so a tree made through one configuration's sibling is read through
// another's in the same boot: per object and property a point under the source configuration,
// `migrate/to-<model>/<object>/<property>`, wanted = what the guest saw through the source,
// as `cp -a` keeps it on a local file system. Then the reverse risk: what a non-root guest user
// writes as plain data under one model, read as an owner, mode or type by another (security).
// One write phase for every source, one drop_caches, one read phase: a few round trips each.
import { sharedSuite, type Need, type PointSpec, type SharedContext, type SharedTarget } from '../../agent/check-api.ts'
import { judgeSwitch } from './judge.ts'
import type { Look, Property } from './look.ts'
import { MIGRATE_MODELS, targetModels, throughFor } from './pairs.ts'
import { PLANTED, PLANTED_DIR, PLANTED_DIR_STEPS, plantedSteps, plantedValue, refusedPlantings } from './planted.ts'
import { TREE, TREE_LISTING, TREE_WANTS, treeSteps, treeValue } from './tree.ts'
import { property } from './look.ts'

const TREE_NEEDS: readonly Need[] = ['sibling', 'root', 'python3']
const PLANTED_NEEDS: readonly Need[] = ['sibling', 'root', 'user', 'python3']

const POINTS: PointSpec[] = MIGRATE_MODELS.flatMap((b): PointSpec[] => [
  ...TREE.flatMap((o) => o.properties.map((p) => ({ id: `migrate/to-${b}/${o.object}/${p}`, title: `${o.title}, made through another model, seen through ${b}: its ${p} kept`, needs: TREE_NEEDS }))),
  { id: `migrate/to-${b}/${TREE_LISTING.object}/${TREE_LISTING.property}`, title: `${TREE_LISTING.title}, seen through ${b}`, needs: TREE_NEEDS },
  ...PLANTED.flatMap((o) => o.properties.map((p) => ({ id: `migrate/to-${b}/${o.object}/${p}`, title: `${o.title}, seen through ${b}: its ${p} as the user made it (security)`, needs: PLANTED_NEEDS }))),
])

type Outcome = Awaited<ReturnType<SharedContext['op']>>

/** What the write phase left for one source configuration. */
interface Written {
  source: SharedTarget
  /** Each root step's errno name (null: it worked), or why the whole op failed. */
  tree: Outcome
  planted: Outcome | { skip: string }
}

/** One batched op's outcome per job: each job's value, or its errno (the job's or the whole op's). */
function perJob(r: Outcome, n: number): Outcome[] {
  if (!r.ok) return Array.from({ length: n }, () => ({ ok: false, errno: r.errno }))
  return (r.value as unknown[]).map((v) => (v && typeof v === 'object' && 'errno' in v ? { ok: false, errno: String((v as { errno: string }).errno) } : { ok: true, value: v }))
}

const treeStepList = treeSteps()
const plantedStepList = plantedSteps()

/** The root step results of one tree object: the first made it; later ones' refusals are notes. */
function treeMade(w: Written, object: (typeof TREE)[number]): { refused?: string; notes: string[] } {
  if (!w.tree.ok) return { refused: `making the tree failed: ${w.tree.errno}`, notes: [] }
  const results = w.tree.value as Array<string | null>
  const first = treeStepList.findIndex((s) => s[1] === `tree/${String(object.steps[0]![1])}` && s[0] === object.steps[0]![0])
  const of = object.steps.map((_, i) => ({ step: treeStepList[first + i]!, errno: results[first + i] }))
  const failed = (x: (typeof of)[number]) => `${String(x.step[0])} ${x.errno}`
  if (of[0]!.errno) return { refused: `${failed(of[0]!)} through the source configuration: nothing to switch`, notes: [] }
  return { notes: of.slice(1).filter((x) => x.errno).map((x) => `through the source, ${failed(x)}`) }
}

const sourceSkip = (s: SharedTarget, noTree: string | undefined): string | undefined =>
  noTree ?? ('missing' in s.sibling ? s.sibling.missing : undefined)
    ?? (s.model ? undefined : "the share's security model is not known (the agent's --model MOUNT=MODEL; limafs run passes it)")

const idsFor = (b: string, userSkip: string | undefined) => POINTS.filter((p) => p.id.startsWith(`migrate/to-${b}/`) && (!userSkip || !p.needs?.includes('user')))

export default sharedSuite('migrate', 'Switching a share\'s model: a tree made through one configuration, seen through another (none, mapped-xattr, mapped-file, virtiofs), and what a guest user plants', POINTS, async (ctx) => {
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

  for (const w of written) {
    const s = w.source
    const own = lookOf(w)!
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
      const seen = lookOf(w, b)!
      // The source is the point's own configuration and the other one is the second arg: the note names their settings.
      const note = `made through its sibling share (${s.model}${s.cache ? `, cache ${s.cache}` : ''}), seen through that of ${b}${through.cache ? ` (cache ${through.cache})` : ''} ${dropNote}`
      const lookFailed = !own.ok ? `looking through the source failed: ${own.errno}` : !seen.ok ? seen.errno! : undefined
      const judge = (id: string, rel: string, p: Property, values: () => [string, string], what: string, notes: readonly string[]) => {
        if (lookFailed) {
          ctx.point(s, id, { ok: false, diagnostics: { op: 'tree-look', args: [rel, through.path], wanted: 'a look at the tree', found: lookFailed, stage: 'after-drop-caches', class: 'loud', note } })
          return
        }
        const [wanted, found] = values()
        const verdict = judgeSwitch({ rel, property: p, wanted, found, through: through.path, note: [note, ...notes].join('; '), what })
        // A kept planting says whether the source took it as data or refused it.
        ctx.point(s, id, 'ok' in verdict && verdict.ok && rel.startsWith(`${PLANTED_DIR}/`) ? { ok: true, diagnostics: { note: notes.join('; ') } } : verdict)
      }
      const ownLook = own.value as Look
      const seenLook = seen.value as Look
      for (const o of TREE) {
        const made = treeMade(w, o)
        for (const p of o.properties) {
          const id = `migrate/to-${b}/${o.object}/${p}`
          if (made.refused) ctx.point(s, id, { skip: made.refused })
          else judge(id, `tree/${o.name}`, p, () => [treeValue(ownLook, o, p), treeValue(seenLook, o, p)], "root's file", made.notes)
        }
      }
      judge(`migrate/to-${b}/${TREE_LISTING.object}/${TREE_LISTING.property}`, 'tree', 'entries', () => [property(ownLook, 'tree', 'entries'), property(seenLook, 'tree', 'entries')], 'the tree', [])
      if ('skip' in w.planted) continue
      const planted = w.planted
      for (const o of PLANTED) {
        const madeFile = planted.ok ? (planted.value as Array<string | null>)[plantedStepList.findIndex((x) => JSON.stringify(x) === JSON.stringify(o.steps[0]))] : planted.errno
        const refused = planted.ok ? refusedPlantings(o, plantedStepList, planted.value as Array<string | null>) : []
        for (const p of o.properties) {
          const id = `migrate/to-${b}/${o.object}/${p}`
          if (madeFile) ctx.point(s, id, { skip: `the guest user could not make ${o.name} through the source configuration: ${madeFile}` })
          else judge(id, `${PLANTED_DIR}/${o.name}`, p, () => [plantedValue(ownLook, o, p), plantedValue(seenLook, o, p)], o.what, refused.length ? [`the source refused the planting (${refused.join(', ')})`] : ['the source took the planting as plain data'])
        }
      }
    }
  }
})
