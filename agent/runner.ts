// Runs suites on one mount: every check's call (and "at once" look), then one drop_caches and
// one remount for all the mount's checks with later stages, then the TAP for that mount.
// Points are gathered per mount and written when the mount is done; progress goes to stderr.
import { PointFailure, PointSkip, pointIds, type CheckSpec, type Need, type Persisted, type SuiteSpec } from './check-api.ts'
import { Context, type ContextDeps } from './check-context.ts'
import type { Diagnostics, Stage } from './diagnostics.ts'
import { globMatch } from './glob.ts'
import type { MountInfo } from './mountinfo.ts'
import { remountOptions } from './remount-options.ts'
import type { HostSide } from './check-api.ts'
import type { Directive, TapWriter } from './tap-writer.ts'
import type { Worker } from './worker-client.ts'

export interface Todo {
  check: string
  reason: string
}

/** File systems a Lima share can be (9p, virtiofs, reverse-sshfs): the only ones the agent runs on by default and ever remounts. */
export const SHARE_FS_TYPES: ReadonlySet<string> = new Set(['9p', 'virtiofs', 'fuse.sshfs'])

/** One mount as the run sees it. */
export interface MountTarget {
  /** The --mount path as given (a mount point or a directory on a mount). */
  path: string
  mount: MountInfo
  scratch: string
  /** A dir in the scratch dir the ordinary user may write in. */
  userDir: string
  host: HostSide
  todos: Todo[]
}

export interface Capabilities {
  isRoot: boolean
  user: { uid: number; gid: number }
  other: { uid: number; gid: number }
  xattr: 'python3' | 'tools' | 'none'
  acl: boolean
  python3: boolean
  bridge: boolean
  remount: boolean
}

export interface RunContext {
  root: Worker
  userWorker?: Worker
  caps: Capabilities
  checkTimeoutMs: number
  opTimeoutMs: number
  grep?: RegExp
  log: (line: string) => void
}

/** A point ready to be written. */
export interface PointRecord {
  id: string
  ok: boolean
  directive?: Directive
  diagnostics?: Record<string, unknown>
}

/** A check with later stages still to look at. */
export interface StagedCheck {
  suite: string
  check: Pick<CheckSpec, 'id' | 'stages'>
  persisted: Persisted[]
  callFailedLoud: boolean
  /** Why the later stages can't be judged (setup failed before anything was registered). */
  setupFailure?: Diagnostics
}

export function unmetNeed(needs: readonly Need[] | undefined, caps: Capabilities): string | undefined {
  for (const need of needs ?? []) {
    switch (need) {
      case 'root':
        if (!caps.isRoot) return 'needs root (run the agent with sudo)'
        break
      case 'user':
        if (!caps.isRoot) return 'acting as the ordinary user needs the agent to run as root'
        break
      case 'host':
        if (!caps.bridge) return 'no host bridge: run through `limafs run` to see the host side'
        break
      case 'xattr':
        if (caps.xattr === 'none') return 'neither python3 nor getfattr/setfattr in the guest'
        break
      case 'xattr-flags':
        if (caps.xattr !== 'python3') return 'XATTR_CREATE/XATTR_REPLACE need python3 in the guest'
        break
      case 'acl':
        if (!caps.acl) return 'no setfacl/getfacl in the guest'
        break
      case 'python3':
        if (!caps.python3) return 'no python3 in the guest'
        break
    }
  }
  return undefined
}

function todoFor(id: string, todos: readonly Todo[]): string | undefined {
  return todos.find((t) => globMatch(t.check, id))?.reason
}

/** The record of a judged point, TODO applied from the matrix's known deviations. */
function record(id: string, todos: readonly Todo[], outcome: { ok: true; diagnostics?: Record<string, unknown> } | { ok: false; diagnostics: Diagnostics; extra?: Record<string, unknown> } | { skip: string }): PointRecord {
  if ('skip' in outcome) return { id, ok: true, directive: { skip: outcome.skip } }
  const todo = todoFor(id, todos)
  const directive = todo ? { todo } : undefined
  if (outcome.ok) return { id, ok: true, ...(directive ? { directive } : {}), ...(outcome.diagnostics ? { diagnostics: outcome.diagnostics } : {}) }
  return { id, ok: false, ...(directive ? { directive } : {}), diagnostics: { ...outcome.diagnostics, ...outcome.extra } }
}

function extras(ctx: Context): Record<string, unknown> {
  return {
    ...(ctx.state.hostTruth ? { host: ctx.state.hostTruth } : {}),
    ...(ctx.state.notes.length ? { note: ctx.state.notes.join('; ') } : {}),
  }
}

function depsFor(target: MountTarget, run: RunContext, base: string, deadline: number): ContextDeps {
  return {
    root: run.root, ...(run.userWorker ? { userWorker: run.userWorker } : {}),
    user: run.caps.user, other: run.caps.other, host: target.host,
    base, userBase: `${target.userDir}/${base.slice(target.scratch.length + 1).replaceAll('/', '_')}`,
    scratch: target.scratch, deadline, opTimeoutMs: run.opTimeoutMs,
  }
}

/** Runs the checks of one suite up to "at once"; returns its points and what is left for later stages. */
export async function runSuiteCalls(suite: SuiteSpec, target: MountTarget, run: RunContext): Promise<{ points: PointRecord[]; staged: StagedCheck[] }> {
  const points: PointRecord[] = []
  const staged: StagedCheck[] = []
  const suiteDir = `${target.scratch}/${suite.name}`
  const made = await run.root.call('mkdir', [suiteDir, 0o755], run.opTimeoutMs)
  for (const [index, check] of suite.checks.entries()) {
    const ids = pointIds(check).filter((id) => !run.grep || run.grep.test(id))
    if (!ids.length) continue
    const skip = unmetNeed(check.needs, run.caps) ?? (made.ok ? undefined : `could not make ${suiteDir}: ${made.errno}`)
    if (skip) {
      points.push(...ids.map((id) => record(id, target.todos, { skip })))
      continue
    }
    const ctx = new Context(depsFor(target, run, `${suiteDir}/${index}-`, Date.now() + run.checkTimeoutMs))
    let failure: Diagnostics | undefined
    let skipped: string | undefined
    try {
      await check.run(ctx)
    } catch (err) {
      if (err instanceof PointFailure) failure = err.diagnostics
      else if (err instanceof PointSkip) skipped = err.message
      else failure = { op: 'check', args: [], wanted: 'no exception', found: String(err), stage: 'call', class: 'loud', note: 'the check itself threw: a limafs bug' }
    }
    const passed = () => (Object.keys(extras(ctx)).length ? { ok: true as const, diagnostics: extras(ctx) } : { ok: true as const })
    if (!check.stages) {
      points.push(record(check.id, target.todos, skipped ? { skip: skipped } : failure ? { ok: false, diagnostics: failure, extra: extras(ctx) } : passed()))
      continue
    }
    const idFor = (stage: string) => check.id.replace('{stage}', stage)
    const wanted = (stage: string) => ids.includes(idFor(stage))
    if (skipped) {
      points.push(...ids.map((id) => record(id, target.todos, { skip: skipped! })))
      continue
    }
    if (wanted('call')) points.push(record(idFor('call'), target.todos, failure ? { ok: false, diagnostics: failure, extra: extras(ctx) } : passed()))
    const setupFailure = failure?.stage === 'setup' || !ctx.state.persisted.length ? failure : undefined
    if (wanted('at-once')) points.push(await judgeStage(check, 'at-once', ctx, setupFailure, target, run))
    staged.push({ suite: suite.name, check, persisted: ctx.state.persisted, callFailedLoud: ctx.state.callFailedLoud, ...(setupFailure ? { setupFailure } : {}) })
  }
  return { points, staged }
}

/** Looks at a staged check's persisted observations at one stage. */
async function judgeStage(
  check: Pick<CheckSpec, 'id'>, stage: Stage, source: Context | StagedCheck, setupFailure: Diagnostics | undefined, target: MountTarget, run: RunContext,
): Promise<PointRecord> {
  const id = check.id.replace('{stage}', stage)
  if (setupFailure) return record(id, target.todos, { ok: false, diagnostics: { ...setupFailure, note: `${setupFailure.note ? `${setupFailure.note}; ` : ''}nothing to look at: setup failed` } })
  const persisted = source instanceof Context ? source.state.persisted : source.persisted
  const ctx = new Context(depsFor(target, run, `${target.scratch}/`, Date.now() + run.checkTimeoutMs), {
    persisted: [], notes: [], callFailedLoud: source instanceof Context ? source.state.callFailedLoud : source.callFailedLoud,
  }, run.root, stage)
  for (const p of persisted) {
    try {
      await ctx.expect(p.wanted, p.op, ...p.args)
    } catch (err) {
      if (err instanceof PointFailure) return record(id, target.todos, { ok: false, diagnostics: err.diagnostics })
      throw err
    }
  }
  return record(id, target.todos, { ok: true })
}

/** The later stages on one mount: drop_caches, then remount, each once for every staged check. */
export async function runLaterStages(staged: readonly StagedCheck[], target: MountTarget, run: RunContext): Promise<Map<string, PointRecord[]>> {
  const bySuite = new Map<string, PointRecord[]>()
  const add = (suite: string, p: PointRecord) => bySuite.set(suite, [...(bySuite.get(suite) ?? []), p])
  const stageIds = (s: StagedCheck, stage: string) => {
    const id = s.check.id.replace('{stage}', stage)
    return s.check.stages?.includes(stage as never) && (!run.grep || run.grep.test(id)) ? [id] : []
  }
  for (const stage of ['after-drop-caches', 'after-remount'] as const) {
    const due = staged.filter((s) => stageIds(s, stage).length)
    if (!due.length) continue
    const unavailable = await prepareStage(stage, target, run)
    for (const s of due) {
      if (unavailable) add(s.suite, record(stageIds(s, stage)[0]!, target.todos, { skip: unavailable }))
      else add(s.suite, await judgeStage(s.check, stage, s, s.setupFailure, target, run))
    }
  }
  return bySuite
}

/** Drops the guest's caches or remounts the share; says why not when it can't. */
async function prepareStage(stage: 'after-drop-caches' | 'after-remount', target: MountTarget, run: RunContext): Promise<string | undefined> {
  if (!run.caps.isRoot) return `${stage === 'after-remount' ? 'remount' : 'drop_caches'} needs root`
  if (stage === 'after-drop-caches') {
    const r = await run.root.call('drop-caches', [], run.opTimeoutMs)
    return r.ok ? undefined : `drop_caches failed: ${r.errno} ${r.message}`
  }
  if (!run.caps.remount) return 'remount disabled (--no-remount)'
  const m = target.mount
  // Only ever a share: never the guest's own file systems (--allow-any-fs runs on those).
  if (!SHARE_FS_TYPES.has(m.fsType) || m.mountPoint === '/') return `remount is only done on 9p, virtiofs and sshfs shares, not ${m.fsType} (${m.mountPoint})`
  const options = remountOptions(m)
  run.log(`remounting ${m.mountPoint} (${m.fsType} ${m.source} -o ${options})`)
  const r = await run.root.call('remount', [m.mountPoint, m.fsType, m.source, options], run.opTimeoutMs * 3)
  if (!r.ok) run.log(`REMOUNT FAILED on ${m.mountPoint}: ${r.message}`)
  return r.ok ? undefined : `remount failed: ${r.message}`
}

/** Judges what a run kept for after a VM restart. */
export async function runAfterRestart(staged: readonly StagedCheck[], target: MountTarget, run: RunContext): Promise<Map<string, PointRecord[]>> {
  const bySuite = new Map<string, PointRecord[]>()
  for (const s of staged) {
    const id = s.check.id.replace('{stage}', 'after-restart')
    if (run.grep && !run.grep.test(id)) continue
    bySuite.set(s.suite, [...(bySuite.get(s.suite) ?? []), await judgeStage(s.check, 'after-restart', s, s.setupFailure, target, run)])
  }
  return bySuite
}

/** Writes one mount's points as TAP: a subtest per suite. */
export async function writeMountTap(t: TapWriter, mountPath: string, suites: readonly string[], points: ReadonlyMap<string, PointRecord[]>): Promise<void> {
  await t.subtest(mountPath, async (mt) => {
    for (const name of suites) {
      const list = points.get(name)
      if (!list?.length) continue
      await mt.subtest(name, async (st) => {
        for (const p of list) st.point({ ok: p.ok, name: p.id, ...(p.directive ? { directive: p.directive } : {}), ...(p.diagnostics ? { diagnostics: p.diagnostics } : {}) })
      })
    }
  })
}

