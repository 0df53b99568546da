// Lima as a backend for `limafs run`. Two ways:
//  - made by the run: one instance per (mount type, mountInotify): all plain 9p configurations in
//    ONE QEMU instance, and so on, each from a lima.yaml limafs writes for the installed Lima
//    (checked first with `limactl info` and `limactl validate`), with a fresh host dir per
//    configuration; what Lima filled in is compared with the plan (a user's _config/override.yaml
//    may change a mount); deleted at the end (limactl delete -f) unless --keep, its logs kept
//    in the results dir when it failed;
//  - `--instance NAME`: the user's running instance, on its own mounts, left as it was
//    (no create, no delete; restarted only when asked to).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MIN_GUEST_NODE_MAJOR, nodeMajor } from '../agent-upload.ts'
import type { Backend, Guest, GuestGroup } from '../backend.ts'
import { InfraError, UsageError } from '../errors.ts'
import { limaMountTagFor } from '../lima-compat/mount-tag.ts'
import { planLimaShares } from '../lima-compat/plan-shares.ts'
import { removeHostTree } from '../remove-tree.ts'
import type { ShareConfig, ShareSetup } from '../types.ts'
import { configDrift } from './config-drift.ts'
import { resolveMountType, sharesOfInstance, type ResolvedMountType } from './existing-instance.ts'
import { PROVISION_FAILED_MARK } from './guest-node.ts'
import { LIMA_NAME_RE, planInstances, type InstancePlan } from './instance-plan.ts'
import { LimaGuest, readGuestFacts } from './lima-guest.ts'
import { limaYaml, type LimaYamlOptions } from './lima-yaml.ts'
import { saveInstanceLogs, type Limactl } from './limactl.ts'
import type { LimaInstance } from './list-json.ts'
import { checkPlanRunnable, limaPreflight, type LimaPreflight } from './preflight.ts'

export interface LimaBackendOptions {
  limactl: Limactl
  /** Instance names are PREFIX-9p, PREFIX-virtiofs, PREFIX-reverse-sshfs, PREFIX-9p-inotify. */
  namePrefix: string
  /** Each instance's lima.yaml and share dirs go in SHARES_ROOT/<instance>/ (on disk: user.* xattrs). */
  sharesRoot: string
  yaml: Omit<LimaYamlOptions, 'limaVersion'>
  /** --keep: a failed start leaves the instance for inspection too. */
  keep: boolean
  /** --accept-overrides: test a share as Lima filled it in when that differs from the plan. */
  acceptOverrides: boolean
  /** Where a failed instance's logs are kept (OUT/lima-logs): CI deletes the instance, and its logs with it. */
  logsDir: string
}

/** Facts of the preflight for environment.json. */
function preflightFacts(pre: LimaPreflight): Record<string, unknown> {
  return { limaHostOs: pre.hostOs, limaHostArch: pre.hostArch, limaVmTypes: pre.info.vmTypes ?? [], limaHome: pre.info.limaHome, limaConfigFiles: pre.configFiles }
}

export class LimaBackend implements Backend {
  readonly name = 'lima'
  private pre?: LimaPreflight

  constructor(private readonly o: LimaBackendOptions) {
    if (!LIMA_NAME_RE.test(`${o.namePrefix}-9p`)) throw new UsageError(`--name ${JSON.stringify(o.namePrefix)}: Lima instance names are letters and digits joined by . _ or -`)
  }

  private plans(configs: readonly ShareConfig[]): InstancePlan[] {
    // Lima runs on this host: its hostOS (limactl info) is ours.
    return planInstances(this.o.namePrefix, configs, process.platform)
  }

  groups(configs: readonly ShareConfig[]): GuestGroup[] {
    return this.plans(configs).map((p) => ({ label: p.label, configs: p.configs }))
  }

  async boot(configs: readonly ShareConfig[], log: (line: string) => void): Promise<Guest> {
    const { limactl } = this.o
    const plans = this.plans(configs)
    if (plans.length !== 1) throw new Error(`LimaBackend.boot takes the configs of one instance (groups() splits them); got ${plans.length} instances`)
    const plan = plans[0]!
    this.pre ??= await limaPreflight(limactl)
    const pre = this.pre
    await checkPlanRunnable(pre, plan)
    const existing = await limactl.get(plan.name)
    if (existing) throw new InfraError(`a Lima instance ${plan.name} already exists (${existing.status})`, { hint: `remove it (limactl delete -f ${plan.name}) or pick another --name` })
    const dir = join(this.o.sharesRoot, plan.name)
    await removeHostTree(dir)
    mkdirSync(join(dir, 'shares'), { recursive: true })
    // Traversable: the stand-in and root-run setups start QEMU as another user than ours.
    chmodSync(dir, 0o755)
    chmodSync(join(dir, 'shares'), 0o755)
    const shares: ShareSetup[] = planLimaShares(join(dir, 'shares'), plan.configs).map((s, i) => ({ ...s, tag: limaMountTagFor(pre.version, i, s.hostDir, s.mountPoint) }))
    for (const share of shares) mkdirSync(share.hostDir, { mode: 0o755 })
    const yamlFile = join(dir, 'lima.yaml')
    writeFileSync(yamlFile, limaYaml(plan, shares, { ...this.o.yaml, limaVersion: pre.version }))
    const started = Date.now()
    let created = false
    try {
      if (pre.configFiles.length) log(`Lima merges ${pre.configFiles.join(', ')} into every instance: what it fills in is compared with the plan`)
      await limactl.validate(yamlFile, `the lima.yaml is ${yamlFile}; Lima ${pre.versionText} refused it`)
      log(`Lima ${pre.versionText}: limactl create --name=${plan.name} ${yamlFile} (${plan.vmType}, ${plan.label}, ${shares.length} shares)`)
      created = true
      await limactl.create(plan.name, yamlFile, `the lima.yaml is ${yamlFile}`)
      log(`limactl start ${plan.name} (image download, boot, provision and probes: minutes under TCG)`)
      await limactl.start(plan.name, { limaVersion: pre.version, onProgress: (line) => line.trim() && log(`  ${plan.name}: ${line.trim()}`), failFastMark: PROVISION_FAILED_MARK })
      const instance = await this.running(plan.name)
      const drift = configDrift(plan, shares, instance.config)
      for (const d of drift) log(`${d.config}: Lima filled in ${d.field} ${JSON.stringify(d.filled)}, not the planned ${JSON.stringify(d.planned)}${this.o.acceptOverrides ? ' (--accept-overrides: tested as filled in)' : ''}`)
      const guest = new LimaGuest({
        limactl, limaVersion: pre.versionText, version: pre.version, instance, mountType: plan.mountType, shares, owned: true, removeOnStop: dir,
        drift: { list: drift, accept: this.o.acceptOverrides }, facts: { ...preflightFacts(pre), limaYaml: yamlFile },
      })
      await guest.refresh(log)
      await guest.checkSudo()
      log(`instance ${plan.name} up in ${((Date.now() - started) / 1000).toFixed(1)} s`)
      return guest
    } catch (err) {
      if (created) {
        const saved = saveInstanceLogs(join(pre.info.limaHome, plan.name), join(this.o.logsDir, plan.name))
        if (saved.length) log(`kept the last lines of instance ${plan.name}'s logs in ${join(this.o.logsDir, plan.name)}`)
      }
      if (this.o.keep) {
        log(`--keep: leaving instance ${plan.name} and ${dir} for inspection`)
      } else {
        if (created) await limactl.delete(plan.name).catch(() => {}) // it may never have been created
        await removeHostTree(dir)
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
  private described?: { instance: LimaInstance; pre: LimaPreflight; mountType: ResolvedMountType; shares: ShareSetup[] }

  constructor(private readonly o: ExistingLimaOptions) {}

  /** The instance's mounts as configurations; it must be running, and sudo -n must work in it. */
  async describe(log: (line: string) => void = () => {}): Promise<ShareConfig[]> {
    const pre = await limaPreflight(this.o.limactl)
    const instance = await this.o.limactl.get(this.o.instance)
    if (!instance) throw new UsageError(`no Lima instance named ${this.o.instance} (limactl list shows the ones there are)`)
    if (instance.status !== 'Running') throw new InfraError(`instance ${instance.name} is ${instance.status}; limafs tests running instances and leaves them as they are`, { hint: `limactl start ${instance.name}` })
    const facts = await readGuestFacts(instance)
    const mountType = resolveMountType(instance, facts.mountinfo)
    if (mountType.note) log(`instance ${instance.name}: ${mountType.note}`)
    const shares = sharesOfInstance(instance, mountType.mountType, { limaVersion: pre.version })
    this.described = { instance, pre, mountType, shares }
    // Checked up front: the agent needs root, and a user may have turned passwordless sudo off.
    await this.guest(shares).checkSudo()
    return shares.map((s) => s.config)
  }

  private guest(shares: ShareSetup[]): LimaGuest {
    const { instance, pre, mountType } = this.described!
    return new LimaGuest({
      limactl: this.o.limactl, limaVersion: pre.versionText, version: pre.version, instance, mountType: mountType.mountType, shares, owned: false,
      facts: { ...preflightFacts(pre), mountTypeFrom: mountType.from, ...(mountType.note ? { mountTypeNote: mountType.note } : {}) },
    })
  }

  async boot(configs: readonly ShareConfig[], log: (line: string) => void): Promise<Guest> {
    if (!this.described) await this.describe(log)
    const { instance, shares: all } = this.described!
    const guest = this.guest(all.filter((s) => configs.some((c) => c.name === s.config.name)))
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
