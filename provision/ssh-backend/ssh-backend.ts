// Any VM reachable over ssh as a backend: its shares are already mounted (`--mount GUESTPATH`,
// with `=HOSTPATH` when this machine can reach the host side). limafs starts nothing and stops
// nothing: there is no restart phase, and a share without a host dir gets its host-side checks
// skipped with the reason. Configurations are named after the guest paths and described by what
// the guest's mountinfo says (read once before the run, by describe()).
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { mountOf, optionMap, type MountInfo } from '../../agent/mountinfo.ts'
import type { Backend, BootedShare, Guest, GuestGroup } from '../backend.ts'
import { InfraError, UsageError } from '../errors.ts'
import { guestFactsScript, mountinfoLine, parseGuestFacts, type GuestFacts } from '../guest-facts.ts'
import { configNamesForPaths } from '../mount-config-name.ts'
import { SshConnection, type SshTarget } from '../ssh.ts'
import type { ShareConfig, ShareSetup } from '../types.ts'
import type { MountSpec, SshDestination } from './ssh-spec.ts'

/** Why host-side checks are skipped on a share given without =HOSTPATH. */
export const NO_HOST_DIR_REASON = 'no host dir for this mount: --mount GUESTPATH was given without =HOSTPATH, so the host side of the share is not looked at'
/** Why an ssh run has no restart phase. */
export const SSH_NO_RESTART_REASON = 'the ssh backend does not restart the VM: limafs did not start it and has no way to start it again (after-restart checks are not run)'

export interface SshBackendOptions {
  destination: SshDestination
  identityFile: string
  mounts: MountSpec[]
  connectTimeoutMs?: number
}

/** A found share's configuration: its mount type and writability, as the guest mounted it. */
export function configForMount(name: string, mount: MountInfo, guestPath: string): ShareConfig {
  if (mount.fsType !== '9p' && mount.fsType !== 'virtiofs') {
    throw new UsageError(`--mount ${guestPath}: it is on a ${mount.fsType} mount (${mount.mountPoint}); limafs compares 9p and virtiofs shares`)
  }
  // The 9p security model is the host's (QEMU's -virtfs): the guest can't see it, so none is claimed
  // here; what the guest can see is in environment.json's mountinfo.
  return { name, mountType: mount.fsType, writable: optionMap(mount.mountOptions).has('rw') }
}

export class SshBackend implements Backend {
  readonly name = 'ssh'
  private shares?: ShareSetup[]

  constructor(private readonly o: SshBackendOptions) {}

  target(): SshTarget {
    let privateKey: Buffer
    try {
      privateKey = readFileSync(this.o.identityFile)
    } catch (err) {
      throw new UsageError(`--identity ${this.o.identityFile}: ${(err as Error).message}`)
    }
    const { user, host, port } = this.o.destination
    return { host, port, username: user, privateKey }
  }

  private async facts(): Promise<GuestFacts> {
    const { user, host, port } = this.o.destination
    let ssh: SshConnection
    try {
      ssh = await SshConnection.connect(this.target(), this.o.connectTimeoutMs ?? 20_000)
    } catch (err) {
      throw new InfraError(`ssh ${user}@${host}:${port} failed: ${(err as Error).message}`, { hint: 'check --ssh and --identity (the key must be in the guest user\'s authorized_keys)', cause: err })
    }
    try {
      const result = await ssh.exec('sh -s', { stdin: guestFactsScript(), timeoutMs: 60_000 })
      if (result.code !== 0) throw new InfraError(`reading the guest's facts over ssh failed (exit ${result.code}): ${result.stderr.trim()}`)
      return parseGuestFacts(result.stdout)
    } finally {
      ssh.close()
    }
  }

  /** Connects once and turns every --mount into a configuration. */
  async describe(): Promise<ShareConfig[]> {
    const facts = await this.facts()
    const names = configNamesForPaths(this.o.mounts.map((m) => m.guestPath))
    this.shares = this.o.mounts.map((spec, i) => {
      const mount = mountOf(facts.mountinfo, spec.guestPath)
      if (!mount || mount.mountPoint === '/') throw new UsageError(`--mount ${spec.guestPath}: no share is mounted there in the guest`)
      return { config: configForMount(names[i]!, mount, spec.guestPath), tag: mount.source, hostDir: spec.hostPath ?? '', mountPoint: spec.guestPath }
    })
    return this.shares.map((s) => s.config)
  }

  /** Shares with a host dir run with the host bridge; the others in a second pass without it. */
  groups(configs: readonly ShareConfig[]): GuestGroup[] {
    const hasHost = (c: ShareConfig) => !!this.shares?.find((s) => s.config.name === c.name)?.hostDir
    const withHost = configs.filter(hasHost)
    const without = configs.filter((c) => !hasHost(c))
    return [
      ...(withHost.length ? [{ label: 'with host dirs', configs: withHost }] : []),
      ...(without.length ? [{ label: 'without host dirs', configs: without, noHostReason: NO_HOST_DIR_REASON }] : []),
    ]
  }

  async boot(configs: readonly ShareConfig[], log: (line: string) => void): Promise<Guest> {
    if (!this.shares) await this.describe()
    const facts = await this.facts()
    // A VM limafs did not set up has no sibling shares.
    const shares: BootedShare[] = this.shares!.filter((s) => configs.some((c) => c.name === s.config.name)).map(({ sibling: _none, ...s }) => {
      const mount = mountOf(facts.mountinfo, s.mountPoint)
      return mount && mount.mountPoint !== '/'
        ? { ...s, mounted: true, mountinfo: mountinfoLine(mount) }
        : { ...s, mounted: false, mountError: `nothing is mounted at ${s.mountPoint} in the guest any more` }
    })
    const { user, host, port } = this.o.destination
    log(`ssh ${user}@${host}:${port}: kernel ${facts.kernel} (${facts.arch}), ${shares.filter((s) => s.mounted).length}/${shares.length} shares mounted`)
    return new SshGuest(this.target(), shares, facts)
  }
}

class SshGuest implements Guest {
  constructor(
    private readonly sshTarget: SshTarget,
    readonly shares: BootedShare[],
    private readonly facts: GuestFacts,
  ) {}

  /** Somebody else's VM and shares: the agent cleans up after itself. */
  readonly disposableShares = false

  get loginUser(): string {
    return this.sshTarget.username
  }

  connect(): Promise<SshConnection> {
    return SshConnection.connect(this.sshTarget, 20_000)
  }

  /** Nothing of ours runs the VM, so nothing to watch: a dropped connection is told apart by ssh itself. */
  isAlive(): boolean {
    return true
  }

  async restart(): Promise<void> {
    throw new InfraError(SSH_NO_RESTART_REASON)
  }

  async stop(log: (line: string) => void): Promise<void> {
    log(`leaving ${this.sshTarget.username}@${this.sshTarget.host}:${this.sshTarget.port} as it was (not started by limafs)`)
  }

  environment(): Record<string, unknown> {
    return {
      backend: 'ssh',
      host: hostname(),
      sshGuest: `${this.sshTarget.username}@${this.sshTarget.host}:${this.sshTarget.port}`,
      guestKernel: this.facts.kernel,
      arch: this.facts.arch,
      restartPhase: SSH_NO_RESTART_REASON,
      hostDirs: Object.fromEntries(this.shares.map((s) => [s.config.name, s.hostDir || NO_HOST_DIR_REASON])),
    }
  }
}
