// The built-in testbed as a backend for `limafs run`: one instance per run, named after it.
import { hostname } from 'node:os'
import type { Backend, BootedShare, BootOptions, Guest } from '../backend.ts'
import { mountinfoLine } from '../guest-facts.ts'
import { removeHostTree } from '../remove-tree.ts'
import type { SshConnection } from '../ssh.ts'
import type { ShareConfig } from '../types.ts'
import type { AccelChoice } from './accel.ts'
import { connect, down, isRunning, restart, up, type TestbedState } from './instance.ts'

export interface TestbedBackendOptions {
  name: string
  instanceDir: string
  cacheDir: string
  accel: AccelChoice
  cpus: number
  memoryMiB: number
  uid: number
  gid: number
  bootTimeoutMs: number
  kernelDeb?: string
}

/** A share's or a sibling's mount as the run sees it. */
function mountState(m: Pick<TestbedState['shares'][number], 'tag' | 'hostDir' | 'mountPoint' | 'mounted' | 'mountError' | 'mountinfo'>) {
  return {
    tag: m.tag, hostDir: m.hostDir, mountPoint: m.mountPoint, mounted: m.mounted,
    ...(m.mountError ? { mountError: m.mountError } : {}),
    ...(m.mountinfo ? { mountinfo: mountinfoLine(m.mountinfo) } : {}),
  }
}

function bootedShares(state: TestbedState): BootedShare[] {
  return state.shares.map((s) => ({ config: s.config, ...mountState(s), ...(s.sibling ? { sibling: mountState(s.sibling) } : {}) }))
}

class TestbedGuest implements Guest {
  shares: BootedShare[]
  readonly loginUser = 'root'
  /** The instance dir, share dirs included, is removed at `down`. */
  readonly disposableShares = true

  /** The connection the boot opened, handed over for the first connect() after each boot. */
  private booted?: SshConnection

  constructor(
    private state: TestbedState,
    private readonly options: TestbedBackendOptions,
    booted?: SshConnection,
  ) {
    this.shares = bootedShares(state)
    this.booted = booted
  }

  connect(): Promise<SshConnection> {
    const ssh = this.booted
    this.booted = undefined
    return ssh?.isOpen ? Promise.resolve(ssh) : connect(this.state)
  }

  isAlive(): boolean {
    return isRunning(this.state)
  }

  async restart(log: (line: string) => void): Promise<void> {
    this.state = await restart(this.options.instanceDir, { bootTimeoutMs: this.options.bootTimeoutMs, log, handOver: (ssh) => (this.booted = ssh) })
    this.shares = bootedShares(this.state)
  }

  async stop(log: (line: string) => void): Promise<void> {
    this.booted?.close()
    // The run is over and its testbed goes, host dirs and all: no shutdown to wait for.
    await down(this.options.instanceDir, log, { discard: true })
    await removeHostTree(this.options.instanceDir)
  }

  environment(): Record<string, unknown> {
    return {
      backend: 'testbed',
      host: hostname(),
      qemuVersion: this.state.qemu.version,
      qemuUid: this.state.qemu.uid,
      qemuGid: this.state.qemu.gid,
      accelerator: this.state.accel.accel,
      guestCpus: this.options.cpus,
      acceleratorReason: this.state.accel.reason,
      guestKernel: this.state.guest?.kernel,
      guestKernelPackage: this.state.kernel.id,
      virtiofsd: this.state.virtiofsd ? `${this.state.virtiofsd.binary} (${this.state.virtiofsd.flavour})` : undefined,
      bootSeconds: this.state.bootSeconds,
      siblingFs: this.state.siblingFs,
    }
  }
}

export class TestbedBackend implements Backend {
  readonly name = 'testbed'

  constructor(private readonly options: TestbedBackendOptions) {}

  async boot(configs: readonly ShareConfig[], log: (line: string) => void, options: BootOptions = {}): Promise<Guest> {
    let booted: SshConnection | undefined
    const state = await up({ ...this.options, configs, log, handOver: (ssh) => (booted = ssh), siblings: !!options.siblings })
    return new TestbedGuest(state, this.options, booted)
  }
}
