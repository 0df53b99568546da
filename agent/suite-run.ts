// Running checks, inside a worker: each check's call (and its "at once" look), then, when the
// agent asks, a later stage (after drop_caches, remount or restart) for the staged checks.
// Everything found is reported as it happens through `emit`, so a hung check loses nothing else.
import { cacheModeOf } from './cache-mode.ts'
import { PointFailure, PointSkip, pointIds, type Baseline, type CheckSpec, type HostSide, type Need, type PointVerdict, type SharedSuiteSpec, type SharedTarget, type SuiteSpec } from './check-api.ts'
import { Context, scratchRelative, type ContextDeps } from './check-context.ts'
import type { Diagnostics, Stage } from './diagnostics.ts'
import { globMatch } from './glob.ts'
import type { OpRunner } from './op-runner.ts'
import { siblingView } from './sibling-views.ts'
import type { Capabilities, MountTarget, PointRecord, RunEvent, RunSettings, StagedCheck, Todo } from './run-types.ts'

export interface Runners {
  ops: OpRunner
  userOps?: OpRunner
  host: HostSide
}

export function unmetNeed(needs: readonly Need[] | undefined, caps: Capabilities, target?: Pick<MountTarget, 'userUnreachable'>): string | undefined {
  for (const need of needs ?? []) {
    switch (need) {
      case 'root':
        if (!caps.isRoot) return 'needs root (run the agent with sudo)'
        break
      case 'user':
        if (!caps.isRoot) return 'acting as the ordinary user needs the agent to run as root'
        if (target?.userUnreachable) return target.userUnreachable
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

/** The record of a judged point, TODO applied from the matrix's known deviations. */
export function pointRecord(
  id: string,
  todos: readonly Todo[],
  outcome: { ok: true; diagnostics?: Record<string, unknown> } | { ok: false; diagnostics: Diagnostics | Record<string, unknown> } | { skip: string },
): PointRecord {
  if ('skip' in outcome) return { id, ok: true, directive: { skip: outcome.skip } }
  const todo = todos.find((t) => globMatch(t.check, id))?.reason
  return {
    id,
    ok: outcome.ok,
    ...(todo ? { directive: { todo } } : {}),
    ...(outcome.diagnostics && Object.keys(outcome.diagnostics).length ? { diagnostics: outcome.diagnostics as Record<string, unknown> } : {}),
  }
}

function extras(ctx: Context): Record<string, unknown> {
  return {
    ...(ctx.state.hostTruth ? { host: ctx.state.hostTruth } : {}),
    ...(ctx.state.notes.length ? { note: ctx.state.notes.join('; ') } : {}),
  }
}

/** Why a target has no sibling share to offer, if it has none. */
export function siblingMissing(target: MountTarget): string | undefined {
  const s = target.sibling
  if (!s) return 'no sibling share: `limafs run` asks the backend for one per configuration (agent: --sibling MOUNT=PATH)'
  return 'missing' in s ? s.missing : undefined
}

function depsFor(target: MountTarget, settings: RunSettings, runners: Runners, base: string): ContextDeps {
  const rel = base.slice(target.scratch.length + 1)
  const sibling = target.sibling && 'scratch' in target.sibling ? target.sibling : undefined
  return {
    ops: runners.ops, ...(runners.userOps ? { userOps: runners.userOps } : {}),
    ...(target.userUnreachable ? { userUnreachable: target.userUnreachable } : {}),
    user: settings.caps.user, other: settings.caps.other, host: runners.host,
    base, userBase: `${target.userDir}/${rel.replaceAll('/', '_')}`,
    siblingBase: sibling ? { base: `${sibling.scratch}/${rel}`, scratch: sibling.scratch } : { missing: siblingMissing(target)! },
    scratch: target.scratch, deadline: Date.now() + settings.checkTimeoutMs, opTimeoutMs: settings.opTimeoutMs,
  }
}

/** Runs a check's body in its context: the point's verdict, and the failure or skip behind it. */
async function runCheck(check: CheckSpec, ctx: Context): Promise<{ judged: PointVerdict; failure?: Diagnostics; skipped?: string }> {
  let failure: Diagnostics | undefined
  let skipped: string | undefined
  try {
    await check.run(ctx)
  } catch (err) {
    if (err instanceof PointFailure) failure = err.diagnostics
    else if (err instanceof PointSkip) skipped = err.message
    else failure = { op: 'check', args: [], wanted: 'no exception', found: String(err), stage: 'call', class: 'loud', note: 'the check itself threw: a limafs bug' }
  }
  const judged: PointVerdict = skipped ? { skip: skipped } : failure ? { ok: false, diagnostics: { ...failure, ...extras(ctx) } } : { ok: true, diagnostics: extras(ctx) }
  return { judged, ...(failure ? { failure } : {}), ...(skipped ? { skipped } : {}) }
}

/** The ids of a check that this run wants (all, or those matching --grep). */
export function wantedIds(check: Pick<CheckSpec, 'id' | 'stages'>, grep: string | undefined): string[] {
  const re = grep ? new RegExp(grep) : undefined
  return pointIds(check as CheckSpec).filter((id) => !re || re.test(id))
}

/** Runs a suite's checks from `startAt`, up to "at once"; reports points and staged checks. */
export async function runSuiteCalls(suite: SuiteSpec, target: MountTarget, settings: RunSettings, runners: Runners, startAt: number, emit: (e: RunEvent) => void): Promise<void> {
  const suiteDir = `${target.scratch}/${suite.name}`
  const made = startAt === 0 ? await runners.ops.call('mkdir', [suiteDir, 0o755], settings.opTimeoutMs) : { ok: true as const }
  const sibling = target.sibling && 'scratch' in target.sibling ? target.sibling : undefined
  const siblingMade = sibling && startAt === 0 && suite.checks.some((c) => c.needs?.includes('sibling')) ? await runners.ops.call('mkdir', [`${sibling.scratch}/${suite.name}`, 0o755], settings.opTimeoutMs) : { ok: true as const }
  // Held open while the checks run (see ops/dir-hold.ts): released before the later stages.
  const held = made.ok ? await runners.ops.call('dir-hold', [suiteDir], settings.opTimeoutMs) : undefined
  try {
    const point = (p: PointRecord) => emit({ type: 'point', suite: suite.name, point: p })
    for (let index = startAt; index < suite.checks.length; index++) {
      const check = suite.checks[index]!
      const ids = wantedIds(check, settings.grep)
      if (!ids.length) continue
      const noSibling = check.needs?.includes('sibling') ? (siblingMissing(target) ?? (siblingMade.ok ? undefined : `could not make this suite's dir on the sibling share: ${siblingMade.errno}`)) : undefined
      const skip = unmetNeed(check.needs, settings.caps, target) ?? noSibling ?? (made.ok ? undefined : `could not make ${suiteDir}: ${made.errno}`)
      if (skip) {
        for (const id of ids) point(pointRecord(id, target.todos, { skip }))
        continue
      }
      emit({ type: 'check-start', suite: suite.name, id: check.id, index })
      const ctx = new Context(depsFor(target, settings, runners, `${suiteDir}/${index}-`))
      const { judged, failure, skipped } = await runCheck(check, ctx)
      if (!check.stages) {
        point(pointRecord(check.id, target.todos, judged))
        continue
      }
      const idFor = (stage: string) => check.id.replace('{stage}', stage)
      if (skipped) {
        for (const id of ids) point(pointRecord(id, target.todos, { skip: skipped }))
        continue
      }
      if (ids.includes(idFor('call'))) point(pointRecord(idFor('call'), target.todos, judged))
      const setupFailure = failure?.stage === 'setup' || !ctx.state.persisted.length ? failure : undefined
      const staged: StagedCheck = { suite: suite.name, check: { id: check.id, stages: check.stages }, persisted: ctx.state.persisted, callFailedLoud: ctx.state.callFailedLoud, ...(setupFailure ? { setupFailure } : {}) }
      if (ids.includes(idFor('at-once'))) point(await judgeStage(staged, 'at-once', target, settings, runners))
      emit({ type: 'staged', staged })
    }
  } finally {
    if (held?.ok) await runners.ops.call('fd-close', [held.value], settings.opTimeoutMs)
  }
}

/** Looks at a staged check's persisted observations at one stage. */
async function judgeStage(staged: StagedCheck, stage: Stage, target: MountTarget, settings: RunSettings, runners: Runners): Promise<PointRecord> {
  const id = staged.check.id.replace('{stage}', stage)
  const failure = staged.setupFailure
  if (failure) return pointRecord(id, target.todos, { ok: false, diagnostics: { ...failure, note: `${failure.note ? `${failure.note}; ` : ''}nothing to look at: setup failed` } })
  const ctx = new Context(depsFor(target, settings, runners, `${target.scratch}/`), { persisted: [], notes: [], callFailedLoud: staged.callFailedLoud }, runners.ops, stage)
  for (const p of staged.persisted) {
    try {
      await ctx.expect(p.wanted, p.op, ...p.args)
    } catch (err) {
      if (err instanceof PointFailure) return pointRecord(id, target.todos, { ok: false, diagnostics: err.diagnostics })
      throw err
    }
  }
  return pointRecord(id, target.todos, { ok: true })
}

/** A later stage for every staged check that has it, reported check by check. */
export async function runStage(staged: readonly StagedCheck[], stage: Stage, target: MountTarget, settings: RunSettings, runners: Runners, startAt: number, emit: (e: RunEvent) => void): Promise<void> {
  for (let index = startAt; index < staged.length; index++) {
    const s = staged[index]!
    emit({ type: 'check-start', suite: s.suite, id: s.check.id, index })
    emit({ type: 'point', suite: s.suite, point: await judgeStage(s, stage, target, settings, runners) })
  }
}

/** A suite that measures gets its own dir in the baseline's scratch dir (on the guest's tmpfs). */
async function baselineFor(suite: SharedSuiteSpec, settings: RunSettings, ops: OpRunner): Promise<Baseline> {
  if (!suite.measures) return { missing: 'only suites that measure get a baseline' }
  const b = settings.baseline ?? { missing: 'no baseline dir was prepared' }
  if ('missing' in b) return b
  const dir = `${b.scratch}/${suite.name}`
  const made = await ops.call('mkdir', [dir, 0o755], settings.opTimeoutMs)
  return made.ok ? { dir } : { missing: `could not make ${dir}: ${made.errno}` }
}

/** A shared suite over every mount at once; each point is reported with its mount. */
export async function runShared(
  suite: SharedSuiteSpec,
  targets: readonly MountTarget[],
  settings: RunSettings,
  runners: (target: MountTarget) => Runners,
  emit: (e: RunEvent) => void,
): Promise<void> {
  const re = settings.grep ? new RegExp(settings.grep) : undefined
  const wantsSibling = suite.points.some((p) => p.needs?.includes('sibling'))
  const shared: SharedTarget[] = targets.map((t) => {
    const missing = siblingMissing(t)
    const cache = cacheModeOf(t.mount)
    return {
      path: t.path, dir: `${t.scratch}/${suite.name}`, sibling: missing ? { missing } : { dir: `${(t.sibling as { scratch: string }).scratch}/${suite.name}` },
      ...(t.model ? { model: t.model } : {}), ...(cache ? { cache } : {}), host: runners(t).host,
    }
  })
  const mountTarget = (s: SharedTarget) => targets[shared.indexOf(s)]!
  const { ops, userOps } = runners(targets[0]!)
  const outcome = async (runner: OpRunner, op: string, args: unknown[]) => {
    const r = await runner.call(op, args, settings.opTimeoutMs)
    return r.ok ? { ok: true, value: r.value } : { ok: false, errno: r.errno }
  }
  for (const t of shared) {
    // On a read-only mount the host made the suite's dir (and what is in it).
    if (!suite.readOnlyMounts) await ops.call('mkdir', [t.dir, 0o755], settings.opTimeoutMs)
    if (wantsSibling && 'dir' in t.sibling) {
      const made = await ops.call('mkdir', [t.sibling.dir, 0o755], settings.opTimeoutMs)
      if (!made.ok) t.sibling = { missing: `could not make this suite's dir on the sibling share: ${made.errno}` }
    }
  }
  const baseline = await baselineFor(suite, settings, ops)
  emit({ type: 'check-start', suite: suite.name, id: suite.name, index: 0 })
  // Points go out in batches (a suite may have a thousand): at each progress step, every
  // POINT_BATCH points, and at the end; a hang loses only the points of its step.
  let batch: Array<{ mount: string; point: PointRecord }> = []
  const flush = () => {
    if (batch.length) emit({ type: 'points', suite: suite.name, points: batch })
    batch = []
  }
  await suite.run({
    targets: shared,
    baseline,
    bench: settings.bench,
    progress: (step) => {
      flush()
      emit({ type: 'check-start', suite: suite.name, id: `${suite.name} ${step}`, index: 0 })
    },
    windowMs: settings.windowMs,
    other: settings.caps.other,
    op: (op: string, ...args: unknown[]) => outcome(ops, op, args),
    userOp: async (op: string, ...args: unknown[]) => (userOps ? outcome(userOps, op, args) : { ok: false, errno: 'ENOUSER' }),
    siblingView: (source, through) => {
      if ('missing' in source.sibling) return source.sibling
      if ('missing' in through.sibling) return through.sibling
      const view = siblingView(mountTarget(source), mountTarget(through))
      return view ? { dir: `${view}/${suite.name}` } : { missing: 'no sibling scratch dir to look through' }
    },
    unmet: (needs) => unmetNeed(needs, settings.caps),
    check: async (target, check) => {
      if (re && !re.test(check.id)) return
      const t = targets.find((x) => x.path === target.path)!
      const noSibling = check.needs?.includes('sibling') ? ('missing' in target.sibling ? target.sibling.missing : undefined) : undefined
      const skip = unmetNeed(check.needs, settings.caps, t) ?? noSibling
      const add = (point: PointRecord) => {
        batch.push({ mount: t.path, point })
        if (batch.length >= POINT_BATCH) flush()
      }
      if (skip) return add(pointRecord(check.id, t.todos, { skip }))
      // Names of its objects: the suite's dir, then the check's aspect and object ("fcntl-conflict-file").
      const ctx = new Context(depsFor(t, settings, runners(t), `${target.dir}/${check.id.split('/').slice(1).join('-')}-`))
      add(pointRecord(check.id, t.todos, (await runCheck(check, ctx)).judged))
    },
    point: (target, id, verdict) => {
      if (re && !re.test(id)) return
      const t = targets.find((x) => x.path === target.path)!
      // Paths in diagnostics are relative to the scratch dir, as every other suite's are.
      const rel = (a: unknown) => (typeof a === 'string' ? scratchRelative(t.scratch, a) : a)
      const shown: typeof verdict = 'ok' in verdict && verdict.diagnostics && Array.isArray(verdict.diagnostics.args)
        ? ({ ...verdict, diagnostics: { ...verdict.diagnostics, args: verdict.diagnostics.args.map(rel) } } as typeof verdict)
        : verdict
      batch.push({ mount: target.path, point: pointRecord(id, t.todos, shown) })
      if (batch.length >= POINT_BATCH) flush()
    },
  })
  flush()
}

/** Most points a shared suite sends in one message. */
const POINT_BATCH = 200
