// The check API. A check reads like a pjdfstest line, `expect WANTED OP ARGS`:
//
//   const f = await x.make('file')
//   x.persists('1234,5678', 'lstat', f, 'uid,gid')   // what must hold from now on, at every stage
//   await x.expect(0, 'lchown', f, 1234, 5678)       // the call itself
//
// WANTED is 0, an errno NAME, or the value/fields the op must return. One check = one stable id
// = one TAP point; a check with `{stage}` in its id is one point per stage. The check never
// knows which configuration it runs on: its verdict is what it observes.
import type { Diagnostics, FailureClass, HostTruth, Stage } from './diagnostics.ts'

export const OBJECT_KINDS = ['file', 'dir', 'symlink', 'fifo', 'hardlink'] as const
export type ObjectKind = (typeof OBJECT_KINDS)[number]

/** The stages a persisting effect is looked at, in order. */
export const PERSIST_STAGES = ['call', 'at-once', 'after-drop-caches', 'after-remount', 'after-restart'] as const
type PersistStage = (typeof PERSIST_STAGES)[number]

/** What a check needs from its environment; without it the check is a SKIP with the reason. */
export type Need =
  | 'root' // chown to other uids, drop_caches, remount
  | 'user' // acting as the guest's ordinary user (forking as another uid needs root)
  | 'host' // the host bridge (limafs run); by hand there is no host side to ask
  | 'xattr' // python3 or getfattr/setfattr in the guest
  | 'xattr-flags' // XATTR_CREATE/XATTR_REPLACE: python3
  | 'acl' // setfacl/getfacl in the guest
  | 'python3' // mmap and friends
  | 'sibling' // the configuration's sibling share (limafs run asks the backend for one: see --sibling)

export type Arg = string | number
export type Wanted = 0 | string

export interface CheckSpec {
  /** Stable id, "suite/aspect/object"; `{stage}` in it makes one point per stage. */
  id: string
  /** One line for `list`; may say {stage}. */
  title: string
  stages?: readonly PersistStage[]
  needs?: readonly Need[]
  run(x: CheckContext): Promise<void>
}

export interface SuiteSpec {
  name: string
  title: string
  checks: CheckSpec[]
}

/** One point of a shared suite: declared up front so `list` is true. */
export interface PointSpec {
  id: string
  title: string
  needs?: readonly Need[]
}

/** One mount as a shared suite sees it. */
export interface SharedTarget {
  /** The --mount path (the TAP subtest name). */
  path: string
  /** This suite's own dir in the mount's scratch dir (made before run). */
  dir: string
  /** This suite's own dir in the scratch dir on the mount's sibling share (made before run), or why there is none. */
  sibling: { dir: string } | { missing: string }
  /** The share's security model (none, mapped-xattr, mapped-file, passthrough, virtiofs), when the agent was told (--model). */
  model?: string
  /** The share's 9p cache mode as mountinfo shows it (none, loose, fscache, mmap); absent for other file systems. */
  cache?: string
  host: HostSide
}

export type PointVerdict = { ok: true; diagnostics?: Record<string, unknown> } | { ok: false; diagnostics: Diagnostics & Record<string, unknown> } | { skip: string }

/** The bench suite's sizes (--bench-files, --bench-bytes, --bench-repeats, --bench-scale; defaults in suites/bench/settings.ts). */
export interface BenchSettings {
  files: number
  bytes: number
  repeats: number
  /** The app-like workloads' size factor. */
  scale: number
}

/** The guest's own tmpfs, the bench suite's baseline: a dir of ours there, or why there is none. */
export type Baseline = { dir: string } | { missing: string }

/** What a shared suite gets: every mount at once, the ops, and a way to report points. */
export interface SharedContext {
  readonly targets: readonly SharedTarget[]
  /** A dir for this suite on the guest's tmpfs (asked for by suites that measure, else missing). */
  readonly baseline: Baseline
  readonly bench: BenchSettings
  /** Says the suite is still going (each step of a long one): the agent's hang timer starts again. */
  progress(step: string): void
  /** Runs an op (as root, or the agent's user) and returns its outcome without judging it; args as the op takes them (tree ops take lists). */
  op(op: string, ...args: unknown[]): Promise<{ ok: boolean; value?: unknown; errno?: string }>
  /** The same, as the guest's ordinary user (ENOUSER when there is no such worker: check unmet(['user']) first). */
  userOp(op: string, ...args: unknown[]): Promise<{ ok: boolean; value?: unknown; errno?: string }>
  /**
   * This suite's dir on `source`'s sibling share as seen through `through`'s sibling share: every
   * sibling is on one host dir, so a tree made through one configuration is read through another
   * at the same relative path. Missing when either has no sibling.
   */
  siblingView(source: SharedTarget, through: SharedTarget): { dir: string } | { missing: string }
  /** The observation window (seconds, --window). */
  readonly windowMs: number
  /** The uid:gid checks chown to: neither root nor the ordinary user. */
  readonly other: { uid: number; gid: number }
  /** Why a need is not met here, if it is not. */
  unmet(needs: readonly Need[]): string | undefined
  point(target: SharedTarget, id: string, verdict: PointVerdict): void
  /**
   * Runs a check written as for a per-mount suite (one point, no stages) on one mount and reports
   * its point: its needs, context, verdict and TODOs as there. Checks on several mounts may run at
   * once: their calls to python3 helpers then overlap instead of each waiting its turn.
   */
  check(target: SharedTarget, check: CheckSpec): Promise<void>
}

/**
 * A suite that works on every mount at once (one observation window for all configurations,
 * not one per configuration). Its points are declared; run() reports each for each mount.
 */
export interface SharedSuiteSpec {
  name: string
  title: string
  shared: true
  /**
   * Measures speed rather than judging behaviour (bench): it gets a tmpfs baseline dir, and on a
   * share that refuses the agent's scratch dir its points are SKIPs (nothing to measure), not failures.
   */
  measures?: boolean
  /**
   * Runs on read-only mounts only, in the suite's dir of the scratch dir the host made there
   * (`--ro-scratch`); every other suite writes, so on a read-only mount it is a SKIP.
   */
  readOnlyMounts?: boolean
  /**
   * Drops the guest's caches (echo 3 > drop_caches), which every mount's cache feels: it runs
   * alone, never beside another suite whose at-once points a drop would change.
   */
  dropsCaches?: boolean
  points: PointSpec[]
  run(ctx: SharedContext): Promise<void>
}

export function sharedSuite(name: string, title: string, points: PointSpec[], run: SharedSuiteSpec['run']): SharedSuiteSpec {
  for (const p of points) if (p.id.split('/')[0] !== name) throw new Error(`point ${p.id} does not start with its suite name ${name}/`)
  return { name, title, shared: true, points, run }
}

/** A check's point as a shared suite declares it. */
export const pointOf = (c: CheckSpec): PointSpec => ({ id: c.id, title: c.title, needs: c.needs ?? [] })

/**
 * Runs per-mount style checks (one point each, no stages) in a shared suite: each check on every
 * mount at once, one check after another. Where a check waits on python3 helpers (a round trip
 * costs ~10 ms under emulation, a request in a queue ~1 ms) this takes a fraction of the time
 * the same checks take mount after mount.
 */
export async function runAtOnce(ctx: SharedContext, checks: readonly CheckSpec[]): Promise<void> {
  for (const c of checks) {
    if (c.stages) throw new Error(`check ${c.id}: checks run at once on every mount have no stages`)
    ctx.progress(c.id)
    await Promise.all(ctx.targets.map((t) => ctx.check(t, c)))
  }
}

/** A shared suite made of per-mount style checks, each run on every mount at once (see runAtOnce). */
export function checksAtOnce(name: string, title: string, checks: CheckSpec[]): SharedSuiteSpec {
  return sharedSuite(name, title, checks.map(pointOf), (ctx) => runAtOnce(ctx, checks))
}

export type AnySuite = SuiteSpec | SharedSuiteSpec

/** Every point id a suite can emit, with its title and needs. */
export function suitePoints(s: AnySuite): PointSpec[] {
  if ('shared' in s) return s.points
  return s.checks.flatMap((c) => pointIds(c).map((id) => {
    const stage = c.stages?.find((st) => c.id.replace('{stage}', st) === id)
    return { id, title: c.title.replace('{stage}', stage ?? ''), needs: c.needs ?? [] }
  }))
}

export function suite(name: string, title: string, checks: CheckSpec[]): SuiteSpec {
  for (const c of checks) {
    if (c.id.split('/')[0] !== name) throw new Error(`check ${c.id} does not start with its suite name ${name}/`)
    if (c.id.includes('{stage}') !== !!c.stages) throw new Error(`check ${c.id}: {stage} in the id exactly when stages are given`)
  }
  return { name, title, checks }
}

/** The point ids a check can emit. */
export function pointIds(check: CheckSpec): string[] {
  return check.stages ? check.stages.map((s) => check.id.replace('{stage}', s)) : [check.id]
}

/** An observation that must keep holding: evaluated at each later stage. */
export interface Persisted {
  wanted: Wanted
  op: string
  args: Arg[]
}

/** What ends a point early: a failed expectation (or a failed setup step). */
export class PointFailure extends Error {
  constructor(readonly diagnostics: Diagnostics) {
    super(`${diagnostics.op} ${diagnostics.args.join(' ')}: wanted ${diagnostics.wanted}, found ${diagnostics.found}`)
  }
}

/** A check that decides it can't run here (a missing guest feature found at run time). */
export class PointSkip extends Error {}

/** The host side of a share, as the host bridge reports and changes it. */
export interface HostSide {
  /** Where the host keeps the object at this guest path; undefined when there is no bridge. */
  look(path: string): Promise<HostTruth | undefined>
  /** Asks the host to act on its side of the share (make a symlink, edit a file...). */
  act(verb: string, path: string, args?: Record<string, unknown>): Promise<{ ok: boolean; error?: string; value?: unknown }>
}

export interface CheckContext {
  /** Absolute path of a fresh name for this check, inside the scratch dir. */
  path(name: string): string
  /** Makes an object of a kind (setup: a failure ends the point at stage setup). */
  make(kind: ObjectKind, name?: string): Promise<string>
  /** Runs an op as setup: a failure ends the point at stage setup. */
  setup(op: string, ...args: Arg[]): Promise<unknown>
  /** Asks the host to act (host.act) as setup: a refusal ends the point at stage setup, loud, as op `host-VERB`. */
  hostSetup(verb: string, path: string, args?: Record<string, unknown>): Promise<unknown>
  /** Runs an op and returns its outcome without judging it. */
  attempt(op: string, ...args: Arg[]): Promise<{ ok: boolean; value?: unknown; errno?: string }>
  /** pjdfstest's `expect`: WANTED is 0, an errno name, or the value (fields for stat ops). */
  expect(wanted: Wanted, op: string, ...args: Arg[]): Promise<unknown>
  /** Registers what must keep holding at every later stage of this check. */
  persists(wanted: Wanted, op: string, ...args: Arg[]): void
  /** The same context, acting as the guest's ordinary user. */
  asUser(): CheckContext
  /** This check's dir for the ordinary user (writable by them). */
  userPath(name: string): string
  /** A fresh name for this check on the mount's sibling share (a check that calls it needs 'sibling'; without one it is a SKIP). */
  siblingPath(name: string): string
  /** The guest's ordinary user. */
  readonly user: { uid: number; gid: number }
  /** The uid:gid checks chown to: neither root nor the ordinary user. */
  readonly other: { uid: number; gid: number }
  readonly host: HostSide
  /** Attaches what the host stored for a guest path to this point's diagnostics. */
  recordHost(path: string): Promise<HostTruth | undefined>
  /** Ends the point as SKIP. */
  skip(reason: string): never
  /** Ends the point as failed with a judgment the check made itself (e.g. on host truth). */
  fail(diagnostics: Diagnostics): never
  /** A note kept in the diagnostics. */
  note(text: string): void
}

/** Classes a failure: an errno the caller saw is loud; a call that said OK wrongly is silent. */
export function classify(found: { ok: boolean }, callFailedLoud: boolean): FailureClass {
  return !found.ok || callFailedLoud ? 'loud' : 'silent'
}

export type { Stage }
