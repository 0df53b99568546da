// A Lima instance as the orchestrator's Guest: reached over ssh with what Lima writes (ssh.config:
// Hostname, Port, User, IdentityFile), the agent run through `sudo -n` as the Lima user,
// restarted with `limactl stop` + `limactl start`, and removed with `limactl delete -f` unless
// it is the user's own instance (--instance), which is left as it was.
import { existsSync, readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import type { BootedShare, Guest } from '../backend.ts'
import { InfraError } from '../errors.ts'
import { guestFactsScript, parseGuestFacts, sharesFromMountinfo, type GuestFacts } from '../guest-facts.ts'
import { isAlive as processAlive, run } from '../process.ts'
import { qemuVersionOf } from '../qemu-version.ts'
import { removeHostTree } from '../remove-tree.ts'
import { shellQuote } from '../shell-quote.ts'
import { SshConnection, type SshTarget } from '../ssh.ts'
import { FS_TYPE_OF } from '../lima-compat/fs-type.ts'
import type { MountType, ShareSetup } from '../types.ts'
import { driftReason, filledShareConfig, type Drift } from './config-drift.ts'
import { NODE_SOURCE_FILE } from './guest-node.ts'
import { hasPasswordlessSudoSetting, type LimaVersion } from './lima-version.ts'
import type { Limactl } from './limactl.ts'
import type { LimaInstance } from './list-json.ts'
import { parseSshConfig } from './ssh-config.ts'

/** How the guest's node is described when nothing installed it. */
const OWN_NODE = "the guest's own"

export interface LimaGuestOptions {
  limactl: Limactl
  limaVersion: string
  version: LimaVersion | undefined
  instance: LimaInstance
  /** The instance's mount type (2.x may list none: resolved from vmType and the guest's mountinfo). */
  mountType: MountType
  shares: ShareSetup[]
  /** Planned settings Lima's filled config has otherwise (instances this run made); accepted or refused. */
  drift?: { list: Drift[]; accept: boolean }
  /** More facts for environment.json (Lima's info, _config files, how the mount type was known). */
  facts?: Record<string, unknown>
  /** Made by this run: deleted at the end, with `removeOnStop`. False for --instance. */
  owned: boolean
  /** Host dirs to remove with the instance (the share dirs this run made). */
  removeOnStop?: string
}

/** Reads Lima's ssh.config into a connection target (Lima's own StrictHostKeyChecking=no: no pinned key). */
export function limaSshTarget(instance: LimaInstance): SshTarget {
  const file = instance.sshConfigFile || join(instance.dir, 'ssh.config')
  if (!existsSync(file)) throw new InfraError(`instance ${instance.name} has no ${file}`, { hint: `is it running? limactl start ${instance.name}` })
  const entry = parseSshConfig(readFileSync(file, 'utf8'), file)
  const key = entry.identityFiles.find((f) => existsSync(f))
  if (!key) throw new InfraError(`none of the IdentityFiles in ${file} exists: ${entry.identityFiles.join(', ')}`)
  return { host: entry.hostname, port: entry.port, username: entry.user, privateKey: readFileSync(key) }
}

export class LimaGuest implements Guest {
  shares: BootedShare[] = []
  private facts?: GuestFacts
  private instance: LimaInstance
  private qemuVersion?: string

  constructor(private readonly o: LimaGuestOptions) {
    this.instance = o.instance
  }

  /** The login user's `node --version` in the guest, as last read (undefined: none). */
  get guestNode(): string | undefined {
    return this.facts?.node
  }

  /** Instances this run made get fresh share dirs, removed with them; a user's own are theirs. */
  get disposableShares(): boolean {
    return this.o.owned && !!this.o.removeOnStop
  }

  get loginUser(): string {
    return limaSshTarget(this.instance).username
  }

  connect(): Promise<SshConnection> {
    return SshConnection.connect(limaSshTarget(this.instance), 30_000)
  }

  isAlive(): boolean {
    const pids = [this.instance.hostAgentPID, this.instance.driverPID].filter((p): p is number => !!p && p > 0)
    return pids.length > 0 && pids.every(processAlive)
  }

  /** Reads the instance again (list --json) and the guest's facts and mounts (ssh). */
  async refresh(log: (line: string) => void): Promise<void> {
    const fresh = await this.o.limactl.get(this.instance.name)
    if (!fresh) throw new InfraError(`instance ${this.instance.name} is gone from limactl list`)
    if (fresh.status !== 'Running') {
      throw new InfraError(`instance ${fresh.name} is ${fresh.status || 'in an unknown state'}${fresh.errors?.length ? `: ${fresh.errors.join('; ')}` : ''}`, { hint: `limactl start ${fresh.name}` })
    }
    this.instance = fresh
    /** Why a share is not mounted, from mount itself (instances this run made). */
    const reasons = new Map<string, string>()
    const ssh = await this.connect()
    try {
      const result = await ssh.exec('sh -s', { stdin: guestFactsScript(NODE_SOURCE_FILE), timeoutMs: 60_000 })
      if (result.code !== 0) throw new InfraError(`reading the guest's facts failed (exit ${result.code}): ${result.stderr.trim()}`)
      this.facts = parseGuestFacts(result.stdout)
      const fsType = FS_TYPE_OF[this.o.mountType]
      for (const share of this.o.shares) {
        if (this.facts.mountinfo.some((m) => m.mountPoint === share.mountPoint)) continue
        // An instance we made: ask mount itself why (Lima's fstab line is there, with nofail; the
        // host agent mounts reverse-sshfs, and says why not in ha.stderr.log).
        if (this.o.owned && this.o.mountType !== 'reverse-sshfs') {
          const again = await ssh.exec(`sudo -n mount ${shellQuote(share.mountPoint)} 2>&1`, { timeoutMs: 60_000 })
          reasons.set(share.config.name, `not mounted after boot (Lima mounts it from /etc/fstab with nofail); mount says: ${again.stdout.trim() || `exit ${again.code}`}`)
        }
      }
      if (reasons.size) this.facts.mountinfo = parseGuestFacts((await ssh.exec('sh -s', { stdin: guestFactsScript(NODE_SOURCE_FILE), timeoutMs: 60_000 })).stdout).mountinfo
      this.shares = sharesFromMountinfo(this.o.shares, this.facts.mountinfo, {
        fsType: () => fsType,
        notMounted: (s) => reasons.get(s.config.name) ?? `nothing is mounted at ${s.mountPoint} in the guest`,
      }).map((share) => this.withDrift(share))
    } finally {
      ssh.close()
    }
    if (this.instance.vmType === 'qemu' && this.qemuVersion === undefined) this.qemuVersion = await hostQemuVersion(this.instance.arch)
    for (const s of this.shares.filter((x) => x.mounted && reasons.has(x.config.name))) log(`${s.config.name}: not mounted when Lima said ready; \`mount ${s.mountPoint}\` mounted it afterwards`)
    const mounted = this.shares.filter((s) => s.mounted).length
    log(`instance ${this.instance.name}: ${this.instance.vmType}, ${this.o.mountType}, kernel ${this.facts.kernel}, ${mounted}/${this.shares.length} shares mounted`)
  }

  /** A share whose planned settings Lima changed: refused with the reason, or tested as Lima filled it in (--accept-overrides). */
  private withDrift(share: BootedShare): BootedShare {
    const reason = this.o.drift && driftReason(this.o.drift.list, share.config.name)
    if (!reason) return share
    if (!this.o.drift!.accept) return { ...share, refused: reason }
    const mount = (this.instance.config?.mounts ?? []).find((m) => (m.mountPoint || m.location) === share.mountPoint)
    return { ...share, config: filledShareConfig(share.config, mount, this.instance.config) }
  }

  /** `sudo -n true` as the login user: the agent runs through it (Lima 2.2's user.passwordlessSudo: false makes it fail). */
  async checkSudo(): Promise<void> {
    const ssh = await this.connect()
    try {
      const r = await ssh.exec('sudo -n true', { timeoutMs: 60_000 })
      if (r.code === 0) return
      const user = this.loginUser
      throw new InfraError(`\`sudo -n true\` fails as ${user} in instance ${this.instance.name} (${r.stderr.trim().split('\n')[0] || `exit ${r.code}`}): the limafs agent runs as root through sudo -n (chown to other users, drop_caches, remount)`, {
        hint: this.instance.config?.user?.passwordlessSudo === false
          ? `the instance has user.passwordlessSudo: false (its lima.yaml or ~/.lima/_config); set it to true (limactl edit ${this.instance.name} --set '.user.passwordlessSudo = true', then restart it) or let limafs make its own instance`
          : hasPasswordlessSudoSetting(this.o.version)
            ? `check user.passwordlessSudo of the instance (Lima ${this.o.limaVersion}), or give ${user} passwordless sudo in the guest`
            : `give ${user} passwordless sudo in the guest, or let limafs make its own instance`,
      })
    } finally {
      ssh.close()
    }
  }

  async restart(log: (line: string) => void): Promise<void> {
    const started = Date.now()
    log(`limactl stop ${this.instance.name}`)
    await this.o.limactl.stop(this.instance.name)
    log(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s; limactl start ${this.instance.name}`)
    await this.o.limactl.start(this.instance.name, { limaVersion: this.o.version })
    await this.refresh(log)
  }

  async stop(log: (line: string) => void): Promise<void> {
    if (!this.o.owned) {
      log(`leaving instance ${this.instance.name} as it was (not made by this run)`)
      return
    }
    log(`limactl delete -f ${this.instance.name}`)
    try {
      await this.o.limactl.delete(this.instance.name)
    } finally {
      if (this.o.removeOnStop) await removeHostTree(this.o.removeOnStop)
    }
  }

  environment(): Record<string, unknown> {
    const i = this.instance
    return {
      backend: 'lima',
      host: hostname(),
      limaVersion: this.o.limaVersion,
      limaInstance: i.name,
      limaInstanceMadeByRun: this.o.owned,
      vmType: i.vmType,
      mountType: this.o.mountType,
      arch: i.arch,
      cpus: i.cpus,
      memoryBytes: i.memory,
      ...(this.qemuVersion ? { qemuVersion: this.qemuVersion } : {}),
      guestKernel: this.facts?.kernel,
      guestNodeSource: this.facts?.nodeSource ?? OWN_NODE,
      guestUser: this.loginUser,
      limaConfig: i.config,
      ...(this.o.drift ? { limaConfigDrift: this.o.drift.list, limaOverridesAccepted: this.o.drift.accept } : {}),
      ...this.o.facts,
    }
  }
}

/** The QEMU Lima runs for this arch (the same binary on PATH, unless QEMU_SYSTEM_* says otherwise). */
async function hostQemuVersion(arch: string): Promise<string> {
  const result = await run(`qemu-system-${arch}`, ['--version'], { timeoutMs: 10_000 })
  return result.failed ? 'unknown' : qemuVersionOf(result.stdout)
}

/** The guest's facts (kernel, node, mountinfo) over ssh, before a run decides its configurations (--instance). */
export async function readGuestFacts(instance: LimaInstance): Promise<GuestFacts> {
  const ssh = await SshConnection.connect(limaSshTarget(instance), 30_000)
  try {
    const result = await ssh.exec('sh -s', { stdin: guestFactsScript(NODE_SOURCE_FILE), timeoutMs: 60_000 })
    if (result.code !== 0) throw new InfraError(`reading the guest's facts failed (exit ${result.code}): ${result.stderr.trim()}`)
    return parseGuestFacts(result.stdout)
  } finally {
    ssh.close()
  }
}
