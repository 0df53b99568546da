// One switch's points: a source configuration's tree and plantings, as the guest saw them
// through the source, against the same host files seen through a configuration of another
// model; each object property judged (judge.ts), reported under the source configuration.
import type { SharedContext, SharedTarget } from '../../agent/check-api.ts'
import { judgeSwitch } from './judge.ts'
import { property, type Look, type Property } from './look.ts'
import { PLANTED, PLANTED_DIR, plantedSteps, plantedValue, refusedPlantings } from './planted.ts'
import { TREE, TREE_LISTING, treeSteps, treeValue } from './tree.ts'

export type Outcome = Awaited<ReturnType<SharedContext['op']>>

/** What the write phase left for one source configuration. */
export interface Written {
  source: SharedTarget
  /** Each root step's errno name (null: it worked), or why the whole op failed. */
  tree: Outcome
  planted: Outcome | { skip: string }
}

export const treeStepList = treeSteps()
export const plantedStepList = plantedSteps()

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

/** Reports every point of the switch from w's source to model b, looked at through `through`. */
export function reportSwitch(ctx: SharedContext, w: Written, b: string, through: SharedTarget, own: Outcome, seen: Outcome, dropNote: string): void {
  const s = w.source
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
  if ('skip' in w.planted) return
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
