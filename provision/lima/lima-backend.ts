// Lima as a backend for `limafs run`. Two ways:
//  - made by the run: one instance per mount type (all 9p configurations in ONE QEMU instance,
//    the virtiofs ones in ONE VZ instance), each from a lima.yaml limafs writes, with a fresh
//    host dir per configuration; deleted at the end (limactl delete -f) unless --keep;
//  - `--instance NAME`: the user's running instance, on its own writable mounts, left as it was
//    (no create, no delete; restarted only when asked to).
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MIN_GUEST_NODE_MAJOR, nodeMajor } from '../agent-upload.ts'
import type { Backend, Guest, GuestGroup } from '../backend.ts'
import { InfraError, UsageError } from '../errors.ts'
import type { ShareConfig } from '../types.ts'
import { planLimaShares } from '../lima-compat/plan-shares.ts'
import { LIMA_NAME_RE, planInstances } from './instance-plan.ts'
import { LimaGuest } from './lima-guest.ts'
import { limaYaml, type LimaYamlOptions } from './lima-yaml.ts'
import type { Limactl } from './limactl.ts'
import { sharesOfInstance } from './existing-instance.ts'
import type { LimaInstance } from './list-json.ts'

/** What to do when the VZ instance can't be made (any host but macOS; macOS without a hypervisor fails at start). */
const VZ_HINT = 'vmType vz (and with it virtiofs) needs macOS 13.5+ with a hypervisor: leave virtiofs out of the matrix elsewhere, and on GitHub\'s macOS runners (no nested virtualization)'

export interface LimaBackendOptions {
  limactl: Limactl
  /** Instance names are PREFIX-9p, PREFIX-virtiofs. */
  namePrefix: string
  /** Each instance's lima.yaml and share dirs go in SHARES_ROOT/<instance>/ (on disk: user.* xattrs). */
  sharesRoot: string
  yaml: LimaYamlOptions
  /** --keep: a failed start leaves the instance for inspection too. */
  keep: boolean
}

export class LimaBackend implements Backend {
  readonly name = 'lima'

  constructor(private readonly o: LimaBackendOptions) {
    if (!LIMA_NAME_RE.test(`${o.namePrefix}-9p`)) throw new UsageError(`--name ${JSON.stringify(o.namePrefix)}: Lima instance names are letters and digits joined by . _ or -`)
  }

  groups(configs: readonly ShareConfig[]): GuestGroup[] {
    return planInstances(this.o.namePrefix, configs).map((p) => ({ label: p.mountType, configs: p.configs }))
  }

  async boot(configs: readonly ShareConfig[], log: (line: string) => void): Promise<Guest> {
    const { limactl } = this.o
    const plans = planInstances(this.o.namePrefix, configs)
    if (plans.length !== 1) throw new Error(`LimaBackend.boot takes the configs of one mount type (groups() splits them); got ${plans.length} instances`)
    const plan = plans[0]!
    const limaVersion = await limactl.version()
    const existing = await limactl.get(plan.name)
    if (existing) throw new InfraError(`a Lima instance ${plan.name} already exists (${existing.status})`, { hint: `remove it (limactl delete -f ${plan.name}) or pick another --name` })
    const dir = join(this.o.sharesRoot, plan.name)
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(join(dir, 'shares'), { recursive: true })
    // Traversable: the stand-in and root-run setups start QEMU as another user than ours.
    chmodSync(dir, 0o755)
    chmodSync(join(dir, 'shares'), 0o755)
    const shares = planLimaShares(join(dir, 'shares'), plan.configs)
    for (const share of shares) mkdirSync(share.hostDir, { mode: 0o755 })
    const yamlFile = join(dir, 'lima.yaml')
    writeFileSync(yamlFile, limaYaml(plan, shares, this.o.yaml))
    const started = Date.now()
    try {
      log(`Lima ${limaVersion}: limactl create --name=${plan.name} ${yamlFile} (${plan.vmType}, ${plan.mountType}, ${shares.length} shares)`)
      await limactl.create(plan.name, yamlFile, plan.vmType === 'vz' ? VZ_HINT : undefined)
      log(`limactl start ${plan.name} (image download, boot, provision and probes: minutes under TCG)`)
      await limactl.start(plan.name)
      const instance = await this.running(plan.name)
      const guest = new LimaGuest({ limactl, limaVersion, instance, shares, owned: true, removeOnStop: dir })
      await guest.refresh(log)
      log(`instance ${plan.name} up in ${((Date.now() - started) / 1000).toFixed(1)} s`)
      return guest
    } catch (err) {
      if (this.o.keep) {
        log(`--keep: leaving instance ${plan.name} and ${dir} for inspection`)
      } else {
        await limactl.delete(plan.name).catch(() => {}) // it may never have been created
        rmSync(dir, { recursive: true, force: true })
      }
      throw err
    }
  }

  private async running(name: string): Promise<LimaInstance> {
    const instance = await this.o.limactl.get(name)
    if (!instance) throw new InfraError(`limactl start ${name} succeeded but limactl list does not show it`)
    if (instance.status !== 'Running') throw new InfraError(`instance ${name} is ${instance.status} after limactl start${instance.errors?.length ? `: ${instance.errors.join('; ')}` : ''}`)
    return instance
  }
}

export interface ExistingLimaOptions {
  limactl: Limactl
  instance: string
}

/** `--instance NAME`: the configs come from the instance (describe() before the run). */
export class ExistingLimaBackend implements Backend {
  readonly name = 'lima'
  private described?: { instance: LimaInstance; limaVersion: string }

  constructor(private readonly o: ExistingLimaOptions) {}

  /** The instance's writable mounts as configurations; it must be running. */
  async describe(): Promise<ShareConfig[]> {
    const limaVersion = await this.o.limactl.version()
    const instance = await this.o.limactl.get(this.o.instance)
    if (!instance) throw new UsageError(`no Lima instance named ${this.o.instance} (limactl list shows the ones there are)`)
    if (instance.status !== 'Running') throw new InfraError(`instance ${instance.name} is ${instance.status}; limafs tests running instances and leaves them as they are`, { hint: `limactl start ${instance.name}` })
    this.described = { instance, limaVersion }
    return sharesOfInstance(instance).map((s) => s.config)
  }

  async boot(configs: readonly ShareConfig[], log: (line: string) => void): Promise<Guest> {
    if (!this.described) await this.describe()
    const { instance, limaVersion } = this.described!
    const shares = sharesOfInstance(instance).filter((s) => configs.some((c) => c.name === s.config.name))
    const guest = new LimaGuest({ limactl: this.o.limactl, limaVersion, instance, shares, owned: false })
    await guest.refresh(log)
    const major = nodeMajor(guest.guestNode ?? '')
    if (major === undefined || major < MIN_GUEST_NODE_MAJOR) {
      throw new InfraError(`instance ${instance.name} has ${guest.guestNode ? `node ${guest.guestNode}` : 'no node'}; the limafs agent needs Node >= ${MIN_GUEST_NODE_MAJOR}, and limafs leaves an existing instance as it is`, {
        hint: `install one yourself, e.g. limactl shell ${instance.name} sudo apt-get install -y nodejs (Ubuntu 24.04 or later), then run again`,
      })
    }
    return guest
  }
}
