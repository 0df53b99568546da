// The lima.yaml of one instance, from the matrix: Lima's own keys and values (pkg/limatype/
// lima_yaml.go), every mount with its mount type's settings spelled out (`9p:`, `virtiofs:`,
// `sshfs:`), so what runs is what the matrix says and not Lima's defaults, in the form the
// installed Lima reads (lima-version.ts). Pure: the text is golden-tested.
import { stringify } from 'yaml'
import type { ShareSetup } from '../types.ts'
import type { ImageSpec } from './image-spec.ts'
import type { InstancePlan } from './instance-plan.ts'
import { NODE_PROBE_HINT, nodeProbeScript, nodeProvisionScript } from './guest-node.ts'
import { hasPasswordlessSudoSetting, MINIMUM_LIMA_VERSION, templateLocator, type LimaVersion } from './lima-version.ts'

/** Two vCPUs: enough for the agent's workers; GitHub's macOS arm64 runners have three cores for TCG. */
export const DEFAULT_LIMA_CPUS = 2
/** Lima's own default is min(4GiB, half the host); the agent and a small Ubuntu need far less. */
export const DEFAULT_LIMA_MEMORY = '2GiB'

export interface LimaYamlOptions {
  image: ImageSpec
  cpus: number
  /** A Lima size string ("2GiB"). */
  memory: string
  /** Install the distro's nodejs when the image has no Node >= 18 (a provision script + readiness probe). */
  provisionNode: boolean
  /** The installed Lima (`limactl --version`): decides the template locator's form; undefined: the newest. */
  limaVersion: LimaVersion | undefined
}

/** `base:` for a template, `images:` for pinned image files. */
export function imageKeys(image: ImageSpec, limaVersion: LimaVersion | undefined): { base: string[] } | { images: Array<Record<string, string>> } {
  if ('template' in image) return { base: [templateLocator(image.template, limaVersion)] }
  return { images: image.images.map((i) => ({ location: i.location, ...(i.arch ? { arch: i.arch } : {}), ...(i.digest ? { digest: i.digest } : {}) })) }
}

/** A Lima mount for a share: location (host), mountPoint (guest), writable, and the mount type's own block. */
function limaMount(share: ShareSetup, plan: InstancePlan): Record<string, unknown> {
  const { config } = share
  const mount: Record<string, unknown> = { location: share.hostDir, mountPoint: share.mountPoint, writable: config.writable }
  if (config.mountType === '9p') {
    if (!config.ninep) throw new Error(`config ${config.name}: mountType 9p without 9p settings`)
    const { securityModel, protocolVersion, msize, cache } = config.ninep
    mount['9p'] = { securityModel, protocolVersion, msize, cache }
  } else if (config.mountType === 'reverse-sshfs') {
    if (!config.sshfs) throw new Error(`config ${config.name}: mountType reverse-sshfs without sshfs settings`)
    const { cache, followSymlinks, sftpDriver } = config.sshfs
    mount.sshfs = { cache, followSymlinks, sftpDriver }
  } else if (config.virtiofs && plan.vmType === 'qemu') {
    // queueSize is QEMU + virtiofsd's (Linux hosts); VZ ignores it and `limactl validate` warns
    // "only supported on Linux" (pkg/limayaml/validate.go).
    mount.virtiofs = { queueSize: config.virtiofs.queueSize }
  }
  return mount
}

function limaYamlDocument(plan: InstancePlan, shares: readonly ShareSetup[], options: LimaYamlOptions): Record<string, unknown> {
  const foreign = shares.filter((s) => s.config.mountType !== plan.mountType)
  if (foreign.length) throw new Error(`instance ${plan.name} is ${plan.mountType}; ${foreign.map((s) => s.config.name).join(', ')} are not`)
  return {
    minimumLimaVersion: MINIMUM_LIMA_VERSION,
    vmType: plan.vmType,
    ...imageKeys(options.image, options.limaVersion),
    cpus: options.cpus,
    memory: options.memory,
    mountType: plan.mountType,
    mountInotify: plan.mountInotify,
    mounts: shares.map((s) => limaMount(s, plan)),
    // Nothing the shares don't need: no containerd/nerdctl download, no ~/.ssh keys copied in.
    containerd: { system: false, user: false },
    ssh: { loadDotSSHPubKeys: false },
    // The agent runs through `sudo -n` (chown to other uids, drop_caches, remount): Lima 2.2's
    // default, said outright so that a default.yaml can't take it away unseen.
    ...(hasPasswordlessSudoSetting(options.limaVersion) ? { user: { passwordlessSudo: true } } : {}),
    ...(options.provisionNode
      ? {
          provision: [{ mode: 'system', script: nodeProvisionScript() }],
          probes: [{ mode: 'readiness', description: 'Node >= 18 for the limafs agent', script: nodeProbeScript(), hint: NODE_PROBE_HINT }],
        }
      : {}),
  }
}

/** The lima.yaml text, with a header saying what made it. */
export function limaYaml(plan: InstancePlan, shares: readonly ShareSetup[], options: LimaYamlOptions): string {
  const header = [
    `# Made by limafs for instance ${plan.name}: ${shares.length} ${plan.mountType} share(s) under test, one per configuration.`,
    `# Each mount is a fresh host dir; its settings are the matrix's, spelled out (Lima passes 9p ones through unchecked).`,
    `# Written for Lima ${options.limaVersion?.text ?? '(unknown version: the newest form)'}.`,
  ]
  return `${header.join('\n')}\n${stringify(limaYamlDocument(plan, shares, options), { lineWidth: 0 })}`
}
