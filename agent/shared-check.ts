// One point of a shared suite on one mount, written like a check: `expect WANTED OP ARGS`, a
// failed expectation ends the point with the diagnostics every check has, so a shared suite
// (one job over every mount, where the host can act on all of them at once) reads like the
// per-mount ones.
import { PointFailure, PointSkip, type Arg, type Need, type SharedContext, type SharedTarget, type Wanted } from './check-api.ts'
import { clip, judge } from './check-context.ts'
import type { Diagnostics } from './diagnostics.ts'
import type { OpOutcome } from './op-runner.ts'

/** How a point's args read in its diagnostics (names as text rather than hex, say). */
export type ShowArgs = (op: string, args: Arg[]) => Arg[]

export class SharedCheck {
  private readonly notes: string[] = []
  /** Fields beside the usual ones in the point's diagnostics (what the guest listed, what the host holds...). */
  readonly extra: Record<string, unknown> = {}

  constructor(
    private readonly ctx: SharedContext,
    readonly target: SharedTarget,
    private readonly show: ShowArgs = (_op, args) => args,
  ) {}

  /** Runs an op and returns its outcome without judging it. */
  attempt(op: string, ...args: Arg[]): Promise<{ ok: boolean; value?: unknown; errno?: string }> {
    return this.ctx.op(op, ...args)
  }

  /** Runs an op as setup: a failure ends the point at stage setup. */
  async setup(op: string, ...args: Arg[]): Promise<unknown> {
    const r = await this.ctx.op(op, ...args)
    if (!r.ok) throw new PointFailure({ op, args: this.show(op, args), wanted: '0', found: r.errno ?? 'failed', ...(r.errno ? { errno: r.errno } : {}), stage: 'setup', class: 'loud' })
    return r.value
  }

  /** pjdfstest's `expect`: WANTED is 0, an errno name, or the value the op must return. */
  async expect(wanted: Wanted, op: string, ...args: Arg[]): Promise<unknown> {
    const r = await this.ctx.op(op, ...args)
    const outcome = (r.ok ? { ok: true, value: r.value } : { ok: false, errno: r.errno ?? 'EIO', message: '' }) as OpOutcome
    const { matched, found } = judge(wanted, outcome)
    if (!matched) {
      this.fail({ op, args: this.show(op, args), wanted: String(wanted), found, ...(r.ok ? {} : { errno: r.errno }), stage: 'call', class: r.ok ? 'silent' : 'loud' })
    }
    return r.value
  }

  /** Ends the point as failed with a judgment made here. */
  fail(diagnostics: Diagnostics): never {
    throw new PointFailure({ ...diagnostics, wanted: clip(diagnostics.wanted), found: clip(diagnostics.found) })
  }

  skip(reason: string): never {
    throw new PointSkip(reason)
  }

  note(text: string): void {
    this.notes.push(text)
  }

  /** What the point carries besides its verdict: notes and the extra fields. */
  details(): Record<string, unknown> {
    return { ...this.extra, ...(this.notes.length ? { note: this.notes.join('; ') } : {}) }
  }
}

/** One point of a shared suite, on one mount: runs it (or skips it for an unmet need) and reports it. */
export async function sharedPoint(
  ctx: SharedContext,
  target: SharedTarget,
  point: { id: string; needs?: readonly Need[] },
  body: (c: SharedCheck) => Promise<void>,
  show?: ShowArgs,
): Promise<void> {
  const unmet = ctx.unmet(point.needs ?? [])
  if (unmet) return ctx.point(target, point.id, { skip: unmet })
  const c = new SharedCheck(ctx, target, show)
  try {
    await body(c)
    const details = c.details()
    ctx.point(target, point.id, { ok: true, ...(Object.keys(details).length ? { diagnostics: details } : {}) })
  } catch (err) {
    if (err instanceof PointSkip) return ctx.point(target, point.id, { skip: err.message })
    const diagnostics: Diagnostics = err instanceof PointFailure
      ? err.diagnostics
      : { op: 'check', args: [], wanted: 'no exception', found: String(err), stage: 'call', class: 'loud', note: 'the check itself threw: a limafs bug' }
    const details = c.details()
    const note = [diagnostics.note, details.note].filter(Boolean).join('; ')
    ctx.point(target, point.id, { ok: false, diagnostics: { ...diagnostics, ...details, ...(note ? { note } : {}) } })
  }
}
