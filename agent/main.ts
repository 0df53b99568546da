// limafs-agent: runs conformance suites against mounted shares and writes TAP 14 on stdout.
// Bundled to ONE file that runs on the guest's Node >= 18 with nothing beside it.
// Exit codes: 0 nothing failed (TODO/SKIP allowed), 1 failed checks, 2 the run could not
// complete, 64 usage error.
import { readFileSync, realpathSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { DEFAULT_BENCH_BYTES, DEFAULT_BENCH_FILES, DEFAULT_BENCH_REPEATS, DEFAULT_BENCH_SCALE, MIN_BENCH_REPEATS } from '../suites/bench/settings.ts'
import { suitePoints, type AnySuite, type SharedSuiteSpec, type SuiteSpec } from './check-api.ts'
import { guestTools, ordinaryUser, OTHER_OWNER } from './capabilities.ts'
import type { Diagnostics } from './diagnostics.ts'
import { BridgeClient } from './host-bridge.ts'
import { mountOf, parseMountinfo, type MountInfo } from './mountinfo.ts'
import { SCRATCH_NAME } from './worker/path-guard.ts'
import { CacheGate, GateSessions, onLanes } from './lanes.ts'
import { failAll, PointBook, runSharedSuite, runStage, runSuites, SHARE_FS_TYPES, skipAll, writeMountTap, type AgentRun } from './mount-run.ts'
import { RunProfile } from './profile.ts'
import { SUITES } from './registry.ts'
import { decodeState, encodeState, STATE_FILE } from './state-file.ts'
import type { Capabilities, MountTarget, RunSettings, Sibling, StagedCheck, Todo } from './run-types.ts'
import { pointRecord, unmetNeed, wantedIds } from './suite-run.ts'
import { userUnreachable } from './user-reach.ts'
import { TapWriter } from './tap-writer.ts'
import { AGENT_VERSION } from './version.ts'
import { Worker, type RelayHandler } from './worker-client.ts'
import { workerMain } from './worker/worker-main.ts'

const DEFAULT_CHECK_TIMEOUT_S = 30
const DEFAULT_OP_TIMEOUT_S = 10
/** How long the coherence suite watches for a change to show. */
const DEFAULT_WINDOW_S = 2
/** Where the bench suite's baseline goes when --baseline-dir is not given: the first that is a tmpfs. */
const BASELINE_CANDIDATES = ['/dev/shm', '/tmp']

const USAGE = `Usage: limafs-agent <command> [options]

Runs limafs conformance suites against mounted host shares (9p, virtiofs, sshfs) and writes
TAP 14 on stdout: a subtest per mount and suite, one point per check, YAML diagnostics
{op, args, wanted, found, errno, stage, class} on failures. Progress goes to stderr.
The agent works only inside its own new PATH/.limafs-XXXXXX/ dir and removes it at the end
(on a read-only share it only reads the one the host made: --ro-scratch).

Commands:
  run --mount PATH [--mount PATH...]   run the suites on each mount
  verify --mount PATH [...]            after a VM restart: check what a \`run --keep\` left
  list [--suite S] [--json]            every check id with a one-line description

Options (run, verify):
  --mount PATH        a share's mount point (or a directory on it); repeatable
  --sibling MOUNT=PATH  (run) the same configuration mounted again at PATH, on a dir shared with
                      other configurations' siblings (limafs run sets these up); checks that switch
                      security models or fill a share up use it, and are skipped without it
  --ro-scratch MOUNT=NAME  (run) on a read-only share, the .limafs-XXXXXX dir the host made there
                      with the read-only suite's files (limafs run makes it, and removes it
                      after); the read-only suite, the one suite a read-only share runs, works
                      there, and is skipped without it
  --model MOUNT=MODEL (run) the share's 9p security model (none, mapped-xattr, mapped-file,
                      passthrough), which the guest can't see: limafs run passes it; suites that
                      compare models (migrate) skip without it (virtiofs mounts are known by type)
  --suite A,B         suites to run (default: all): ${SUITES.map((s) => s.name).join(', ')}
  --grep REGEX        only checks whose id matches
  --allow-any-fs      run on a path that is not a 9p, virtiofs or sshfs mount
  --clean             remove leftover .limafs-* dirs of earlier crashed runs (else only reported)
  --keep              keep the scratch dir and what must persist, for \`verify\` after a restart
  --no-remount        skip the after-remount stage (it unmounts and mounts the share again)
  --user UID[:GID]    the guest's ordinary user (default: $SUDO_UID, else the first uid >= 1000)
  --timeout SECONDS   time a check may take (default ${DEFAULT_CHECK_TIMEOUT_S}); a hung call is killed
  --window SECONDS    how long coherence checks watch for a change to show (default ${DEFAULT_WINDOW_S})
  --todo-file FILE    JSON {"MOUNT PATH": [{"check": GLOB, "reason": TEXT}]}: known deviations -> TODO
  --bench-files N     bench: files per workload (default ${DEFAULT_BENCH_FILES})
  --bench-bytes N     bench: bytes of the large file written then read (default ${DEFAULT_BENCH_BYTES}, ${DEFAULT_BENCH_BYTES / 1024 / 1024} MiB)
  --bench-repeats N   bench: repeats per workload and mount, interleaved (default ${DEFAULT_BENCH_REPEATS}, at least ${MIN_BENCH_REPEATS})
  --bench-scale N     bench: size of the app-like workloads (git-tree, npm-unpack, sqlite): 4N files,
                      2N packages, 4N inserts (default ${DEFAULT_BENCH_SCALE}: quick under TCG; 750: a 3000-file checkout)
  --baseline-dir DIR  bench: a tmpfs dir for the baseline every share is compared with (default: the
                      first of ${BASELINE_CANDIDATES.join(', ')} that is a tmpfs; with none, no ratios)
  --profile           (run) at the end, where the time went: per suite, stage and mount, the wall
                      time in file system calls, host-bridge requests, ordinary-user ops, waits,
                      the checks' own JS and worker IPC, and how many file system calls (ms per
                      call) and bridge requests (npm run bench:run prints it)
  --bridge            ask the host over stdin/stderr (used by \`limafs run\`): it acts only inside
                      the scratch dir the agent claims on each share
  -h, --help          this help
  --version           the agent's version

Exit codes: 0 nothing failed (TODO and SKIP allowed), 1 failed checks, 2 the run could not
complete, 64 usage error.`

class Usage extends Error {}

const OPTIONS = {
  mount: { type: 'string', multiple: true },
  sibling: { type: 'string', multiple: true },
  model: { type: 'string', multiple: true },
  'ro-scratch': { type: 'string', multiple: true },
  suite: { type: 'string' },
  grep: { type: 'string' },
  'allow-any-fs': { type: 'boolean' },
  clean: { type: 'boolean' },
  keep: { type: 'boolean' },
  profile: { type: 'boolean' },
  'no-remount': { type: 'boolean' },
  user: { type: 'string' },
  timeout: { type: 'string' },
  window: { type: 'string' },
  'todo-file': { type: 'string' },
  'bench-files': { type: 'string' },
  'bench-bytes': { type: 'string' },
  'bench-repeats': { type: 'string' },
  'bench-scale': { type: 'string' },
  'baseline-dir': { type: 'string' },
  bridge: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const

const log = (line: string) => process.stderr.write(`limafs-agent: ${line}\n`)
const out = (line: string) => process.stdout.write(`${line}\n`)

function selectSuites(spec: string | undefined): AnySuite[] {
  if (!spec) return [...SUITES]
  const names = spec.split(',').map((s) => s.trim()).filter(Boolean)
  const unknown = names.filter((n) => !SUITES.some((s) => s.name === n))
  if (unknown.length) throw new Usage(`unknown suite ${unknown.join(', ')}; known: ${SUITES.map((s) => s.name).join(', ')}`)
  return SUITES.filter((s) => names.includes(s.name))
}

function list(suites: AnySuite[], json: boolean): number {
  const rows = suites.flatMap((s) => suitePoints(s).map((p) => ({ id: p.id, suite: s.name, title: p.title, needs: p.needs ?? [] })))
  if (json) out(JSON.stringify(rows))
  else for (const r of rows) out(`${r.id}\t${r.title}`)
  return 0
}

function readTodos(file: string | undefined): Map<string, Todo[]> {
  if (!file) return new Map()
  let data: unknown
  try {
    data = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new Usage(`--todo-file ${file}: ${(err as Error).message}`)
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Usage(`--todo-file ${file}: expected {"MOUNT PATH": [{"check", "reason"}]}`)
  const todos = new Map<string, Todo[]>()
  for (const [mount, entries] of Object.entries(data)) {
    if (!Array.isArray(entries) || !entries.every((e) => typeof e?.check === 'string' && typeof e?.reason === 'string')) {
      throw new Usage(`--todo-file ${file}: ${mount}: expected a list of {"check": GLOB, "reason": TEXT}`)
    }
    todos.set(resolve(mount), entries as Todo[])
  }
  return todos
}

/** Checks each --mount against the guest's mountinfo; refuses what is not a share. */
function mountsFor(table: MountInfo[], paths: string[], allowAnyFs: boolean): Array<{ path: string; mount: MountInfo }> {
  return paths.map((p) => {
    const path = resolve(p)
    const mount = mountOf(table, path)
    if (!mount) throw new Usage(`${path}: not on any mount in /proc/self/mountinfo`)
    if (!SHARE_FS_TYPES.has(mount.fsType) && !allowAnyFs) {
      throw new Usage(`refusing ${path}: it is on ${mount.fsType} (${mount.mountPoint}), not a 9p, virtiofs or sshfs share; use --allow-any-fs to run there anyway`)
    }
    return { path, mount }
  })
}

/** A MOUNT=VALUE flag (--sibling, --model, --ro-scratch): MOUNT, resolved, must be one of the --mount paths. */
function mountFlag(name: string, flag: string, valueName: string, mounts: ReadonlyArray<{ path: string }>): { of: string; value: string } {
  const eq = flag.indexOf('=')
  if (eq < 1) throw new Usage(`--${name} ${flag}: expected MOUNT=${valueName}`)
  const of = resolve(flag.slice(0, eq))
  if (!mounts.some((m) => m.path === of)) throw new Usage(`--${name} ${flag}: ${of} is not one of the --mount paths`)
  return { of, value: flag.slice(eq + 1) }
}

/** --sibling MOUNT=PATH flags: each MOUNT one of the --mount paths, each PATH a share (as --mount is checked). */
function siblingsFor(table: MountInfo[], given: readonly string[] | undefined, mounts: ReadonlyArray<{ path: string }>, allowAnyFs: boolean): Map<string, { path: string; mount: MountInfo }> {
  const siblings = new Map<string, { path: string; mount: MountInfo }>()
  for (const flag of given ?? []) {
    const { of, value } = mountFlag('sibling', flag, 'PATH', mounts)
    const [sibling] = mountsFor(table, [value], allowAnyFs)
    if (mounts.some((m) => m.path === sibling!.path)) throw new Usage(`--sibling ${flag}: ${sibling!.path} is a --mount path itself`)
    siblings.set(of, sibling!)
  }
  return siblings
}

/** What --model may say: 9p's security models, and virtiofs (what a virtiofs mount is known as anyway). */
const SHARE_MODELS = ['none', 'mapped-xattr', 'mapped-file', 'passthrough', 'virtiofs']

/** Each mount's model: --model MOUNT=MODEL, else 'virtiofs' for a virtiofs mount, else unknown. */
function modelsFor(given: readonly string[] | undefined, mounts: ReadonlyArray<{ path: string; mount: MountInfo }>): Map<string, string> {
  const models = new Map(mounts.filter((m) => m.mount.fsType === 'virtiofs').map((m) => [m.path, 'virtiofs']))
  for (const flag of given ?? []) {
    const { of, value: model } = mountFlag('model', flag, 'MODEL', mounts)
    if (!SHARE_MODELS.includes(model)) throw new Usage(`--model ${flag}: unknown model ${JSON.stringify(model)}; known: ${SHARE_MODELS.join(', ')}`)
    models.set(of, model)
  }
  return models
}

/** --ro-scratch MOUNT=NAME flags: each MOUNT one of the --mount paths, each NAME a scratch dir name. */
function roScratchFor(given: readonly string[] | undefined, mounts: ReadonlyArray<{ path: string }>): Map<string, string> {
  const dirs = new Map<string, string>()
  for (const flag of given ?? []) {
    const { of, value: name } = mountFlag('ro-scratch', flag, 'NAME', mounts)
    if (!SCRATCH_NAME.test(name)) throw new Usage(`--ro-scratch ${flag}: ${JSON.stringify(name)} is not a scratch dir name (.limafs-XXXXXX)`)
    dirs.set(of, name)
  }
  return dirs
}

/** An integer flag, at least min. */
function intFlag(value: string | undefined, flag: string, fallback: number, min: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < min) throw new Usage(`${flag}: expected an integer >= ${min}, got ${value}`)
  return n
}

/**
 * Where the bench suite's baseline goes: --baseline-dir (refused unless on a tmpfs), else the
 * first of BASELINE_CANDIDATES that is a tmpfs, else why there is none (the bench then has no ratios).
 */
function baselineDir(table: MountInfo[], given: string | undefined): { path: string; mount: MountInfo } | { missing: string } {
  const real = (p: string) => {
    try {
      return realpathSync(p)
    } catch {
      return undefined
    }
  }
  if (given !== undefined) {
    const path = real(resolve(given))
    if (!path) throw new Usage(`--baseline-dir ${given}: no such directory`)
    const mount = mountOf(table, path)
    if (mount?.fsType !== 'tmpfs') throw new Usage(`--baseline-dir ${given}: it is on ${mount?.fsType ?? 'no mount'} (${mount?.mountPoint ?? '?'}), not a tmpfs`)
    return { path, mount }
  }
  for (const candidate of BASELINE_CANDIDATES) {
    const path = real(candidate)
    const mount = path ? mountOf(table, path) : undefined
    if (path && mount?.fsType === 'tmpfs') return { path, mount }
  }
  return { missing: `none of ${BASELINE_CANDIDATES.join(', ')} is a tmpfs in this guest (--baseline-dir DIR names one)` }
}

interface Prepared {
  target?: MountTarget
  /** Why every suite is skipped on the mount (read-only, with no scratch dir from the host). */
  skip?: string
  /** The share refused a scratch dir: every check fails with this, at setup. */
  refused?: Diagnostics
  /** The agent could not look at the mount at all. */
  error?: string
}

/**
 * Tells the host (through the bridge) that this is the run's scratch dir on that share: the host
 * acts only inside scratch dirs claimed so, as soon as they are made (and again in verify).
 */
async function claimScratch(bridge: BridgeClient, mountPath: string, scratch: string): Promise<void> {
  const claimed = await bridge.request('claim', mountPath, basename(scratch))
  if (!claimed.ok) log(`the host did not take ${scratch} as this run's scratch dir (its host-side checks will fail): ${claimed.error}`)
}

interface PrepareOptions {
  clean: boolean
  todos: Todo[]
  /** Every scratch dir made so far (removed on a signal). */
  scratchDirs: string[]
  /** The mount's --sibling share. */
  sibling?: { path: string; mount: MountInfo }
  /** The share's security model, when known (--model). */
  model?: string
  /** The host bridge, when there is one: each scratch dir is claimed with it as it is made. */
  bridge?: BridgeClient
  /** On a read-only mount, the name of the scratch dir the host made there (--ro-scratch). */
  roScratch?: string
}

/**
 * A scratch dir of ours on the mount's sibling share. The sibling dir is shared with the other
 * configurations' siblings: the `.limafs-*` dirs there are theirs, so none is listed or cleaned.
 */
async function prepareSibling(sibling: { path: string; mount: MountInfo }, run: AgentRun, userWorker: Worker | undefined, opts: PrepareOptions): Promise<Sibling> {
  const made = await run.root.call('scratch-create', [sibling.path], run.settings.opTimeoutMs)
  if (!made.ok) return { missing: `the sibling share ${sibling.path} refused a scratch dir: ${made.errno}` }
  const scratch = made.value as string
  opts.scratchDirs.push(scratch)
  if (opts.bridge) await claimScratch(opts.bridge, sibling.path, scratch)
  run.root.adopt(scratch)
  userWorker?.adopt(scratch)
  return { path: sibling.path, mountPoint: sibling.mount.mountPoint, scratch }
}

async function prepare(path: string, mount: MountInfo, run: AgentRun, userWorker: Worker | undefined, opts: PrepareOptions): Promise<Prepared> {
  const { root } = run
  const { caps, opTimeoutMs } = run.settings
  const probe = await root.call('mount-probe', [path], opTimeoutMs)
  if (!probe.ok) return { error: `cannot look at ${path}: ${probe.errno} ${probe.message}` }
  const leftovers = await root.call('scratch-list', [path], opTimeoutMs)
  for (const name of leftovers.ok ? (leftovers.value as string[]).filter((n) => n !== opts.roScratch) : []) {
    const dir = `${path}/${name}`
    if (opts.clean) {
      const removed = await root.call('scratch-remove', [dir], opTimeoutMs * 3)
      log(removed.ok ? `removed leftover ${dir}` : `could not remove leftover ${dir}: ${removed.errno}`)
    } else log(`leftover of an earlier run: ${dir} (a run --keep awaiting verify, or a crashed run; --clean removes it)`)
  }
  const { writable } = probe.value as { writable: boolean }
  if (mount.mountOptions.split(',').includes('ro') || !writable) return prepareReadOnly(path, mount, run, userWorker, opts)
  const made = await root.call('scratch-create', [path], opTimeoutMs)
  if (!made.ok) {
    return { refused: { op: 'scratch-create', args: [path], wanted: '0', found: made.errno, errno: made.errno, stage: 'setup', class: 'loud', note: `the share refused the agent's scratch dir: ${made.message}` } }
  }
  const scratch = made.value as string
  // Known at once, so a signal from here on removes it.
  opts.scratchDirs.push(scratch)
  if (opts.bridge) await claimScratch(opts.bridge, path, scratch)
  root.adopt(scratch)
  userWorker?.adopt(scratch)
  const userDir = `${scratch}/user`
  await root.call('mkdir', [userDir, 0o777], opTimeoutMs)
  await root.call('chmod', [userDir, 0o777], opTimeoutMs)
  if (caps.isRoot) await root.call('lchown', [userDir, caps.user.uid, caps.user.gid], opTimeoutMs)
  const unreachable = userWorker ? await userUnreachable(userWorker, userDir, path, caps.user, opTimeoutMs) : undefined
  const sibling = opts.sibling ? await prepareSibling(opts.sibling, run, userWorker, opts) : undefined
  return { target: { path, mount, scratch, userDir, ...(unreachable ? { userUnreachable: unreachable } : {}), todos: opts.todos, ...(sibling ? { sibling } : {}), ...(opts.model ? { model: opts.model } : {}) } }
}

/**
 * A read-only mount: the scratch dir is the one the host made (--ro-scratch), with the read-only
 * suite's files; the agent only reads there, never claims, writes or removes it.
 */
async function prepareReadOnly(path: string, mount: MountInfo, run: AgentRun, userWorker: Worker | undefined, opts: PrepareOptions): Promise<Prepared> {
  const why = `read-only mount (${mount.mountOptions})`
  if (!opts.roScratch) return { skip: `${why}: the read-only suite needs a scratch dir the host made there (--ro-scratch; limafs run makes one)` }
  const scratch = `${path}/${opts.roScratch}`
  run.root.adopt(scratch)
  userWorker?.adopt(scratch)
  const seen = await run.root.call('lstat', [scratch], run.settings.opTimeoutMs)
  if (!seen.ok || (seen.value as { type: string }).type !== 'dir') return { skip: `${why}: --ro-scratch ${opts.roScratch} is not a dir there (${seen.ok ? (seen.value as { type: string }).type : seen.errno})` }
  return { target: { path, mount, scratch, userDir: `${scratch}/user`, todos: opts.todos, readOnly: true, ...(opts.model ? { model: opts.model } : {}) } }
}

/** Removes a scratch dir of this run; a failure is logged (the dir is then a leftover for --clean). */
async function removeScratch(run: AgentRun, dir: string): Promise<void> {
  const removed = await run.root.call('scratch-remove', [dir], run.settings.opTimeoutMs * 3)
  if (!removed.ok) log(`could not remove ${dir}: ${removed.errno} ${removed.message}`)
}

const RESTART_SKIP = 'needs a VM restart: `limafs run` does one, or run --keep, restart the VM, then verify'

/** Suites for read-only mounts only (see SharedSuiteSpec.readOnlyMounts). */
const forReadOnly = (s: AnySuite) => 'shared' in s && !!s.readOnlyMounts

const WRITABLE_SKIP = 'a writable mount: this suite is for read-only ones'

/** Whether a suite runs on a prepared mount: read-only ones on read-only mounts, every other on writable ones. */
const runsOn = (s: AnySuite, target: MountTarget) => forReadOnly(s) === !!target.readOnly

/**
 * A mount's points known before anything runs: all of them when it could not be prepared
 * (skipped, refused or broken), else the SKIPs of the suites that do not run on its kind.
 */
function bookFor(path: string, prepared: Prepared, suites: readonly AnySuite[], todos: Todo[], grep: string | undefined): PointBook {
  const book = new PointBook()
  const target = prepared.target
  if (target) {
    const why = target.readOnly ? `read-only mount (${target.mount.mountOptions}): this suite writes` : WRITABLE_SKIP
    skipAll(suites.filter((s) => !runsOn(s, target)), why, book, grep)
  }
  if (prepared.skip) skipAll(suites, prepared.skip, book, grep)
  if (prepared.refused) {
    // A suite that measures has nothing to measure there: its points are SKIPs, not failures.
    // The share is writable (it refused a dir, not the write): the read-only suite is not for it.
    const measuring = suites.filter((s) => 'shared' in s && s.measures)
    failAll(suites.filter((s) => !measuring.includes(s) && !forReadOnly(s)), prepared.refused, todos, book, grep)
    skipAll(measuring, `the share refused the agent's scratch dir (${prepared.refused.found}): nothing to measure`, book, grep)
    skipAll(suites.filter(forReadOnly), WRITABLE_SKIP, book, grep)
  }
  if (prepared.error) {
    log(prepared.error)
    book.incomplete = true
    book.add('agent', { id: 'agent/mount', ok: false, diagnostics: { op: 'mount-probe', args: [path], wanted: 'a directory', found: prepared.error, stage: 'setup', class: 'loud' } })
  }
  return book
}

/**
 * `run` on one prepared mount, after its suites ran (runSuites): the later stages, and the
 * scratch dir kept (--keep) or removed.
 */
async function finishMount(target: MountTarget, staged: StagedCheck[], run: AgentRun, book: PointBook, opts: { keep: boolean }): Promise<void> {
  const path = target.path
  const stagesStarted = performance.now()
  await runStage('after-drop-caches', staged, target, run, book)
  await runStage('after-remount', staged, target, run, book)
  book.seconds.set('stages', (performance.now() - stagesStarted) / 1000)
  if (opts.keep) {
    const saved = await run.root.call('write', [`${target.scratch}/${STATE_FILE}`, encodeState(path, target.scratch, staged)], run.settings.opTimeoutMs)
    if (saved.ok) log(`kept ${target.scratch} for verify after a restart`)
    else {
      book.incomplete = true
      log(`could not save ${STATE_FILE}: ${saved.errno}`)
    }
  } else {
    for (const s of staged) {
      const id = s.check.id.replace('{stage}', 'after-restart')
      if (wantedIds(s.check, run.settings.grep).includes(id)) book.add(s.suite, { id, ok: true, directive: { skip: RESTART_SKIP } })
    }
    await removeScratch(run, target.scratch)
    if (target.sibling && 'scratch' in target.sibling) await removeScratch(run, target.sibling.scratch)
  }
}

/** `verify` on one mount: finds what a `run --keep` left, judges the after-restart stage. */
async function verifyMount(path: string, mount: MountInfo, run: AgentRun, userWorker: Worker | undefined, opts: { keep: boolean; todos: Todo[]; bridge?: BridgeClient }): Promise<PointBook> {
  const book = new PointBook()
  const problem = (found: string) => {
    book.incomplete = true
    book.add('agent', { id: 'agent/verify-state', ok: false, diagnostics: { op: 'read', args: [path], wanted: 'a kept scratch dir', found, stage: 'after-restart', class: 'loud' } })
    return book
  }
  const listed = await run.root.call('scratch-list', [path], run.settings.opTimeoutMs)
  if (!listed.ok) return problem(`${listed.errno} ${listed.message}`)
  for (const name of listed.value as string[]) {
    const scratch = `${path}/${name}`
    run.root.adopt(scratch)
    userWorker?.adopt(scratch)
    const text = await run.root.call('read', [`${scratch}/${STATE_FILE}`], run.settings.opTimeoutMs)
    if (!text.ok) continue
    const staged = decodeState(text.value as string, scratch)
    if (typeof staged === 'string') {
      log(`${scratch}/${STATE_FILE}: ${staged}`)
      continue
    }
    const target: MountTarget = { path, mount, scratch, userDir: `${scratch}/user`, todos: opts.todos }
    if (opts.bridge) await claimScratch(opts.bridge, path, scratch)
    const skip = unmetNeed(['root'], run.settings.caps)
    if (skip) for (const s of staged) book.add(s.suite, pointRecord(s.check.id.replace('{stage}', 'after-restart'), opts.todos, { skip }))
    else await runStage('after-restart', staged, target, run, book)
    if (!opts.keep) {
      await removeScratch(run, scratch)
    }
    return book
  }
  return problem(`no .limafs-* dir with a ${STATE_FILE} in ${path}: run \`run --keep\` before the restart`)
}

function countOf(book: PointBook) {
  const c = { pass: 0, fail: 0, todo: 0, skip: 0 }
  for (const list of book.bySuite.values()) {
    for (const p of list) {
      if (p.directive && 'skip' in p.directive) c.skip++
      else if (p.directive && 'todo' in p.directive) c.todo++
      else if (p.ok) c.pass++
      else c.fail++
    }
  }
  return c
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === '__worker') {
    workerMain()
    return -1
  }
  let parsed
  try {
    parsed = parseArgs({ args: rest, options: OPTIONS, allowPositionals: false, strict: true })
  } catch (err) {
    throw new Usage((err as Error).message)
  }
  const v = parsed.values
  if (command === '--version' || v.version) {
    out(AGENT_VERSION)
    return 0
  }
  if (!command || command === '--help' || command === '-h' || command === 'help' || v.help) {
    out(USAGE)
    return command ? 0 : 64
  }
  const suites = selectSuites(v.suite)
  if (command === 'list') return list(suites, !!v.json)
  if (command !== 'run' && command !== 'verify') throw new Usage(`unknown command ${JSON.stringify(command)}`)
  if (!v.mount?.length) throw new Usage(`${command} needs at least one --mount PATH`)
  if (v.grep) {
    try {
      new RegExp(v.grep)
    } catch (err) {
      throw new Usage(`--grep: ${(err as Error).message}`)
    }
  }
  const todos = readTodos(v['todo-file'])
  const timeout = Number(v.timeout ?? DEFAULT_CHECK_TIMEOUT_S)
  if (!(timeout > 0)) throw new Usage(`--timeout: expected seconds > 0, got ${v.timeout}`)
  const window = Number(v.window ?? DEFAULT_WINDOW_S)
  if (!(window > 0 && window <= 600)) throw new Usage(`--window: expected seconds in (0, 600], got ${v.window}`)
  if (v.user && !/^\d+(:\d+)?$/.test(v.user)) throw new Usage(`--user: expected UID or UID:GID, got ${v.user}`)
  const mountTable = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'))
  const mounts = mountsFor(mountTable, v.mount, !!v['allow-any-fs'])
  const siblings = siblingsFor(mountTable, v.sibling, mounts, !!v['allow-any-fs'])
  const models = modelsFor(v.model, mounts)
  const roScratch = roScratchFor(v['ro-scratch'], mounts)
  const bench = {
    files: intFlag(v['bench-files'], '--bench-files', DEFAULT_BENCH_FILES, 1),
    bytes: intFlag(v['bench-bytes'], '--bench-bytes', DEFAULT_BENCH_BYTES, 1),
    repeats: intFlag(v['bench-repeats'], '--bench-repeats', DEFAULT_BENCH_REPEATS, MIN_BENCH_REPEATS),
    scale: intFlag(v['bench-scale'], '--bench-scale', DEFAULT_BENCH_SCALE, 1),
  }
  const measuring = command === 'run' && suites.some((s) => 'shared' in s && s.measures)
  const baselineChoice = measuring ? baselineDir(mountTable, v['baseline-dir']) : undefined

  const isRoot = process.getuid?.() === 0
  const caps: Capabilities = {
    isRoot, user: ordinaryUser(v.user, process.env), other: OTHER_OWNER, ...guestTools(), bridge: !!v.bridge, remount: !v['no-remount'],
  }
  const settings: RunSettings = { caps, checkTimeoutMs: timeout * 1000, opTimeoutMs: Math.min(DEFAULT_OP_TIMEOUT_S, timeout) * 1000, windowMs: window * 1000, ...(v.grep ? { grep: v.grep } : {}), bench }
  // The baseline's tmpfs dir is a place the workers may make a .limafs-* scratch dir in, as in a --mount path.
  const baselinePaths = baselineChoice && 'path' in baselineChoice ? [baselineChoice.path] : []
  const workerOptions = { script: process.argv[1]!, mountPaths: [...mounts.map((m) => m.path), ...[...siblings.values()].map((s) => s.path), ...baselinePaths], xattrTool: caps.xattr }
  const userWorker = isRoot ? new Worker({ ...workerOptions, uid: caps.user.uid, gid: caps.user.gid, label: 'user' }) : undefined
  const bridge = v.bridge ? new BridgeClient(process.stdin, (line) => process.stderr.write(line)) : undefined
  // drop_caches against what the lanes look at (lanes.ts): one gate for the whole run.
  const gate = new CacheGate()
  const gateSessions = new GateSessions(gate)
  /** What the worker of one lane (root, root2) asks the agent. */
  const relayFor = (lane: string): RelayHandler => async (r) => {
    if (r.relay === 'user-op') return userWorker ? userWorker.call(r.op, r.args, r.timeoutMs) : { ok: false, errno: 'ENOUSER', message: 'no ordinary-user worker' }
    if (r.relay === 'cache-drop') return gateSessions.step(lane, r.step)
    return bridge ? bridge.request(r.verb, r.mount, r.path, r.args) : { ok: false, error: 'no host bridge' }
  }
  const profile = v.profile ? new RunProfile() : undefined
  /** A root worker: a lane, named by its label at the cache gate. */
  const laneWorker = (label: string) => new Worker({ ...workerOptions, label, ...(profile ? { profile } : {}) }, relayFor(label))
  const root = laneWorker('root')
  root.warm()
  // run's second lane (lanes.ts): started now, so it is up by the time the suites begin.
  const root2 = command === 'run' ? laneWorker('root2') : undefined
  root2?.warm()
  // verify needs no ordinary-user ops: its worker then never starts (a node start costs ~1 s emulated).
  if (command === 'run') userWorker?.warm()
  const run: AgentRun = { root, hasUser: !!userWorker, settings, log }

  const scratchDirs: string[] = []
  const interrupted = async (signal: string) => {
    log(`${signal}: stopping and removing ${scratchDirs.length ? scratchDirs.join(', ') : 'nothing'}`)
    // Closed, not just killed: the run must not go on with fresh workers in the dirs being removed.
    root.close()
    root2?.close()
    userWorker?.close()
    const cleaner = new Worker({ ...workerOptions, label: 'cleanup' })
    for (const dir of scratchDirs) await cleaner.call('scratch-remove', [dir], 10_000)
    cleaner.kill()
    out(`Bail out! interrupted by ${signal}`)
    exitAfterFlush(2)
  }
  process.once('SIGINT', () => void interrupted('SIGINT'))
  process.once('SIGTERM', () => void interrupted('SIGTERM'))

  const tap = TapWriter.document(out)
  tap.comment(`limafs-agent ${AGENT_VERSION} ${command}: node ${process.version}, uid ${process.getuid?.()}, ordinary user ${caps.user.uid}:${caps.user.gid}, xattr via ${caps.xattr}, acl ${caps.acl ? 'yes' : 'no'}, host bridge ${caps.bridge ? 'yes' : 'no'}`)
  if (!isRoot) log('not running as root: checks that need root (chown to other uids, drop_caches, remount) are skipped')
  let incomplete = false
  let failed = 0
  const suiteOrder = [...suites.map((s) => s.name), 'agent']
  const todosOf = (path: string, mount: MountInfo) => todos.get(path) ?? todos.get(mount.mountPoint) ?? []
  // One mount's TAP at a time, whichever lane finished it.
  let reporting = Promise.resolve()
  const reportInTurn = (path: string, book: PointBook, started: number) => (reporting = reporting.then(() => report(path, book, started)))
  const report = async (path: string, book: PointBook, started: number) => {
    incomplete ||= book.incomplete
    await writeMountTap(tap, path, suiteOrder, book)
    const c = countOf(book)
    failed += c.fail
    const parts = [...book.seconds].map(([name, s]) => `${name} ${s.toFixed(1)} s`).join(', ')
    log(`done ${path}: ${c.pass} ok, ${c.fail} not ok, ${c.todo} todo, ${c.skip} skip (${((Date.now() - started) / 1000).toFixed(1)} s${parts ? `: ${parts}` : ''})`)
  }
  if (command === 'run') {
    const perMount = suites.filter((s): s is SuiteSpec => !('shared' in s))
    const shared = suites.filter((s): s is SharedSuiteSpec => 'shared' in s)
    // Every mount is prepared first: shared suites (coherence) watch them all at once.
    const prepared = new Map<string, { target?: MountTarget; book: PointBook }>()
    for (const { path, mount } of mounts) {
      const todos = todosOf(path, mount)
      const sibling = siblings.get(path)
      const model = models.get(path)
      const ro = roScratch.get(path)
      const p = await prepare(path, mount, run, userWorker, { clean: !!v.clean, todos, scratchDirs, ...(sibling ? { sibling } : {}), ...(model ? { model } : {}), ...(bridge ? { bridge } : {}), ...(ro ? { roScratch: ro } : {}) })
      prepared.set(path, { ...(p.target ? { target: p.target } : {}), book: bookFor(path, p, suites, todos, v.grep) })
    }
    const targets = [...prepared.values()].flatMap((p) => (p.target ? [p.target] : []))
    const books = new Map([...prepared].map(([path, p]) => [path, p.book]))
    // Suites that measure compare every share with a scratch dir of their own on the guest's tmpfs.
    let baseline: RunSettings['baseline']
    if (baselineChoice && targets.some((t) => !t.readOnly)) {
      if ('missing' in baselineChoice) baseline = baselineChoice
      else {
        const p = await prepare(baselineChoice.path, baselineChoice.mount, run, undefined, { clean: !!v.clean, todos: [], scratchDirs })
        baseline = p.target ? { scratch: p.target.scratch } : { missing: `${baselineChoice.path}: ${p.skip ?? p.error ?? `the tmpfs refused a scratch dir (${p.refused?.found})`}` }
      }
      log(`bench baseline: ${'scratch' in baseline ? baseline.scratch : `none (${baseline.missing})`}`)
    }
    // The second lane's worker may act in every scratch dir too (prepare adopted each on the first).
    const lanes: AgentRun[] = [run, { ...run, root: root2! }]
    for (const t of targets) {
      root2!.adopt(t.scratch)
      if (t.sibling && 'scratch' in t.sibling) root2!.adopt(t.sibling.scratch)
    }
    const runShared = async (s: SharedSuiteSpec, lane: AgentRun) => {
      const on = targets.filter((t) => runsOn(s, t))
      if (!on.length) return
      const t0 = Date.now()
      log(s.measures
        ? `${s.name}: ${on.length} mounts and the tmpfs baseline, ${bench.repeats} interleaved rounds of ${bench.files} files and ${bench.bytes} bytes, app workloads at scale ${bench.scale}`
        : `${s.name}: ${on.length} mounts at once (--window ${window} s)`)
      await runSharedSuite(s, on, s.measures && baseline ? { ...lane, settings: { ...settings, baseline } } : lane, books)
      log(`${s.name} done (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
    }
    // 1. On both lanes (lanes.ts): the shared suites that neither drop the caches nor measure.
    const besideOthers = shared.filter((s) => !s.measures && !s.dropsCaches)
    await onLanes(lanes, besideOthers, runShared)
    // 2. On both lanes, the suites that drop the caches: each holds the gate but for its drop,
    //    which waits until the other lane's suite comes to its own (before it, a drop would
    //    change what that suite looks at).
    await onLanes(lanes, shared.filter((s) => !s.measures && s.dropsCaches), (s, lane) => gateSessions.run(lane.root.label, () => runShared(s, lane)))
    // 3. Alone: the bench (a measurement with nothing beside it).
    for (const s of shared.filter((s) => s.measures)) await runShared(s, run)
    if (baseline && 'scratch' in baseline) {
      await removeScratch(run, baseline.scratch)
    }
    // 4. On both lanes, mount after mount: each writable mount's own suites, their later stages,
    //    its TAP. A mount's drop_caches waits at the gate until the other lane is out of its
    //    calls and at-once points (a drop would change what they see).
    const writable = mounts.filter(({ path }) => prepared.get(path)!.target && !prepared.get(path)!.target!.readOnly)
    await onLanes(lanes.map((lane) => ({ ...lane, cacheGate: gate })), writable, async ({ path, mount }, lane) => {
      const started = Date.now()
      log(`start ${path} (${mount.fsType} ${mount.source} ${mount.superOptions})`)
      const p = prepared.get(path)!
      const staged = await gate.shared(() => runSuites(perMount, p.target!, lane, p.book))
      await finishMount(p.target!, staged, lane, p.book, { keep: !!v.keep })
      await reportInTurn(path, p.book, started)
    })
    // Read-only mounts (their one suite is shared, their scratch dir the host's), and mounts not prepared.
    for (const { path, mount } of mounts.filter((m) => !writable.includes(m))) {
      log(`start ${path} (${mount.fsType} ${mount.source} ${mount.superOptions})`)
      await reportInTurn(path, prepared.get(path)!.book, Date.now())
    }
  } else {
    for (const { path, mount } of mounts) {
      const started = Date.now()
      log(`start ${path} (${mount.fsType} ${mount.source} ${mount.superOptions})`)
      await reportInTurn(path, await verifyMount(path, mount, run, userWorker, { keep: !!v.keep, todos: todosOf(path, mount), ...(bridge ? { bridge } : {}) }), started)
    }
  }
  if (profile) for (const line of profile.lines()) log(line)
  tap.plan()
  root.kill()
  root2?.kill()
  userWorker?.kill()
  return incomplete ? 2 : failed ? 1 : 0
}

/** Exits once stdout has taken everything: a pipe can hold back a long TAP tail. */
const exitAfterFlush = (code: number) => process.stdout.write('', () => process.exit(code))

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) exitAfterFlush(code)
  },
  (err: unknown) => {
    if (err instanceof Usage) {
      process.stderr.write(`limafs-agent: ${err.message}\n(see limafs-agent --help)\n`)
      process.exit(64)
    }
    process.stderr.write(`limafs-agent: could not complete: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exit(2)
  },
)
