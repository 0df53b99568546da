// The testbed's life cycle: up, status, restart, remount, down. A Lima-faithful QEMU guest with
// one share per configuration, run as an ordinary user like Lima runs it.
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { release } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { mountOf, parseMountinfo, type MountInfo } from '../../agent/mountinfo.ts'
import { InfraError, tail, UsageError } from '../errors.ts'
import { planLimaShares, withSiblings } from '../lima-compat/plan-shares.ts'
import { virtiofsSocketPath } from '../lima-compat/qemu-share-args.ts'
import { isAlive, run, signal, stopAll, waitForExit } from '../process.ts'
import { qemuVersionOf } from '../qemu-version.ts'
import { removeHostTree } from '../remove-tree.ts'
import { shellQuote } from '../shell-quote.ts'
import { SshConnection, waitForSsh } from '../ssh.ts'
import type { ShareConfig, ShareSetup } from '../types.ts'
import { decideAccel, type AccelChoice } from './accel.ts'
import { GUEST_STATE_DIR } from './guest-init.ts'
import { startHostAgent, stopHostAgent } from './host-agent.ts'
import { ensureInitramfs } from './initramfs.ts'
import { ensureKeys } from './keys.ts'
import { resolveKernel } from './kernel.ts'
import { mountScript, parseMountOutput } from './guest-mounts.ts'
import { qemuCommand, testbedPaths } from './qemu-command.ts'
import { makeSiblingDir, removeSiblingFs, siblingVirtiofsDaemons, type SiblingFs } from './sibling-shares.ts'
import { findVirtiofsd, startVirtiofsd, virtiofsdArgs } from './virtiofsd.ts'

const QEMU_BINARY = 'qemu-system-x86_64'
/** Lima runs QEMU as the logged-in user; on a CI box as root we drop to this uid (a flag). */
export const DEFAULT_QEMU_UID = 1000

export interface UpOptions {
  name: string
  cacheDir: string
  instanceDir: string
  configs: readonly ShareConfig[]
  /** The shares, already planned and their host dirs made (the test tree's limactl stand-in: Lima's locations); default: planLimaShares under the instance dir. */
  shares?: readonly ShareSetup[]
  accel: AccelChoice
  cpus: number
  memoryMiB: number
  /** QEMU's uid and gid when we are root (-runas); ignored otherwise. */
  uid: number
  gid: number
  sshPort?: number
  bootTimeoutMs: number
  kernelDeb?: string
  /** Give every share a sibling on one small dir (see SiblingSetup). */
  siblings?: boolean
  log: (line: string) => void
  /** Takes the booted guest's ssh connection instead of closing it. */
  handOver?: (ssh: SshConnection) => void
}

const mountStateFields = {
  tag: z.string(),
  hostDir: z.string(),
  mountPoint: z.string(),
  mounted: z.boolean(),
  mountError: z.string().optional(),
  mountinfo: z.custom<MountInfo>().optional(),
}
const shareStateSchema = z.object({
  config: z.custom<ShareConfig>((v) => typeof v === 'object' && v !== null && 'name' in v),
  ...mountStateFields,
  sibling: z.object(mountStateFields).optional(),
})
export type ShareState = z.infer<typeof shareStateSchema>

const stateSchema = z.object({
  version: z.literal(1),
  name: z.string(),
  instanceDir: z.string(),
  sshPort: z.number(),
  clientKeyPath: z.string(),
  hostPublicKey: z.string(),
  qemu: z.object({ binary: z.string(), version: z.string(), pid: z.number(), argv: z.array(z.string()), uid: z.number(), gid: z.number() }),
  accel: z.object({ accel: z.enum(['kvm', 'tcg']), reason: z.string() }),
  virtiofsd: z.object({ binary: z.string(), flavour: z.enum(['rust', 'c']), pids: z.array(z.number()), argvs: z.array(z.array(z.string())) }).optional(),
  kernel: z.object({ id: z.string(), image: z.string(), initrd: z.string() }),
  guest: z.object({ kernel: z.string() }).optional(),
  /** The guest user with QEMU's uid (Lima's user): reverse-sshfs logs in as it. */
  guestUser: z.string().optional(),
  /** What the host agent runs for this boot (host-agent.ts): reverse-sshfs pipelines, the mountInotify daemon. */
  hostAgent: z.object({ reverseSshfs: z.array(z.number()), mountInotify: z.number().optional() }).optional(),
  shares: z.array(shareStateSchema),
  bootedAt: z.string(),
  bootSeconds: z.number().optional(),
  siblingFs: z.custom<SiblingFs>().optional(),
})
export type TestbedState = z.infer<typeof stateSchema>

const stateFile = (instanceDir: string) => join(instanceDir, 'state.json')

export function readState(instanceDir: string): TestbedState | undefined {
  const file = stateFile(instanceDir)
  if (!existsSync(file)) return undefined
  const parsed = stateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
  if (!parsed.success) throw new InfraError(`${file} is not a testbed state file (${parsed.error.issues[0]?.message})`, { hint: `remove ${file}` })
  return parsed.data
}

function writeState(state: TestbedState): void {
  writeFileSync(stateFile(state.instanceDir), `${JSON.stringify(state, null, 2)}\n`)
}

export function isRunning(state: TestbedState): boolean {
  return isAlive(state.qemu.pid)
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer()
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new InfraError(`ssh port ${port} on 127.0.0.1 is in use (${err.code})`, { hint: 'pick another with --ssh-port, or leave --ssh-port out to get a free one' })),
    )
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()))
  })
}

async function qemuVersion(): Promise<string> {
  const result = await run(QEMU_BINARY, ['--version'], { timeoutMs: 10_000 })
  if (result.failed) {
    throw new InfraError(`${QEMU_BINARY} not found or not runnable${result.stderr.trim() ? `: ${tail(result.stderr, 1)}` : ''}`, {
      hint: 'apt-get install qemu-system-x86 (see README)',
    })
  }
  return qemuVersionOf(result.stdout)
}

function consoleTail(instanceDir: string, lines = 15): string {
  const log = testbedPaths(instanceDir).consoleLog
  const text = existsSync(log) ? tail(readFileSync(log, 'utf8'), lines) : ''
  // The kernel boots with `quiet`: until /init logs, an empty log is the usual early state.
  return text.trim() ? text : '(empty: the guest had printed nothing on its serial console yet)'
}

/** The one dir every sibling share lives on. */
const siblingDirOf = (instanceDir: string) => join(instanceDir, 'sibling')

/** Kills what an instance started and removes its dir; safe to call on a half-started one. */
async function teardown(instanceDir: string, pids: readonly number[]): Promise<void> {
  await stopAll(pids)
  await removeSiblingFs(siblingDirOf(instanceDir))
  await removeHostTree(instanceDir)
}

function qemuPidFromFile(instanceDir: string): number | undefined {
  const file = testbedPaths(instanceDir).pidFile
  if (!existsSync(file)) return undefined
  const pid = Number(readFileSync(file, 'utf8').trim())
  return Number.isInteger(pid) && pid > 0 ? pid : undefined
}

export function sshTarget(state: TestbedState) {
  return { host: '127.0.0.1', port: state.sshPort, username: 'root', privateKey: readFileSync(state.clientKeyPath), hostKey: state.hostPublicKey }
}

export async function connect(state: TestbedState): Promise<SshConnection> {
  if (!isRunning(state)) throw new InfraError(`testbed ${state.name} is not running`, { hint: 'start it with `limafs testbed up`' })
  return SshConnection.connect(sshTarget(state))
}

/** Starts virtiofsd (one per virtiofs share) and QEMU, waits for ssh, mounts the shares. */
/** Boot options; `handOver` takes the ssh connection the boot opened instead of closing it (a handshake costs ~0.7 s under TCG). */
interface BootOptions {
  bootTimeoutMs: number
  log: (line: string) => void
  handOver?: (ssh: SshConnection) => void
}

async function boot(state: TestbedState, options: BootOptions): Promise<TestbedState> {
  const { log } = options
  const started = Date.now()
  const pids: number[] = []
  try {
    if (state.virtiofsd) {
      state.virtiofsd.pids = []
      for (const argv of state.virtiofsd.argvs) {
        const socket = argv.find((a) => a.includes('.sock'))!.replace(/^--socket-path=/, '')
        rmSync(socket, { force: true })
        const pid = await startVirtiofsd(state.virtiofsd.binary, argv, socket, join(state.instanceDir, 'virtiofsd.log'))
        pids.push(pid)
        state.virtiofsd.pids.push(pid)
      }
    }
    const paths = testbedPaths(state.instanceDir)
    rmSync(paths.consoleLog, { force: true })
    rmSync(paths.pidFile, { force: true })
    const result = await run(state.qemu.binary, state.qemu.argv, { timeoutMs: 60_000 })
    const qemuPid = qemuPidFromFile(state.instanceDir)
    if (qemuPid) pids.push(qemuPid)
    if (result.failed || !qemuPid) {
      const stderr = result.stderr.trim()
      if (/host forwarding rule/i.test(stderr)) {
        throw new InfraError(`ssh port ${state.sshPort} on 127.0.0.1 is in use: QEMU could not forward it`, { hint: 'pick another with --ssh-port, or leave it out to get a free one' })
      }
      throw new InfraError(`QEMU did not start: ${tail(stderr || result.stdout || `exit ${result.exitCode}`, 3)}`, { hint: `the command is in ${stateFile(state.instanceDir)}` })
    }
    state.qemu.pid = qemuPid
    state.bootedAt = new Date().toISOString()
    writeState(state)
    log(`QEMU started (pid ${qemuPid}, ${state.accel.accel}); waiting for ssh on 127.0.0.1:${state.sshPort}`)
    let ssh: SshConnection
    try {
      ssh = await waitForSsh(sshTarget(state), started + options.bootTimeoutMs, () => isAlive(qemuPid))
    } catch (err) {
      const alive = isAlive(qemuPid)
      const why = alive ? `the guest did not answer ssh within ${options.bootTimeoutMs / 1000} s` : 'the guest stopped before ssh answered'
      const advice = alive ? 'raise --boot-timeout (a TCG boot takes ~10 s)' : 'the guest kernel or its /init failed'
      throw new InfraError(why, { hint: `${advice}; the guest's console log (removed with the run dir) ended with:\n${consoleTail(state.instanceDir)}`, cause: err })
    }
    try {
      const siblingCount = state.shares.filter((s) => s.sibling).length
      log(`ssh up after ${((Date.now() - started) / 1000).toFixed(1)} s; mounting ${state.shares.length} shares${siblingCount ? ` and ${siblingCount} siblings` : ''}`)
      await mountShares(ssh, state)
      await startHostAgent(ssh, state, log)
    } catch (err) {
      ssh.close()
      throw err
    }
    if (options.handOver) options.handOver(ssh)
    else ssh.close()
    state.bootSeconds = (Date.now() - started) / 1000
    writeState(state)
    const failed = state.shares.filter((s) => !s.mounted)
    const siblings = state.shares.flatMap((s) => (s.sibling ? [s.sibling] : []))
    const siblingsText = siblings.length ? `, ${siblings.filter((s) => s.mounted).length}/${siblings.length} siblings` : ''
    log(`ready in ${state.bootSeconds.toFixed(1)} s: ${state.shares.length - failed.length}/${state.shares.length} shares mounted${siblingsText}${failed.length ? ` (failed: ${failed.map((s) => s.config.name).join(', ')})` : ''}`)
    return state
  } catch (err) {
    await stopHostAgent(state)
    await stopAll(pids)
    throw err
  }
}

/** Writes the guest's fstab, mounts every share, and keeps each one's outcome and mountinfo. */
async function mountShares(ssh: SshConnection, state: TestbedState): Promise<void> {
  // Siblings are mounted like the shares: an fstab line each, with their configuration's settings.
  // As Lima's cloud-init: only 9p and virtiofs are in fstab; the host agent mounts reverse-sshfs (host-agent.ts).
  const fstab = state.shares.filter((s) => s.config.mountType !== 'reverse-sshfs')
  const mounts = [...fstab, ...fstab.flatMap((s) => (s.sibling ? [{ ...s.sibling, config: s.config }] : []))]
  const result = await ssh.exec('sh -s', { stdin: mountScript(mounts), timeoutMs: 120_000 })
  const { outcomes, guestKernel } = parseMountOutput(result.stdout, mounts)
  state.guest = { kernel: guestKernel }
  for (const mount of fstab.flatMap((s) => (s.sibling ? [s, s.sibling] : [s]))) {
    const outcome = outcomes.get(mount.mountPoint)!
    mount.mounted = !!outcome.mountinfo
    mount.mountinfo = outcome.mountinfo
    mount.mountError = outcome.error
  }
}

export async function up(options: UpOptions): Promise<TestbedState> {
  const { log, instanceDir } = options
  const started = Date.now()
  const existing = readState(instanceDir)
  if (existing && isRunning(existing)) {
    throw new UsageError(`testbed ${options.name} already runs (QEMU pid ${existing.qemu.pid}, ssh port ${existing.sshPort})`)
  }
  if (existing) {
    log(`cleaning up a testbed ${options.name} that is no longer running`)
    await teardown(instanceDir, existing.virtiofsd?.pids ?? [])
  }
  const version = await qemuVersion()
  if (options.sshPort) await assertPortFree(options.sshPort)
  mkdirSync(options.cacheDir, { recursive: true })
  const kernel = await resolveKernel({ cacheDir: options.cacheDir, ...(options.kernelDeb ? { kernelDeb: options.kernelDeb } : {}), log })
  const keys = await ensureKeys(options.cacheDir)
  const initramfs = await ensureInitramfs(options.cacheDir, kernel, keys, log)
  const accel = await decideAccel({
    choice: options.accel, qemu: QEMU_BINARY, qemuVersion: version, kernelId: kernel.id,
    kernelImage: kernel.vmlinux ?? kernel.vmlinuz, initrd: initramfs.path, cacheDir: options.cacheDir, hostKernel: release(),
  })
  log(`prepared in ${((Date.now() - started) / 1000).toFixed(1)} s: kernel ${kernel.id}, accel ${accel.accel} (${accel.reason})`)

  const isRoot = process.getuid?.() === 0
  const uid = isRoot ? options.uid : process.getuid!()
  const gid = isRoot ? options.gid : process.getgid!()
  const virtiofsConfigs = options.configs.filter((c) => c.mountType === 'virtiofs')
  const virtiofsd = virtiofsConfigs.length ? await findVirtiofsd() : undefined
  if (virtiofsConfigs.length && !virtiofsd) throw new InfraError('virtiofs shares asked for, but no virtiofsd found', { hint: 'apt-get install qemu-system-common, or leave virtiofs out of the matrix' })
  if (virtiofsd?.flavour === 'c' && !isRoot) throw new InfraError(`${virtiofsd.binary} (QEMU's C virtiofsd) must run as root`, { hint: 'run as root, or leave virtiofs out of the matrix' })

  try {
    // The instance dir must be traversable by QEMU's user: its shares live inside.
    mkdirSync(join(instanceDir, 'shares'), { recursive: true, mode: 0o755 })
    const planned = options.shares ? [...options.shares] : planLimaShares(join(instanceDir, 'shares'), options.configs)
    for (const share of options.shares ? [] : planned) {
      mkdirSync(share.hostDir, { mode: 0o755 })
      if (isRoot) chownSync(share.hostDir, uid, gid)
    }
    const shares = options.siblings ? withSiblings(planned, siblingDirOf(instanceDir)) : planned
    const siblingFs = options.siblings ? await makeSiblingDir(siblingDirOf(instanceDir), { uid, gid }) : undefined
    if (siblingFs) log(`sibling shares on ${siblingFs.kind === 'tmpfs' ? `a ${siblingFs.sizeMiB} MiB tmpfs` : `a plain dir (${siblingFs.why})`}`)
    const sshPort = options.sshPort ?? (await freePort())
    const virtiofsArgvs = virtiofsd
      ? [
          ...shares.flatMap((share, index) => (share.config.mountType === 'virtiofs' ? [virtiofsdArgs(virtiofsd.flavour, virtiofsSocketPath(instanceDir, index), share.hostDir)] : [])),
          ...siblingVirtiofsDaemons(shares, instanceDir).map((d) => virtiofsdArgs(virtiofsd.flavour, d.socket, d.dir)),
        ]
      : []
    const argv = qemuCommand({
      name: `limafs-${options.name}`, instanceDir, accel: accel.accel, cpus: options.cpus, memoryMiB: options.memoryMiB,
      kernelImage: kernel.vmlinux ?? kernel.vmlinuz, initrd: initramfs.path, sshPort, shares,
      kernelParams: [`limafs.uid=${uid}`, `limafs.gid=${gid}`, `limafs.user=${guestUserName(uid)}`],
      ...(isRoot ? { runAs: `${uid}:${gid}` } : {}),
    })
    const state: TestbedState = {
      version: 1, name: options.name, instanceDir, sshPort,
      clientKeyPath: join(options.cacheDir, 'keys', 'client_ed25519'), hostPublicKey: keys.hostPublicKey,
      qemu: { binary: QEMU_BINARY, version, pid: 0, argv, uid, gid },
      accel,
      ...(virtiofsd ? { virtiofsd: { ...virtiofsd, pids: [], argvs: virtiofsArgvs } } : {}),
      kernel: { id: kernel.id, image: kernel.vmlinux ?? kernel.vmlinuz, initrd: initramfs.path },
      shares: shares.map(({ sibling, ...s }) => ({ ...s, mounted: false, ...(sibling ? { sibling: { ...sibling, mounted: false } } : {}) })),
      bootedAt: new Date().toISOString(),
      guestUser: guestUserName(uid),
      ...(siblingFs ? { siblingFs } : {}),
    }
    writeState(state)
    return await boot(state, options)
  } catch (err) {
    const half = readState(instanceDir)
    if (half) await stopHostAgent(half)
    await teardown(instanceDir, [qemuPidFromFile(instanceDir), ...(half?.virtiofsd?.pids ?? [])].filter((p): p is number => !!p))
    throw err
  }
}

/** The guest user's name: the host's name for that uid when there is one (as in Lima). */
function guestUserName(uid: number): string {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === String(uid))
  return line?.split(':')[0] ?? 'limafs'
}

/**
 * Stops the guest the way a shutdown would: sync, unmount the shares, power off. With discard
 * (the guest and its host dirs are thrown away next, nothing need be written back) QEMU is just ended.
 */
async function stopGuest(state: TestbedState, log: (line: string) => void, discard = false): Promise<void> {
  if (isRunning(state)) {
    if (discard) signal(state.qemu.pid, 'SIGTERM')
    else {
      try {
        const ssh = await SshConnection.connect(sshTarget(state), 3_000)
        try {
          const mountPoints = state.shares.filter((s) => s.mounted).map((s) => shellQuote(s.mountPoint)).join(' ')
          // As a shutdown does: write back, unmount the shares; waited for, so nothing is cut off.
          await ssh.exec(`sync; umount ${mountPoints} 2>/dev/null; sync`, { timeoutMs: 60_000 }).catch(() => {})
          await stopHostAgent(state)
          // poweroff -f ends the connection: started in its own session, so closing ours can't stop it.
          void ssh.exec(`${GUEST_STATE_DIR}/busybox setsid ${GUEST_STATE_DIR}/busybox poweroff -f`).catch(() => {})
          await waitForExit(state.qemu.pid, 10_000)
        } finally {
          ssh.close()
        }
      } catch {
        log('the guest does not answer ssh; stopping QEMU')
        signal(state.qemu.pid, 'SIGTERM')
      }
    }
    await waitForExit(state.qemu.pid, 10_000)
  }
  await stopHostAgent(state)
  await stopAll(state.virtiofsd?.pids ?? [])
}

/** Powers the guest off, keeping its run dir, shares and host dirs (sibling tmpfs included) for `start`. */
export async function stop(instanceDir: string, log: (line: string) => void): Promise<TestbedState> {
  const state = requireState(instanceDir)
  await stopGuest(state, log)
  for (const share of state.shares) {
    share.mounted = false
    if (share.sibling) share.sibling.mounted = false
  }
  writeState(state)
  return state
}

/** Boots a stopped testbed again: the same shares on the same host dirs. */
export async function start(instanceDir: string, options: BootOptions): Promise<TestbedState> {
  const state = requireState(instanceDir)
  if (isRunning(state)) throw new UsageError(`testbed ${state.name} already runs (QEMU pid ${state.qemu.pid})`)
  return boot(state, options)
}

/** Powers the guest off and boots it again with the same shares and host dirs. */
export async function restart(instanceDir: string, options: BootOptions): Promise<TestbedState> {
  const started = Date.now()
  await stop(instanceDir, options.log)
  options.log(`guest stopped in ${((Date.now() - started) / 1000).toFixed(1)} s; booting again`)
  return start(instanceDir, options)
}

export async function down(instanceDir: string, log: (line: string) => void, options: { discard?: boolean } = {}): Promise<boolean> {
  const state = readState(instanceDir)
  if (!state) {
    if (existsSync(instanceDir)) await removeHostTree(instanceDir)
    return false
  }
  await stopGuest(state, log, options.discard)
  await removeSiblingFs(siblingDirOf(instanceDir))
  await removeHostTree(instanceDir)
  return true
}

function requireState(instanceDir: string): TestbedState {
  const state = readState(instanceDir)
  if (!state) throw new UsageError(`no testbed in ${instanceDir}`, { cause: undefined })
  return state
}

/** Unmounts one share in the guest and mounts it again from its fstab line. */
export async function remount(instanceDir: string, configName: string): Promise<ShareState> {
  const state = requireState(instanceDir)
  const share = state.shares.find((s) => s.config.name === configName)
  if (!share) throw new UsageError(`no share named ${configName}; shares: ${state.shares.map((s) => s.config.name).join(', ')}`)
  if (share.config.mountType === 'reverse-sshfs') throw new UsageError(`${configName} is reverse-sshfs: the host drives that mount (sshfs -o slave over ssh); restart the testbed to mount it again`)
  const ssh = await connect(state)
  try {
    const mp = shellQuote(share.mountPoint)
    const result = await ssh.exec(`umount ${mp} 2>&1; mount ${mp} 2>&1`, { timeoutMs: 60_000 })
    if (result.code !== 0) throw new InfraError(`remount of ${configName} failed: ${result.stdout.trim()}`)
    const info = mountOf(parseMountinfo((await ssh.exec('cat /proc/self/mountinfo')).stdout), share.mountPoint)
    share.mountinfo = info
    writeState(state)
    return share
  } finally {
    ssh.close()
  }
}
