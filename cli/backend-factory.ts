// Which Backend `limafs run` drives, from --backend (default: the matrix's `backend:`) and that
// backend's own flags: one factory per backend in one table, so nothing else branches on the
// backend's name. Each says whether the run has a restart phase, and why not when it hasn't.
import { join, resolve } from 'node:path'
import type { Backend } from '../provision/backend.ts'
import { UsageError } from '../provision/errors.ts'
import { ramInBytes } from '../provision/lima-compat/ram-in-bytes.ts'
import { ExistingLimaBackend, LimaBackend } from '../provision/lima/lima-backend.ts'
import { parseImageSpec } from '../provision/lima/image-spec.ts'
import { DEFAULT_LIMA_CPUS, DEFAULT_LIMA_MEMORY } from '../provision/lima/lima-yaml.ts'
import { Limactl } from '../provision/lima/limactl.ts'
import { BACKENDS, type Backend as BackendName, type Matrix } from '../provision/matrix/types.ts'
import { SSH_NO_RESTART_REASON, SshBackend } from '../provision/ssh-backend/ssh-backend.ts'
import { parseMountSpec, parseSshDestination } from '../provision/ssh-backend/ssh-spec.ts'
import { DEFAULT_QEMU_UID } from '../provision/testbed/instance.ts'
import { TestbedBackend } from '../provision/testbed/testbed-backend.ts'
import { choiceOption, intOption } from './args.ts'
import type { CliEnvironment } from './environment.ts'
import { instanceDirFor } from './testbed-command.ts'

/** Seconds limactl create + start may take: an image download, then a boot, apt and probes under TCG. */
export const DEFAULT_LIMA_TIMEOUT_S = 1800

/** The run command's values this module reads (parseArgs output). */
export interface BackendFlags {
  backend?: string
  name?: string
  'no-restart'?: boolean
  keep?: boolean
  cpus?: string
  memory?: string
  // testbed
  'cache-dir'?: string
  uid?: string
  gid?: string
  accel?: string
  'boot-timeout'?: string
  'kernel-deb'?: string
  // lima
  image?: string[]
  instance?: string
  'restart-existing'?: boolean
  'lima-timeout'?: string
  'accept-overrides'?: boolean
  // ssh
  ssh?: string
  identity?: string
  mount?: string[]
}

/** Which flags only one backend takes (the rest are shared or general). */
export const OWN_FLAGS: Record<BackendName, ReadonlyArray<keyof BackendFlags>> = {
  testbed: ['cache-dir', 'uid', 'gid', 'accel', 'boot-timeout', 'kernel-deb'],
  lima: ['image', 'instance', 'restart-existing', 'lima-timeout', 'accept-overrides'],
  ssh: ['ssh', 'identity', 'mount'],
}

export interface BackendChoice {
  backend: Backend
  /** The matrix to run: the given one, or its suites and known deviations over the configs the backend found (--instance, ssh). */
  matrix: Matrix
  restart: { enabled: true } | { enabled: false; reason: string }
  /** Said once at the start when the backend, not the matrix, decided the configurations. */
  note?: string
}

interface FactoryInput {
  flags: BackendFlags
  matrix: Matrix
  env: CliEnvironment
  cwd: string
  /** The run's results dir (the Lima backend keeps a failed instance's logs there). */
  outDir: string
  log: (line: string) => void
}

type Factory = (input: FactoryInput) => Promise<BackendChoice>

const restartUnlessNoRestart = (flags: BackendFlags): BackendChoice['restart'] =>
  flags['no-restart'] ? { enabled: false, reason: '--no-restart' } : { enabled: true }

/** --memory: MiB as a number (the testbed's form) or a Lima size string ("2GiB"). */
export function limaMemory(value: string | undefined): string {
  if (value === undefined) return DEFAULT_LIMA_MEMORY
  if (/^\d+$/.test(value)) return `${intOption(value, '--memory', 0, 256)}MiB`
  const bytes = ramInBytes(value)
  if (bytes === undefined || bytes < 256 * 1024 * 1024) throw new UsageError(`--memory: expected MiB (e.g. 2048) or a size of at least 256MiB (e.g. 2GiB), got ${JSON.stringify(value)}`)
  return value
}

const foundNote = (what: string, n: number, matrix: Matrix) =>
  `configurations: ${what} (${n}), named after their guest paths; the matrix gives the suites and known deviations${matrix.file ? ` (${matrix.file})` : ''}, not its ${matrix.configs.length} configs`

const FACTORIES: Record<BackendName, Factory> = {
  async testbed({ flags, matrix, env }) {
    const name = flags.name ?? `run-${process.pid}`
    const uid = intOption(flags.uid, '--uid', DEFAULT_QEMU_UID, 1)
    const backend = new TestbedBackend({
      name,
      instanceDir: instanceDirFor(env, name),
      cacheDir: flags['cache-dir'] ?? env.cacheDir,
      accel: choiceOption(flags.accel, '--accel', ['auto', 'kvm', 'tcg'] as const, 'auto'),
      cpus: intOption(flags.cpus, '--cpus', 2, 1),
      memoryMiB: intOption(flags.memory, '--memory', 1024, 256),
      uid,
      gid: intOption(flags.gid, '--gid', uid, 1),
      bootTimeoutMs: intOption(flags['boot-timeout'], '--boot-timeout', 60, 1) * 1000,
      ...(flags['kernel-deb'] ? { kernelDeb: flags['kernel-deb'] } : {}),
    })
    return { backend, matrix, restart: restartUnlessNoRestart(flags) }
  },

  async lima({ flags, matrix, env, outDir, log }) {
    const limactl = new Limactl({ binary: 'limactl', startTimeoutMs: intOption(flags['lima-timeout'], '--lima-timeout', DEFAULT_LIMA_TIMEOUT_S, 60) * 1000 })
    if (flags.instance) {
      for (const flag of ['image', 'cpus', 'memory', 'name', 'accept-overrides'] as const) {
        if (flags[flag] !== undefined) throw new UsageError(`--${flag} makes no sense with --instance (an existing instance is used as it is)`)
      }
      const backend = new ExistingLimaBackend({ limactl, instance: flags.instance })
      const configs = await backend.describe(log)
      return {
        backend,
        matrix: { ...matrix, configs },
        note: foundNote(`instance ${flags.instance}'s writable mounts`, configs.length, matrix),
        restart: flags['restart-existing'] && !flags['no-restart']
          ? { enabled: true }
          : { enabled: false, reason: `--instance ${flags.instance}: an existing instance is not restarted unless --restart-existing` },
      }
    }
    if (flags['restart-existing']) throw new UsageError('--restart-existing goes with --instance NAME')
    const backend = new LimaBackend({
      limactl,
      namePrefix: flags.name ?? `limafs-run-${process.pid}`,
      sharesRoot: join(env.instancesDir, 'lima'),
      yaml: { image: parseImageSpec(flags.image), cpus: intOption(flags.cpus, '--cpus', DEFAULT_LIMA_CPUS, 1), memory: limaMemory(flags.memory), provisionNode: true },
      keep: !!flags.keep,
      acceptOverrides: !!flags['accept-overrides'],
      logsDir: join(outDir, 'lima-logs'),
    })
    return { backend, matrix, restart: restartUnlessNoRestart(flags) }
  },

  async ssh({ flags, matrix, cwd }) {
    if (!flags.ssh || !flags.identity || !flags.mount?.length) {
      throw new UsageError('the ssh backend needs --ssh USER@HOST[:PORT], --identity KEY and at least one --mount GUESTPATH[=HOSTPATH]')
    }
    for (const flag of ['name', 'cpus', 'memory', 'keep'] as const) {
      if (flags[flag] !== undefined) throw new UsageError(`--${flag} makes no sense with the ssh backend (the VM is used as it is)`)
    }
    const backend = new SshBackend({
      destination: parseSshDestination(flags.ssh),
      identityFile: resolve(cwd, flags.identity),
      mounts: flags.mount.map((m) => parseMountSpec(m, cwd)),
    })
    const configs = await backend.describe()
    return { backend, matrix: { ...matrix, configs }, restart: { enabled: false, reason: SSH_NO_RESTART_REASON }, note: foundNote('the --mount shares', configs.length, matrix) }
  },
}

/** The backend for this run; a flag of another backend is a usage error, not silently ignored. */
export async function chooseBackend(flags: BackendFlags, matrix: Matrix, env: CliEnvironment, o: { cwd?: string; outDir: string; log?: (line: string) => void }): Promise<BackendChoice> {
  const name = choiceOption(flags.backend, '--backend', BACKENDS, matrix.backend)
  for (const [other, own] of Object.entries(OWN_FLAGS) as Array<[BackendName, ReadonlyArray<keyof BackendFlags>]>) {
    if (other === name) continue
    const given = own.filter((f) => flags[f] !== undefined)
    if (given.length) throw new UsageError(`${given.map((f) => `--${f}`).join(', ')}: ${given.length === 1 ? 'a flag' : 'flags'} of the ${other} backend; this run uses the ${name} backend${flags.backend ? '' : ` (the matrix's; choose with --backend ${other})`}`)
  }
  return FACTORIES[name]({ flags, matrix, env, cwd: o.cwd ?? process.cwd(), outDir: o.outDir, log: o.log ?? (() => {}) })
}
