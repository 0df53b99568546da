// The CheckContext a check's run() gets (inside a worker): ops run with the check's time
// budget, expectations compare errno names and values, failures end the point with diagnostics.
import { basename } from 'node:path'
import type { Diagnostics, HostTruth, Stage } from './diagnostics.ts'
import {
  classify, PointFailure, PointSkip, type Arg, type CheckContext, type HostSide, type ObjectKind, type Persisted, type Wanted,
} from './check-api.ts'
import type { OpOutcome, OpRunner } from './op-runner.ts'

/** Ops whose last argument names the fields to compare ("uid,gid", "atime,mtime"), pjdfstest style. */
const FIELD_OPS = new Set(['lstat', 'stat', 'times', 'fd-fstat'])

export interface ContextDeps {
  ops: OpRunner
  /** Ops as the ordinary user (a worker running as them), when the agent is root. */
  userOps?: OpRunner
  /** Why the ordinary user can't reach this mount's scratch dir: asUser() skips with it. */
  userUnreachable?: string
  user: { uid: number; gid: number }
  other: { uid: number; gid: number }
  host: HostSide
  /** Prefix of names for this check's objects (in the suite dir), and the ordinary user's dir. */
  base: string
  userBase: string
  /** Prefix of names on the sibling share and our scratch dir there, or why there is none. */
  siblingBase: { base: string; scratch: string } | { missing: string }
  scratch: string
  deadline: number
  /** Longest a single op may take. */
  opTimeoutMs: number
}

const isErrno = (w: Wanted): w is string => typeof w === 'string' && /^E[A-Z0-9]+$/.test(w)

/** Longest text kept whole in diagnostics; a 64 KiB xattr value is shown by its start and size. */
const DIAGNOSTIC_TEXT_MAX = 120

export function clip(text: string): string {
  return text.length <= DIAGNOSTIC_TEXT_MAX ? text : `${text.slice(0, 60)}… (${text.length} chars)`
}

/** How a value reads in diagnostics and comparisons: fields joined by ",", lists by ",". */
export function render(value: unknown, fields?: string): string {
  if (fields && value && typeof value === 'object') {
    return fields.split(',').map((f) => String((value as Record<string, unknown>)[f])).join(',')
  }
  if (Array.isArray(value)) return value.join(',')
  return value === undefined || value === null ? '' : String(value)
}

/** Compares an op's outcome with WANTED; returns what was found and whether it matched. */
export function judge(wanted: Wanted, outcome: OpOutcome, fields?: string): { matched: boolean; found: string } {
  if (!outcome.ok) return { matched: isErrno(wanted) && outcome.errno === wanted, found: outcome.errno === 'TIMEOUT' ? 'timeout' : outcome.errno }
  if (wanted === 0) return { matched: true, found: '0' }
  // An errno was wanted but the call succeeded: show what it returned ("0" when nothing).
  if (isErrno(wanted)) return { matched: false, found: render(outcome.value, fields) || '0' }
  const found = render(outcome.value, fields)
  return { matched: found === wanted, found }
}

/** What one check gathers while it runs, shared by its root and ordinary-user contexts. */
export interface CheckState {
  /** Observations registered with persists(), for the later stages. */
  persisted: Persisted[]
  notes: string[]
  hostTruth?: HostTruth
  /** Set when the call (stage "call") failed with an errno: later stages of this check are loud. */
  callFailedLoud: boolean
}

/** A path inside the scratch dir as diagnostics show it: relative to the scratch dir. */
export function scratchRelative(scratch: string, path: string): string {
  return path.startsWith(`${scratch}/`) ? path.slice(scratch.length + 1) : path
}

export class Context implements CheckContext {
  constructor(
    private readonly deps: ContextDeps,
    readonly state: CheckState = { persisted: [], notes: [], callFailedLoud: false },
    private readonly ops: OpRunner = deps.ops,
    readonly stage: Stage = 'call',
  ) {}

  get user() {
    return this.deps.user
  }
  get other() {
    return this.deps.other
  }
  get host() {
    return this.deps.host
  }

  /** Paths in diagnostics are relative to the scratch dir (on the sibling share: "sibling:" and relative to ours there): short, and the same in every run. */
  private shown(args: Arg[]): Arg[] {
    const sibling = 'scratch' in this.deps.siblingBase ? this.deps.siblingBase.scratch : undefined
    const rel = (a: string) => (sibling && a.startsWith(`${sibling}/`) ? `sibling:${scratchRelative(sibling, a)}` : scratchRelative(this.deps.scratch, a))
    return args.map((a) => (typeof a === 'string' ? clip(rel(a)) : a))
  }

  private async call(op: string, args: Arg[]): Promise<OpOutcome> {
    const left = this.deps.deadline - Date.now()
    if (left <= 0) return { ok: false, errno: 'TIMEOUT', message: 'the check ran out of time' }
    return this.ops.call(op, args, Math.min(left, this.deps.opTimeoutMs))
  }

  path(name: string): string {
    return `${this.deps.base}${name}`
  }

  userPath(name: string): string {
    return `${this.deps.userBase}${name}`
  }

  siblingPath(name: string): string {
    const s = this.deps.siblingBase
    if ('missing' in s) this.skip(s.missing)
    return `${s.base}${name}`
  }

  async make(kind: ObjectKind, name: string = kind): Promise<string> {
    const p = this.ops === this.deps.userOps ? this.userPath(name) : this.path(name)
    switch (kind) {
      case 'file':
        await this.setup('create', p, 0o644)
        break
      case 'dir':
        await this.setup('mkdir', p, 0o755)
        break
      case 'symlink':
        // Beside the link, named after it: the link leads to it (it is not dangling).
        await this.setup('create', `${p}.target`, 0o644)
        await this.setup('symlink', `${basename(p)}.target`, p)
        break
      case 'fifo':
        await this.setup('mkfifo', p, 0o644)
        break
      case 'hardlink':
        await this.setup('create', `${p}.orig`, 0o644)
        await this.setup('link', `${p}.orig`, p)
        break
    }
    return p
  }

  async setup(op: string, ...args: Arg[]): Promise<unknown> {
    const outcome = await this.call(op, args)
    if (!outcome.ok) {
      throw new PointFailure({
        op, args: this.shown(args), wanted: '0', found: outcome.errno === 'TIMEOUT' ? 'timeout' : outcome.errno,
        ...(outcome.errno !== 'TIMEOUT' ? { errno: outcome.errno } : {}), stage: 'setup', class: 'loud', note: outcome.message,
      })
    }
    return outcome.value
  }

  async hostSetup(verb: string, path: string, args?: Record<string, unknown>): Promise<unknown> {
    const r = await this.deps.host.act(verb, path, args)
    if (!r.ok) this.fail({ op: `host-${verb}`, args: [path], wanted: '0', found: r.error ?? 'failed', stage: 'setup', class: 'loud' })
    return r.value
  }

  async attempt(op: string, ...args: Arg[]) {
    const outcome = await this.call(op, args)
    return outcome.ok ? { ok: true, value: outcome.value } : { ok: false, errno: outcome.errno }
  }

  async expect(wanted: Wanted, op: string, ...args: Arg[]): Promise<unknown> {
    const fields = FIELD_OPS.has(op) ? String(args.at(-1)) : undefined
    const opArgs = fields ? args.slice(0, -1) : args
    const outcome = await this.call(op, opArgs)
    const { matched, found } = judge(wanted, outcome, fields)
    if (!matched) {
      if (this.stage === 'call' && !outcome.ok) this.state.callFailedLoud = true
      throw new PointFailure(this.diagnostics(wanted, op, args, outcome, found))
    }
    return outcome.ok ? outcome.value : undefined
  }

  diagnostics(wanted: Wanted, op: string, args: Arg[], outcome: OpOutcome, found: string): Diagnostics {
    return {
      op, args: this.shown(args), wanted: clip(String(wanted)), found: clip(found),
      ...(!outcome.ok && outcome.errno !== 'TIMEOUT' ? { errno: outcome.errno } : {}),
      stage: this.stage,
      class: classify(outcome, this.stage !== 'call' && this.state.callFailedLoud),
      ...(outcome.ok === false && outcome.errno === 'TIMEOUT' ? { note: `${outcome.message}; the worker was killed and replaced` } : {}),
      // A helper process that died (a crash the check provoked): how it ended.
      ...(outcome.ok === false && outcome.errno === 'EHELPER' ? { note: outcome.message } : {}),
    }
  }

  persists(wanted: Wanted, op: string, ...args: Arg[]): void {
    this.state.persisted.push({ wanted, op, args })
  }

  asUser(): CheckContext {
    if (!this.deps.userOps) this.skip('acting as the ordinary user needs the agent to run as root')
    if (this.deps.userUnreachable) this.skip(this.deps.userUnreachable)
    return new Context(this.deps, this.state, this.deps.userOps, this.stage)
  }

  async recordHost(path: string): Promise<HostTruth | undefined> {
    this.state.hostTruth = await this.deps.host.look(path)
    return this.state.hostTruth
  }

  skip(reason: string): never {
    throw new PointSkip(reason)
  }

  fail(diagnostics: Diagnostics): never {
    throw new PointFailure({ ...diagnostics, args: this.shown(diagnostics.args), wanted: clip(diagnostics.wanted), found: clip(diagnostics.found) })
  }

  note(text: string): void {
    this.state.notes.push(text)
  }

  /** A context for looking at this check's persisted observations at a later stage. */
  atStage(stage: Stage, deadline: number): Context {
    return new Context({ ...this.deps, deadline }, { ...this.state, notes: [], hostTruth: undefined }, this.deps.ops, stage)
  }
}
