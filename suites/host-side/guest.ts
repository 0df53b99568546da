// The guest's side of the host-side suite: every case's object made with its metadata, and
// looked at, on every mount in ONE request each to the python3 helper (a thread per mount).
import type { PointVerdict, SharedContext, SharedTarget } from '../../agent/check-api.ts'
import type { HostTruth } from '../../agent/diagnostics.ts'
import type { HostCase } from './cases.ts'
import type { GuestView } from './view.ts'

export const XATTR = 'user.limafs.guest'
export const XATTR_VALUE = Buffer.from('guest').toString('hex')
const GUEST_TARGET = 'guest-target'

/** One case on one mount, as it goes: made by the guest, changed by the host, looked at. */
export interface Work {
  t: SharedTarget
  c: HostCase
  path: string
  before?: GuestView
  /** What the guest could not set (its baseline is what it saw then): "chown EPERM". */
  unset?: string
  /** Why it can't be judged (setup or the host's change failed), or why it is skipped. */
  failed?: PointVerdict
  at?: string
  host?: HostTruth
}

type Outcome = { ok: boolean; value?: unknown; errno?: string }

/** A mount's dir the host moves a file into. */
export const elsewhereOf = (t: SharedTarget) => `${t.dir}/elsewhere`

/**
 * The guest makes every case's object on every mount and sets owner (root, another group), mode
 * and xattr: ONE request to the python3 helper, a thread per mount. What a set call refused
 * (security_model=none: chown is EPERM) the guest keeps as it is: the baseline is what it sees.
 */
export async function makeAll(ctx: SharedContext, work: Work[]): Promise<void> {
  // Each mount's dir the host moves a file into, first (no metadata of its own).
  const elsewhere = ctx.targets.map((t) => ({ group: t.path, path: elsewhereOf(t), kind: 'dir' }))
  const items = work.map((w) => ({
    group: w.t.path, path: w.path, kind: w.c.object, owner: [0, ctx.other.gid],
    ...(w.c.object === 'symlink' ? { target: GUEST_TARGET } : { mode: w.c.mode ?? (w.c.object === 'file' ? 0o6755 : 0o2775), xattr: [XATTR, XATTR_VALUE] }),
  }))
  const made = await ctx.op('make-objects', JSON.stringify([...elsewhere, ...items]))
  for (const [i, w] of work.entries()) {
    const r: Outcome = made.ok ? (made.value as Outcome[])[elsewhere.length + i]! : made
    if (r.ok) {
      const { view, unset } = r.value as { view: GuestView; unset: Record<string, string> }
      w.before = view
      if (Object.keys(unset).length) w.unset = Object.entries(unset).map(([call, errno]) => `${call} ${errno}`).join(', ')
    }
    else w.failed = { ok: false, diagnostics: { op: `make ${w.c.object}`, args: [w.path], wanted: '0', found: r.errno!, errno: r.errno!, stage: 'setup', class: 'loud' } }
  }
}

/** What the guest sees of every case's object: ONE request, a thread per mount. */
export async function lookAll(ctx: SharedContext, work: Work[]): Promise<Array<GuestView | { errno: string }>> {
  const looked = work.filter((w) => !w.failed)
  const r = looked.length ? await ctx.op('look-objects', JSON.stringify(looked.map((w) => ({ group: w.t.path, path: w.at!, xattr: XATTR, content: !!w.c.content })))) : { ok: true, value: [] }
  const views = new Map(looked.map((w, i) => {
    const one: Outcome = r.ok ? (r.value as Outcome[])[i]! : r
    return [w, one.ok ? (one.value as GuestView) : { errno: one.errno! }] as const
  }))
  return work.map((w) => views.get(w) ?? { errno: 'not looked at' })
}

