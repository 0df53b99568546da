// limafs-agent: runs conformance suites against mounted shares and writes TAP 14 on stdout.
// Bundled to ONE file that runs on the guest's Node >= 18 with nothing beside it.
// Exit codes: 0 nothing failed (TODO/SKIP allowed), 1 failed checks, 2 the run could not
// complete, 64 usage error.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { pointIds, type SuiteSpec } from './check-api.ts'
import { guestTools, ordinaryUser, OTHER_OWNER } from './capabilities.ts'
import { BridgeClient, NO_HOST } from './host-bridge.ts'
import { mountOf, parseMountinfo, type MountInfo } from './mountinfo.ts'
import { SUITES } from './registry.ts'
import {
  SHARE_FS_TYPES, runAfterRestart, runLaterStages, runSuiteCalls, unmetNeed, writeMountTap,
  type Capabilities, type MountTarget, type PointRecord, type RunContext, type StagedCheck, type Todo,
} from './runner.ts'
import { decodeState, encodeState, STATE_FILE } from './state-file.ts'
import { TapWriter } from './tap-writer.ts'
import { AGENT_VERSION } from './version.ts'
import { Worker } from './worker-client.ts'
import { workerMain } from './worker/worker-main.ts'

const DEFAULT_CHECK_TIMEOUT_S = 30
const DEFAULT_OP_TIMEOUT_S = 10

const USAGE = `Usage: limafs-agent <command> [options]

Runs limafs conformance suites against mounted host shares (9p, virtiofs, sshfs) and writes
TAP 14 on stdout: a subtest per mount and suite, one point per check, YAML diagnostics
{op, args, wanted, found, errno, stage, class} on failures. Progress goes to stderr.
The agent works only inside its own new PATH/.limafs-XXXXXX/ dir and removes it at the end.

Commands:
  run --mount PATH [--mount PATH...]   run the suites on each mount
  verify --mount PATH [...]            after a VM restart: check what a \`run --keep\` left
  list [--suite S] [--json]            every check id with a one-line description

Options (run, verify):
  --mount PATH        a share's mount point (or a directory on it); repeatable
  --suite A,B         suites to run (default: all): ${SUITES.map((s) => s.name).join(', ')}
  --grep REGEX        only checks whose id matches
  --allow-any-fs      run on a path that is not a 9p, virtiofs or sshfs mount
  --clean             remove leftover .limafs-* dirs of earlier crashed runs (else only reported)
  --keep              keep the scratch dir and what must persist, for \`verify\` after a restart
  --no-remount        skip the after-remount stage (it unmounts and mounts the share again)
  --user UID[:GID]    the guest's ordinary user (default: $SUDO_UID, else the first uid >= 1000)
  --timeout SECONDS   time a check may take (default ${DEFAULT_CHECK_TIMEOUT_S}); a hung call is killed
  --todo-file FILE    JSON {"MOUNT PATH": [{"check": GLOB, "reason": TEXT}]}: known deviations -> TODO
  --bridge            ask the host over stdin/stderr (used by \`limafs run\`)
  -h, --help          this help
  --version           the agent's version

Exit codes: 0 nothing failed (TODO and SKIP allowed), 1 failed checks, 2 the run could not
complete, 64 usage error.`

class Usage extends Error {}

const OPTIONS = {
  mount: { type: 'string', multiple: true },
  suite: { type: 'string' },
  grep: { type: 'string' },
  'allow-any-fs': { type: 'boolean' },
  clean: { type: 'boolean' },
  keep: { type: 'boolean' },
  'no-remount': { type: 'boolean' },
  user: { type: 'string' },
  timeout: { type: 'string' },
  'todo-file': { type: 'string' },
  bridge: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const

const log = (line: string) => process.stderr.write(`limafs-agent: ${line}\n`)
const out = (line: string) => process.stdout.write(`${line}\n`)

function selectSuites(spec: string | undefined): SuiteSpec[] {
  if (!spec) return [...SUITES]
  const names = spec.split(',').map((s) => s.trim()).filter(Boolean)
  const unknown = names.filter((n) => !SUITES.some((s) => s.name === n))
  if (unknown.length) throw new Usage(`unknown suite ${unknown.join(', ')}; known: ${SUITES.map((s) => s.name).join(', ')}`)
  return SUITES.filter((s) => names.includes(s.name))
}

function list(suites: SuiteSpec[], json: boolean): number {
  const rows = suites.flatMap((s) => s.checks.flatMap((c) => pointIds(c).map((id) => {
    const stage = c.stages?.find((st) => c.id.replace('{stage}', st) === id)
    return { id, suite: s.name, title: c.title.replace('{stage}', stage ?? ''), needs: c.needs ?? [] }
  })))
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
function mountsFor(paths: string[], allowAnyFs: boolean): Array<{ path: string; mount: MountInfo }> {
  const table = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'))
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

interface Prepared {
  target?: MountTarget
  /** Why the mount's suites are skipped (read-only) or could not run (scratch failed). */
  skip?: string
  error?: string
}

async function prepare(path: string, mount: MountInfo, run: RunContext, opts: { clean: boolean; host: MountTarget['host']; todos: Todo[] }): Promise<Prepared> {
  const { root, caps } = run
  const probe = await root.call('mount-probe', [path], run.opTimeoutMs)
  if (!probe.ok) return { error: `cannot look at ${path}: ${probe.errno} ${probe.message}` }
  const leftovers = await root.call('scratch-list', [path], run.opTimeoutMs)
  for (const name of leftovers.ok ? (leftovers.value as string[]) : []) {
    const dir = `${path}/${name}`
    if (opts.clean) {
      const removed = await root.call('scratch-remove', [dir], run.opTimeoutMs * 3)
      log(`${removed.ok ? 'removed' : `could not remove (${removed.ok ? '' : removed.errno})`} leftover ${dir}`)
    } else log(`leftover of an earlier run: ${dir} (a run --keep awaiting verify, or a crashed run; --clean removes it)`)
  }
  const { writable } = probe.value as { writable: boolean }
  if (mount.mountOptions.split(',').includes('ro') || !writable) return { skip: `read-only mount (${mount.mountOptions})` }
  const made = await root.call('scratch-create', [path], run.opTimeoutMs)
  if (!made.ok) return { error: `cannot make a scratch dir in ${path}: ${made.errno} ${made.message}` }
  const scratch = made.value as string
  run.userWorker?.adopt(scratch)
  root.adopt(scratch)
  const userDir = `${scratch}/user`
  await root.call('mkdir', [userDir, 0o777], run.opTimeoutMs)
  await root.call('chmod', [userDir, 0o777], run.opTimeoutMs)
  if (caps.isRoot) await root.call('lchown', [userDir, caps.user.uid, caps.user.gid], run.opTimeoutMs)
  return { target: { path, mount, scratch, userDir, host: opts.host, todos: opts.todos } }
}

/** All points a mount would have, as SKIP with one reason. */
function skipAll(suites: SuiteSpec[], reason: string, stageFilter?: (id: string) => boolean): Map<string, PointRecord[]> {
  return new Map(suites.map((s) => [s.name, s.checks.flatMap(pointIds).filter((id) => !stageFilter || stageFilter(id)).map((id) => ({ id, ok: true, directive: { skip: reason } }))]))
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
  const grep = v.grep ? new RegExp(v.grep) : undefined
  const todos = readTodos(v['todo-file'])
  const timeout = Number(v.timeout ?? DEFAULT_CHECK_TIMEOUT_S)
  if (!(timeout > 0)) throw new Usage(`--timeout: expected seconds > 0, got ${v.timeout}`)
  if (v.user && !/^\d+(:\d+)?$/.test(v.user)) throw new Usage(`--user: expected UID or UID:GID, got ${v.user}`)
  const mounts = mountsFor(v.mount, !!v['allow-any-fs'])

  const isRoot = process.getuid?.() === 0
  const tools = guestTools()
  const caps: Capabilities = {
    isRoot, user: ordinaryUser(v.user, process.env), other: OTHER_OWNER, ...tools, bridge: !!v.bridge, remount: !v['no-remount'],
  }
  const mountPaths = mounts.map((m) => m.path)
  const script = process.argv[1]!
  const workerOptions = { script, mountPaths, xattrTool: caps.xattr }
  const root = new Worker({ ...workerOptions, label: 'root' })
  const userWorker = isRoot ? new Worker({ ...workerOptions, uid: caps.user.uid, gid: caps.user.gid, label: 'user' }) : undefined
  root.warm()
  userWorker?.warm()
  const run: RunContext = { root, ...(userWorker ? { userWorker } : {}), caps, checkTimeoutMs: timeout * 1000, opTimeoutMs: Math.min(DEFAULT_OP_TIMEOUT_S, timeout) * 1000, ...(grep ? { grep } : {}), log }
  const bridge = v.bridge ? new BridgeClient(process.stdin, (line) => process.stderr.write(line)) : undefined

  const scratchDirs: string[] = []
  const interrupted = async (signal: string) => {
    log(`${signal}: stopping and removing ${scratchDirs.length ? scratchDirs.join(', ') : 'nothing'}`)
    root.kill()
    userWorker?.kill()
    const cleaner = new Worker({ ...workerOptions, label: 'cleanup' })
    for (const dir of scratchDirs) await cleaner.call('scratch-remove', [dir], 10_000)
    cleaner.kill()
    out(`Bail out! interrupted by ${signal}`)
    process.exit(2)
  }
  process.once('SIGINT', () => void interrupted('SIGINT'))
  process.once('SIGTERM', () => void interrupted('SIGTERM'))

  const tap = TapWriter.document(out)
  tap.comment(`limafs-agent ${AGENT_VERSION} ${command}: node ${process.version}, uid ${process.getuid?.()}, ordinary user ${caps.user.uid}:${caps.user.gid}, xattr via ${caps.xattr}, acl ${caps.acl ? 'yes' : 'no'}, host bridge ${caps.bridge ? 'yes' : 'no'}`)
  if (!isRoot) log('not running as root: checks that need root (chown to other uids, drop_caches, remount) are skipped')
  let incomplete = false
  let failed = 0
  const suiteNames = suites.map((s) => s.name)
  for (const { path, mount } of mounts) {
    const started = Date.now()
    log(`start ${path} (${mount.fsType} ${mount.source} ${mount.superOptions})`)
    const host = bridge ? bridge.sideFor(mount.mountPoint) : NO_HOST
    const mountTodos = todos.get(path) ?? todos.get(mount.mountPoint) ?? []
    let points: Map<string, PointRecord[]>
    if (command === 'run') {
      const prepared = await prepare(path, mount, run, { clean: !!v.clean, host, todos: mountTodos })
      if (!prepared.target) {
        if (prepared.error) {
          incomplete = true
          log(prepared.error)
        }
        points = prepared.skip ? skipAll(suites, prepared.skip) : new Map([['agent', [{ id: 'agent/scratch', ok: false, diagnostics: { op: 'scratch-create', args: [path], wanted: '0', found: prepared.error ?? '', stage: 'setup', class: 'loud' } }]]])
      } else {
        const target = prepared.target
        scratchDirs.push(target.scratch)
        points = new Map()
        const staged: StagedCheck[] = []
        for (const s of suites) {
          const r = await runSuiteCalls(s, target, run)
          points.set(s.name, r.points)
          staged.push(...r.staged)
        }
        for (const [name, later] of await runLaterStages(staged, target, run)) points.set(name, [...(points.get(name) ?? []), ...later])
        const restartIds = staged.filter((s) => s.check.stages?.includes('after-restart')).map((s) => ({ suite: s.suite, id: s.check.id.replace('{stage}', 'after-restart') })).filter((r) => !grep || grep.test(r.id))
        if (v.keep) {
          const saved = await root.call('write', [`${target.scratch}/${STATE_FILE}`, encodeState(path, target.scratch, staged)], run.opTimeoutMs)
          if (!saved.ok) {
            incomplete = true
            log(`could not save ${STATE_FILE}: ${saved.errno}`)
          } else log(`kept ${target.scratch} for verify after a restart`)
        } else {
          for (const r of restartIds) points.get(r.suite)!.push({ id: r.id, ok: true, directive: { skip: 'needs a VM restart: `limafs run` does one, or run --keep, restart the VM, then verify' } })
          const removed = await root.call('scratch-remove', [target.scratch], run.opTimeoutMs * 3)
          if (!removed.ok) log(`could not remove ${target.scratch}: ${removed.errno} ${removed.message}`)
        }
      }
    } else {
      points = await verifyMount(path, mount, run, { host, todos: mountTodos, keep: !!v.keep })
      if (points.has('agent')) incomplete = true
    }
    const counts = await emit(tap, path, [...suiteNames, 'agent'], points)
    failed += counts.fail
    log(`done ${path}: ${counts.pass} ok, ${counts.fail} not ok, ${counts.todo} todo, ${counts.skip} skip (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  }
  tap.plan()
  root.kill()
  userWorker?.kill()
  return incomplete ? 2 : failed ? 1 : 0
}

async function emit(tap: TapWriter, path: string, suiteNames: string[], points: Map<string, PointRecord[]>) {
  const counts = { pass: 0, fail: 0, todo: 0, skip: 0 }
  for (const list of points.values()) {
    for (const p of list) {
      if (p.directive && 'skip' in p.directive) counts.skip++
      else if (p.directive && 'todo' in p.directive) counts.todo++
      else if (p.ok) counts.pass++
      else counts.fail++
    }
  }
  await writeMountTap(tap, path, suiteNames, points)
  return counts
}

async function verifyMount(path: string, mount: MountInfo, run: RunContext, opts: { host: MountTarget['host']; todos: Todo[]; keep: boolean }): Promise<Map<string, PointRecord[]>> {
  const problem = (found: string) => new Map([['agent', [{ id: 'agent/verify-state', ok: false, diagnostics: { op: 'read', args: [path], wanted: 'a kept scratch dir', found, stage: 'after-restart', class: 'loud' } }]]])
  const listed = await run.root.call('scratch-list', [path], run.opTimeoutMs)
  if (!listed.ok) return problem(`${listed.errno} ${listed.message}`)
  for (const name of listed.value as string[]) {
    const scratch = `${path}/${name}`
    run.root.adopt(scratch)
    run.userWorker?.adopt(scratch)
    const text = await run.root.call('read', [`${scratch}/${STATE_FILE}`], run.opTimeoutMs)
    if (!text.ok) continue
    const staged = decodeState(text.value as string, scratch)
    if (typeof staged === 'string') {
      log(`${scratch}/${STATE_FILE}: ${staged}`)
      continue
    }
    const target: MountTarget = { path, mount, scratch, userDir: `${scratch}/user`, host: opts.host, todos: opts.todos }
    const skip = unmetNeed(['root'], run.caps)
    let points: Map<string, PointRecord[]>
    if (skip) {
      points = new Map()
      for (const s of staged) points.set(s.suite, [...(points.get(s.suite) ?? []), { id: s.check.id.replace('{stage}', 'after-restart'), ok: true, directive: { skip } }])
    } else points = await runAfterRestart(staged, target, run)
    if (!opts.keep) {
      const removed = await run.root.call('scratch-remove', [scratch], run.opTimeoutMs * 3)
      if (!removed.ok) log(`could not remove ${scratch}: ${removed.errno}`)
    }
    return points
  }
  return problem(`no .limafs-* dir with a ${STATE_FILE} in ${path}: run \`run --keep\` before the restart`)
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code)
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
