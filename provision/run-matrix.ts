// `limafs run`, the main job: boot a guest carrying every configuration of the matrix, put the
// agent in it, run the suites on each share (host bridge served), restart the guest and verify
// what had to persist, and keep the TAP per configuration live in OUT/tap/. Returns the run
// record that the reports are built from.
import { appendFileSync, mkdirSync } from 'node:fs'
import { availableParallelism, platform, release } from 'node:os'
import { basename, join } from 'node:path'
import { todosFor } from './matrix/todos-for.ts'
import type { Matrix } from './matrix/types.ts'
import { runAgentPass } from './agent-pass.ts'
import { uploadAgent, uploadText } from './agent-upload.ts'
import type { Backend, BootedShare, Guest } from './backend.ts'
import { InfraError } from './errors.ts'
import { sleep } from './process.ts'
import { BridgeServer } from './host-bridge/server.ts'
import { makeReadOnlyScratch, removeReadOnlyScratch } from './read-only-scratch.ts'
import type { SshConnection } from './ssh.ts'
import { TapSplitter } from './tap-split.ts'
import type { RunConfig, RunRecord } from '../reports/types.ts'

export type RunProgress =
  | { type: 'phase'; name: string; state: 'start' | 'done'; seconds?: number }
  | { type: 'config-start'; config: string }
  | { type: 'config-done'; config: string; summary: string; seconds: number }
  | { type: 'config-crashed'; config: string; error: string }
  | { type: 'config-infra-failed'; config: string; error: string }
  | { type: 'log'; line: string }

export interface RunMatrixOptions {
  matrix: Matrix
  backend: Backend
  outDir: string
  /** Host path of dist/limafs-agent.mjs. */
  agentBundle: string
  /** Suites to run (those the agent knows) and every check id they can emit. */
  suites: string[]
  declaredChecks: string[]
  /** Restart the guest after the first pass and verify what had to persist. */
  restartPhase: boolean
  /** Leave the guest running at the end (for inspection). */
  keepGuest: boolean
  /** Serve the host bridge (default). False when the shares' host side can't be reached: host-side checks then SKIP. */
  hostBridge?: boolean
  /** More agent flags for `run` (the bench suite's sizes: --bench-files N...). */
  agentFlags?: readonly string[]
  /** Ask the backend for sibling shares (some suite needs them: see SiblingSetup). */
  siblings?: boolean
  signal: AbortSignal
  onProgress: (e: RunProgress) => void
}

const TAP_DIR = 'tap'
const TODO_PATH = '/tmp/limafs-todo.json'

class Aborted extends Error {}

export async function runMatrix(o: RunMatrixOptions): Promise<RunRecord> {
  const startedAt = new Date().toISOString()
  const phases: RunRecord['phases'] = []
  const configs = new Map<string, RunConfig>(o.matrix.configs.map((c) => [c.name, { name: c.name, config: { ...c }, status: 'completed', tapFiles: [] }]))
  const environment: RunRecord['environment'] = { hostOs: `${platform()} ${release()}`, hostCpus: availableParallelism(), backend: o.backend.name }
  const progress = o.onProgress
  const log = (line: string) => progress({ type: 'log', line })
  let complete = true
  let guest: Guest | undefined
  /** Closed at the end: its helpers hold the scratch dirs' descriptors. */
  let openBridge: BridgeServer | undefined
  /** The scratch dirs made on the host side of read-only shares (removed at the end), by mount point. */
  const roScratch = new Map<string, string>()

  const phase = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
    if (o.signal.aborted) throw new Aborted()
    progress({ type: 'phase', name, state: 'start' })
    const t0 = Date.now()
    try {
      return await body()
    } finally {
      const seconds = (Date.now() - t0) / 1000
      phases.push({ name, seconds })
      progress({ type: 'phase', name, state: 'done', seconds })
    }
  }

  mkdirSync(join(o.outDir, TAP_DIR), { recursive: true })
  const tapFile = (config: string) => `${TAP_DIR}/${config}.tap`
  const splitterFor = (g: Guest) =>
    new TapSplitter((mount) => g.shares.find((s) => s.mountPoint === mount)?.config.name, {
      append: (config, text) => {
        const rc = configs.get(config)!
        if (!rc.tapFiles.includes(tapFile(config))) rc.tapFiles.push(tapFile(config))
        appendFileSync(join(o.outDir, tapFile(config)), text)
      },
    })

  try {
    guest = await phase('boot', () => o.backend.boot(o.matrix.configs, log, { siblings: !!o.siblings }))
    const g = guest
    Object.assign(environment, g.environment())
    environment.mountinfo = Object.fromEntries(g.shares.map((s) => [s.config.name, s.mountinfo ?? `not mounted: ${s.mountError ?? 'unknown'}`]))
    const siblings = g.shares.filter((s) => s.sibling)
    if (siblings.length) {
      environment.siblingMountinfo = Object.fromEntries(siblings.map((s) => [s.config.name, s.sibling!.mountinfo ?? `not mounted: ${s.sibling!.mountError ?? 'unknown'}`]))
    }
    for (const share of g.shares.filter((s) => !s.mounted || s.refused)) {
      const rc = configs.get(share.config.name)!
      rc.status = 'infra-failed'
      rc.error = share.refused ?? `the share did not mount: ${share.mountError ?? 'no message'}`
      progress({ type: 'config-infra-failed', config: rc.name, error: rc.error })
    }
    // What the backend really set up (Lima's filled-in settings, with --accept-overrides).
    for (const share of g.shares) configs.get(share.config.name)!.config = { ...share.config }
    const splitter = splitterFor(g)
    // One bridge for both passes: the scratch dirs it holds from the run pass are the verify pass's.
    const bridge = new BridgeServer(
      // Each share and its sibling (another mount point, its own claims, on the one sibling dir).
      g.shares.filter((s) => s.hostDir).flatMap((s) => [
        { mountPoint: s.mountPoint, hostDir: s.hostDir },
        ...(s.sibling?.mounted ? [{ mountPoint: s.sibling.mountPoint, hostDir: s.sibling.hostDir }] : []),
      ]),
      { refused: (reason, request) => log(`host bridge REFUSED (${reason}): ${request}`), note: log },
    )
    openBridge = bridge
    // A read-only share gets a scratch dir the host made, with the read-only suite's files.
    for (const s of g.shares.filter((s) => !s.config.writable && s.hostDir && s.mounted && !s.refused)) {
      let dir: string | undefined
      try {
        dir = makeReadOnlyScratch(s.hostDir)
        await bridge.addScratch(s.mountPoint, dir)
        roScratch.set(s.mountPoint, dir)
      } catch (err) {
        // A dir the bridge does not know is no scratch dir for the agent: not passed, not kept.
        if (dir) {
          try {
            removeReadOnlyScratch(dir)
          } catch (rmErr) {
            log(`could not remove ${dir}: ${(rmErr as Error).message}`)
          }
        }
        log(`${s.config.name}: no scratch dir on the host side of the read-only share (its read-only suite is skipped): ${(err as Error).message}`)
      }
    }
    const todoJson = JSON.stringify(Object.fromEntries(g.shares.map((s) => [s.mountPoint, todosFor(o.matrix, s.config.name)])))

    /** Connects and puts the agent in (again after every boot: /tmp is fresh). */
    const provision = async (): Promise<{ ssh: SshConnection; agentPath: string }> => {
      const ssh = await g.connect()
      o.signal.addEventListener('abort', () => ssh.close(), { once: true })
      // After a restart it is the same guest: its node was checked at the first boot.
      const agent = await uploadAgent(ssh, o.agentBundle, typeof environment.guestNode === 'string' ? environment.guestNode : undefined)
      environment.guestNode = agent.nodeVersion
      await uploadText(ssh, todoJson, TODO_PATH)
      return { ssh, agentPath: agent.path }
    }

    /**
     * One pass of the agent over the given configs. When the guest dies or ssh drops, the
     * config it was on is marked crashed and the rest go on in a fresh boot.
     */
    /** Configs whose scratch dir the first pass kept: the ones the verify pass can look at. */
    const kept = new Set<string>()
    const pass = async (command: 'run' | 'verify', names: string[], session: { ssh: SshConnection; agentPath: string }) => {
      let remaining = names
      let current = session
      while (remaining.length) {
        if (o.signal.aborted) throw new Aborted()
        const mounts = remaining.map((n) => g.shares.find((s) => s.config.name === n)!.mountPoint)
        const startedAt = new Map<string, number>()
        const nameOf = (mount: string) => g.shares.find((s) => s.mountPoint === mount)?.config.name ?? mount
        const result = await runAgentPass({
          ssh: current.ssh,
          sudo: g.loginUser !== 'root',
          agentArgs: [
            current.agentPath, command, ...(o.hostBridge === false ? [] : ['--bridge']),
            // --keep: in the first pass, for the verify pass after the restart; in the verify pass
            // when the share dirs go with the guest (removing scratch dirs over 9p is slow).
            ...((command === 'run' && o.restartPhase) || (command === 'verify' && g.disposableShares) ? ['--keep'] : []),
            ...(command === 'run' ? (o.agentFlags ?? []) : []),
            '--todo-file', TODO_PATH, '--suite', o.suites.join(','), ...mounts.flatMap((m) => ['--mount', m]),
            ...(command === 'run' ? siblingFlags(g.shares.filter((s) => remaining.includes(s.config.name))) : []),
            ...(command === 'run' ? modelFlags(g.shares.filter((s) => remaining.includes(s.config.name))) : []),
            ...(command === 'run' ? roScratchFlags(g.shares.filter((s) => remaining.includes(s.config.name)), roScratch) : []),
          ],
          bridge, splitter,
          onAgentLine: (line) => log(line),
          onMountStart: (mount) => {
            startedAt.set(mount, Date.now())
            progress({ type: 'config-start', config: nameOf(mount) })
          },
          onMountDone: (mount, summary) => progress({ type: 'config-done', config: nameOf(mount), summary, seconds: (Date.now() - (startedAt.get(mount) ?? Date.now())) / 1000 }),
        })
        current.ssh.close()
        if (o.signal.aborted) throw new Aborted()
        for (const mount of result.kept) kept.add(nameOf(mount))
        const finished = new Set(result.finished.map(nameOf))
        if (!result.lost && g.isAlive()) {
          if (result.code !== 0 && result.code !== 1) log(`the agent exited ${result.code} (the run could not complete on some mount: see its lines above)`)
          for (const n of remaining.filter((n) => !finished.has(n))) markCrashed(n, `the agent ended (exit ${result.code}) before this config was done`)
          return current
        }
        // A guest that died takes ssh with it: give it a moment to be seen gone before blaming ssh.
        for (let i = 0; i < 10 && g.isAlive(); i++) await sleep(100)
        const why = g.isAlive() ? `the ssh connection dropped (${result.lost?.message ?? 'closed'})` : 'the guest died'
        const crashedOn = result.started.map(nameOf).filter((n) => !finished.has(n))
        for (const n of crashedOn) markCrashed(n, `${why} while the agent ran ${command} on it`)
        const before = remaining.length
        remaining = remaining.filter((n) => !finished.has(n) && !crashedOn.includes(n))
        if (remaining.length === before) {
          // The guest went away before any config started: blaming none would loop forever.
          for (const n of remaining) markCrashed(n, `${why} before the agent reached this config`)
          return current
        }
        if (!remaining.length) return current
        log(`${why}; ${remaining.length} configs go on in a fresh boot`)
        await g.restart(log)
        current = await provision()
      }
      return current
    }

    const markCrashed = (name: string, error: string) => {
      const rc = configs.get(name)!
      rc.status = 'crashed'
      rc.error = error
      progress({ type: 'config-crashed', config: name, error })
    }

    const runnable = () => [...configs.values()].filter((c) => c.status === 'completed').map((c) => c.name)
    let session = await phase('provision', provision)
    session = await phase('suites', () => pass('run', runnable(), session))
    if (o.restartPhase && runnable().some((n) => kept.has(n))) {
      await phase('restart', async () => {
        session.ssh.close()
        await g.restart(log)
        session = await provision()
      })
      // A config whose share refused the scratch dir has nothing kept: its after-restart
      // checks already failed in the first pass.
      session = await phase('verify', () => pass('verify', runnable().filter((n) => kept.has(n)), session))
    }
    session.ssh.close()
    splitter.finish()
  } catch (err) {
    if (!(err instanceof Aborted)) {
      if (!guest || !(err instanceof InfraError)) throw err
      // The run could not go on: what ran so far is kept, the configs that never ran say why.
      log(`the run stopped: ${err.message}`)
    }
    complete = false
    const why = err instanceof Aborted ? 'interrupted' : `the run stopped: ${(err as Error).message}`
    for (const rc of configs.values()) {
      if (rc.status === 'completed' && !rc.tapFiles.length) Object.assign(rc, { status: 'infra-failed', error: `not run: ${why}` })
    }
  } finally {
    openBridge?.close()
    for (const dir of roScratch.values()) {
      try {
        removeReadOnlyScratch(dir)
      } catch (err) {
        log(`could not remove ${dir}: ${(err as Error).message}`)
      }
    }
    if (guest && !o.keepGuest) await guest.stop(log).catch((e: unknown) => log(`stopping the guest failed: ${String(e)}`))
  }
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    complete,
    matrix: matrixRecord(o),
    environment,
    phases,
    declaredChecks: o.declaredChecks,
    configs: [...configs.values()],
  }
}

/** `--sibling MOUNT=SIBLING` for each share whose sibling mounted (a sibling that did not is named in environment.json). */
function siblingFlags(shares: readonly BootedShare[]): string[] {
  return shares.flatMap((s) => (s.sibling?.mounted ? ['--sibling', `${s.mountPoint}=${s.sibling.mountPoint}`] : []))
}

/** `--model MOUNT=MODEL` for each 9p share: its security model is a host setting the guest can't see. */
function modelFlags(shares: readonly BootedShare[]): string[] {
  return shares.flatMap((s) => (s.config.ninep ? ['--model', `${s.mountPoint}=${s.config.ninep.securityModel}`] : []))
}

/** `--ro-scratch MOUNT=NAME` for each read-only share the host made a scratch dir on. */
function roScratchFlags(shares: readonly BootedShare[], dirs: ReadonlyMap<string, string>): string[] {
  return shares.flatMap((s) => {
    const dir = dirs.get(s.mountPoint)
    return dir ? ['--ro-scratch', `${s.mountPoint}=${basename(dir)}`] : []
  })
}

/** What the run record says of the matrix it ran: the suites, the config names, the file. */
export function matrixRecord(o: Pick<RunMatrixOptions, 'matrix' | 'suites'>): RunRecord['matrix'] {
  return { suites: o.suites, configs: o.matrix.configs.map((c) => c.name), ...(o.matrix.file ? { file: o.matrix.file } : {}) }
}
