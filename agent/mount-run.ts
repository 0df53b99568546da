// One mount, from the agent's side: its suites' calls run in the root worker, then one
// drop_caches and one remount serve every staged check of the mount, then the mount's TAP.
// A check that hangs is killed with its worker, reported as a timeout, and the run goes on.
import { suitePoints, type AnySuite, type SharedSuiteSpec, type SuiteSpec } from './check-api.ts'
import type { Diagnostics, Stage } from './diagnostics.ts'
import { remountOptions } from './remount-options.ts'
import type { MountTarget, PointRecord, RunEvent, RunSettings, StagedCheck } from './run-types.ts'
import { pointRecord, wantedIds } from './suite-run.ts'
import type { TapWriter } from './tap-writer.ts'
import type { JobOutcome, Worker } from './worker-client.ts'
import type { CacheGate } from './lanes.ts'

/** File systems a Lima share can be (9p, virtiofs, reverse-sshfs): the only ones the agent runs on by default and ever remounts. */
export const SHARE_FS_TYPES: ReadonlySet<string> = new Set(['9p', 'virtiofs', 'fuse.sshfs'])

export interface AgentRun {
  root: Worker
  hasUser: boolean
  settings: RunSettings
  log: (line: string) => void
  /** When mounts run on two lanes: a drop_caches waits here for the other lane's at-once points. */
  cacheGate?: CacheGate
}

/** Points gathered per suite, in the order they were found. */
export class PointBook {
  readonly bySuite = new Map<string, PointRecord[]>()
  /** Set when something went wrong that is not a check's verdict (a worker error). */
  incomplete = false
  /** Seconds each per-mount suite's calls took on this mount, and the later stages ("stages"), for the progress line and the bench. */
  readonly seconds = new Map<string, number>()

  add(suite: string, p: PointRecord): void {
    this.bySuite.set(suite, [...(this.bySuite.get(suite) ?? []), p])
  }
}

function timeoutPoints(ids: string[], stage: Stage, target: MountTarget, run: AgentRun, message: string): PointRecord[] {
  const diagnostics: Diagnostics = {
    op: 'check', args: [], wanted: `done within ${run.settings.checkTimeoutMs / 1000} s`, found: 'timeout', stage, class: 'loud',
    note: `a call ${message}; the worker was killed and replaced`,
  }
  return ids.map((id) => pointRecord(id, target.todos, { ok: false, diagnostics }))
}

/** Runs a job to the end, restarting after each hung check at the next one. */
async function runResumable(
  run: AgentRun,
  job: (startAt: number) => Parameters<Worker['runJob']>[0],
  onEvent: (e: RunEvent) => void,
  onHung: (hung: Extract<JobOutcome, { done: false }>) => void,
  book: PointBook,
): Promise<void> {
  let startAt = 0
  for (;;) {
    const outcome = await run.root.runJob(job(startAt), run.settings.checkTimeoutMs, onEvent)
    if (outcome.done) {
      if (outcome.error) {
        book.incomplete = true
        run.log(`a worker failed: ${outcome.error}`)
      }
      return
    }
    run.log(`${outcome.hung.id} ${outcome.message}: killed it, going on`)
    onHung(outcome)
    startAt = outcome.hung.index + 1
  }
}

/** Every suite's calls on one mount; returns what is staged for later stages. */
export async function runSuites(suites: readonly SuiteSpec[], target: MountTarget, run: AgentRun, book: PointBook): Promise<StagedCheck[]> {
  const staged: StagedCheck[] = []
  for (const suite of suites) {
    const started = performance.now()
    await runResumable(
      run,
      (startAt) => ({ job: 'suite', suite: suite.name, target, settings: run.settings, startAt, hasUser: run.hasUser }),
      (e) => {
        if (e.type === 'point') book.add(e.suite, e.point)
        else if (e.type === 'staged') staged.push(e.staged)
      },
      ({ hung, message }) => {
        const check = suite.checks[hung.index]!
        for (const p of timeoutPoints(wantedIds(check, run.settings.grep), 'call', target, run, message)) book.add(suite.name, p)
      },
      book,
    )
    book.seconds.set(suite.name, (performance.now() - started) / 1000)
  }
  return staged
}

/** One later stage for the staged checks that have it. */
export async function runStage(stage: Stage, staged: readonly StagedCheck[], target: MountTarget, run: AgentRun, book: PointBook): Promise<void> {
  const due = staged.filter((s) => s.check.stages?.includes(stage as never) && wantedIds(s.check, run.settings.grep).includes(s.check.id.replace('{stage}', stage)))
  if (!due.length) return
  const unavailable = stage === 'after-restart' ? undefined : await prepareStage(stage, target, run)
  if (unavailable) {
    for (const s of due) book.add(s.suite, pointRecord(s.check.id.replace('{stage}', stage), target.todos, { skip: unavailable }))
    return
  }
  await runResumable(
    run,
    (startAt) => ({ job: 'stage', stage, staged: due, target, settings: run.settings, startAt, hasUser: run.hasUser }),
    (e) => {
      if (e.type === 'point') book.add(e.suite, e.point)
    },
    ({ hung, message }) => {
      for (const p of timeoutPoints([due[hung.index]!.check.id.replace('{stage}', stage)], stage, target, run, message)) book.add(hung.suite, p)
    },
    book,
  )
}

/** Drops the guest's caches or remounts the share; says why not when it can't. */
async function prepareStage(stage: Stage, target: MountTarget, run: AgentRun): Promise<string | undefined> {
  const { caps, opTimeoutMs } = run.settings
  if (!caps.isRoot) return `${stage === 'after-remount' ? 'remount' : 'drop_caches'} needs root`
  if (stage === 'after-drop-caches') {
    const drop = () => run.root.call('drop-caches', [], opTimeoutMs)
    const r = await (run.cacheGate ? run.cacheGate.exclusive(drop) : drop())
    return r.ok ? undefined : `drop_caches failed: ${r.errno} ${r.message}`
  }
  if (!caps.remount) return 'remount disabled (--no-remount)'
  const m = target.mount
  // Only ever a share: never the guest's own file systems (--allow-any-fs runs on those).
  if (!SHARE_FS_TYPES.has(m.fsType) || m.mountPoint === '/') return `remount is only done on 9p, virtiofs and sshfs shares, not ${m.fsType} (${m.mountPoint})`
  // Lima mounts reverse-sshfs from the host (sshfs -o slave, talking SFTP over the host's ssh): the guest alone can't mount it again.
  if (m.fsType === 'fuse.sshfs') return 'reverse-sshfs is mounted by the host (sshfs -o slave over its ssh connection): the guest alone cannot mount it again (a VM restart mounts it anew: after-restart)'
  const options = remountOptions(m)
  run.log(`remounting ${m.mountPoint} (${m.fsType} ${m.source} -o ${options})`)
  const r = await run.root.call('remount', [m.mountPoint, m.fsType, m.source, options], opTimeoutMs * 3)
  if (!r.ok) run.log(`REMOUNT FAILED on ${m.mountPoint}: ${r.message}`)
  return r.ok ? undefined : `remount failed: ${r.message}`
}

/** The points of the given suites that --grep (when given) matches. */
function pointsOf(suites: readonly AnySuite[], grep: string | undefined): Array<{ suite: string; id: string }> {
  const re = grep ? new RegExp(grep) : undefined
  return suites.flatMap((s) => suitePoints(s).filter((p) => !re || re.test(p.id)).map((p) => ({ suite: s.name, id: p.id })))
}

/** All points of the given suites (that --grep matches), as SKIP with one reason (a read-only mount, say). */
export function skipAll(suites: readonly AnySuite[], reason: string, book: PointBook, grep?: string): void {
  for (const { suite, id } of pointsOf(suites, grep)) book.add(suite, { id, ok: true, directive: { skip: reason } })
}

/** All points of the given suites (that --grep matches) as failed at setup with the same error (a share that takes no files). */
export function failAll(suites: readonly AnySuite[], diagnostics: Diagnostics, todos: MountTarget['todos'], book: PointBook, grep?: string): void {
  for (const { suite, id } of pointsOf(suites, grep)) book.add(suite, pointRecord(id, todos, { ok: false, diagnostics }))
}

/** Longest a shared suite (every mount, one window) may run before it is called hung. */
const SHARED_SUITE_MIN_TIMEOUT_MS = 120_000

/** A shared suite over every prepared mount at once; its points go to each mount's book. */
export async function runSharedSuite(suite: SharedSuiteSpec, targets: readonly MountTarget[], run: AgentRun, books: ReadonlyMap<string, PointBook>): Promise<void> {
  const outcome = await run.root.runJob(
    { job: 'shared', suite: suite.name, targets: [...targets], settings: run.settings, startAt: 0, hasUser: run.hasUser },
    Math.max(run.settings.checkTimeoutMs, SHARED_SUITE_MIN_TIMEOUT_MS),
    (e) => {
      if (e.type === 'points') for (const p of e.points) books.get(p.mount)?.add(e.suite, p.point)
    },
  )
  if (outcome.done && !outcome.error) return
  const message = outcome.done ? outcome.error! : outcome.message
  run.log(`${suite.name} ${outcome.done ? 'failed' : message}: its missing points are reported as such`)
  for (const t of targets) {
    const book = books.get(t.path)!
    const have = new Set((book.bySuite.get(suite.name) ?? []).map((p) => p.id))
    const diagnostics: Diagnostics = { op: suite.name, args: [], wanted: 'done', found: outcome.done ? 'error' : 'timeout', stage: 'call', class: 'loud', note: message }
    for (const { id } of suitePoints(suite)) if (!have.has(id)) book.add(suite.name, pointRecord(id, t.todos, { ok: false, diagnostics }))
    if (outcome.done) book.incomplete = true
  }
}

/** Writes one mount's points as TAP: a subtest per suite. */
export async function writeMountTap(t: TapWriter, mountPath: string, suiteOrder: readonly string[], book: PointBook): Promise<void> {
  await t.subtest(mountPath, async (mt) => {
    for (const name of suiteOrder) {
      const list = book.bySuite.get(name)
      if (!list?.length) continue
      await mt.subtest(name, async (st) => {
        for (const p of list) st.point({ ok: p.ok, name: p.id, ...(p.directive ? { directive: p.directive } : {}), ...(p.diagnostics ? { diagnostics: p.diagnostics } : {}) })
      })
    }
  })
}
