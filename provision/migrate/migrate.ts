// `limafs migrate`'s work, without its printing: refuse a dir a VM holds, plan from a fresh
// look at the dir, apply change by change (stopping at the first step that fails), check that
// the guest would now see under the new model what it saw under the old one, and undo from a
// manifest. The steps run in python3 through descriptors (host-tree.ts); the decisions are pure
// (plan.ts, transition.ts).
import { statSync } from 'node:fs'
import { InfraError } from '../errors.ts'
import { guestView, type GuestEntry, type MigrateModel, type Snapshot } from './guest-view.ts'
import { runSteps, snapshotOf } from './host-tree.ts'
import type { Manifest } from './manifest.ts'
import { holdersOf, limaMounts, MOUNT_CHECK, vmProcesses } from './mounted.ts'
import { planMigration, sameState, stateOf, type Change, type Finding, type Plan } from './plan.ts'
import { stepsFor, type Step } from './transition.ts'

/** Refuses (InfraError) when a running VM exports the dir, one above it or one inside it; else says what was checked. */
export async function assertNotMounted(dir: string): Promise<string> {
  const holders = holdersOf(dir, await vmProcesses(), await limaMounts())
  if (holders.length) {
    throw new InfraError(`${dir} is shared into a running VM: ${holders.map((h) => `${h.who} exports ${h.path}`).join('; ')}`, {
      hint: 'stop the VM (limactl stop NAME) first: converting a share under a guest that has it mounted changes files under its caches',
    })
  }
  return MOUNT_CHECK
}

export interface Planned {
  plan: Plan
  /** What the guest saw under `from`, to check the result against. */
  view: Map<string, GuestEntry>
}

export async function planDir(dir: string, from: MigrateModel, to: MigrateModel): Promise<Planned> {
  const snapshot = await snapshotOf(dir, from)
  const own = statSync(dir)
  const uid = process.getuid?.() ?? 0
  const gid = process.getgid?.() ?? 0
  return { plan: planMigration(snapshot, from, to, { root: uid === 0, uid, gid, dirOwner: { uid: own.uid, gid: own.gid } }), view: guestView(snapshot, from) }
}

export interface Applied {
  /** How many changes were made whole. */
  done: number
  /** The change whose step failed (the ones after it were not started). */
  failed?: { change: Change; step: Step; errno: string }
}

/** Makes the changes in order, each after checking its path is still as looked at; stops at the first step that fails. */
export async function applyChanges(dir: string, changes: readonly Change[]): Promise<Applied> {
  const perChange = changes.map((c) => stepsFor(c.path, c.before, c.after))
  const results = await runSteps(dir, perChange.flat())
  let at = 0
  for (const [i, steps] of perChange.entries()) {
    const mine = results.slice(at, at + steps.length)
    const bad = mine.findIndex((r) => r !== null)
    if (bad >= 0) return { done: i, failed: { change: changes[i]!, step: steps[bad]!, errno: mine[bad]! } }
    at += steps.length
  }
  return { done: changes.length }
}

/** Where the guest would see something else under `to` than it saw under `from` (what the plan reported lost aside). */
export async function mismatches(dir: string, planned: Planned): Promise<string[]> {
  const after = guestView(await snapshotOf(dir, planned.plan.to), planned.plan.to)
  const lost = new Set(planned.plan.lost.map((l) => l.path))
  const fields = (g: GuestEntry | undefined) => (g ? JSON.stringify({ type: g.type, owner: `${g.uid}:${g.gid}`, mode: g.type === 'symlink' ? undefined : g.perm.toString(8), target: g.target, rdev: g.rdev }) : 'gone')
  const out: string[] = []
  for (const [rel, g] of planned.view) {
    if (lost.has(rel)) continue
    if (fields(g) !== fields(after.get(rel))) out.push(`${rel}: was ${fields(g)}, now ${fields(after.get(rel))}`)
  }
  for (const rel of after.keys()) if (!planned.view.has(rel)) out.push(`${rel}: new under ${planned.plan.to}`)
  return out
}

export interface UndoPlan {
  /** The changes that put things back, in reverse order of the migration. */
  changes: Change[]
  /** Changes the migration never made (it stopped before them), or that were undone already. */
  notMade: number
  /** Paths that are neither as the migration left them nor as it found them: someone changed them since. */
  conflicts: Finding[]
}

export async function planUndo(m: Manifest): Promise<UndoPlan> {
  const snapshot: Snapshot = await snapshotOf(m.dir, m.to, m.changes.map((c) => c.path))
  const changes: Change[] = []
  const conflicts: Finding[] = []
  let notMade = 0
  for (const c of [...m.changes].reverse()) {
    const e = snapshot[c.path]
    const now = e ? stateOf(e, true) : null
    if (sameState(now, c.before) && !sameState(now, c.after)) notMade++
    else if (sameState(now, c.after)) changes.push({ path: c.path, before: now, after: c.before, what: `undoes: ${c.what}` })
    else conflicts.push({ path: c.path, what: `changed since the migration (${c.what}): left as it is` })
  }
  return { changes, notMade, conflicts }
}
