// The lima.yaml of one instance, from the matrix: Lima's own keys and values (pkg/limatype/
// lima_yaml.go), every mount with its per-mount `9p:` (or `virtiofs:`) settings spelled out, so
// what runs is what the matrix says and not Lima's defaults. Pure: the text is golden-tested.
import { stringify } from 'yaml'
import type { ShareSetup } from '../types.ts'
import type { InstancePlan } from './instance-plan.ts'
import { NODE_PROBE_HINT, nodeProbeScript, nodeProvisionScript } from './guest-node.ts'

/** Lima's image templates (template:_images/NAME): Ubuntu 24.04 ships nodejs 18.19 and a 6.8 kernel (9p is broken in 6.9-6.11). */
export const DEFAULT_LIMA_IMAGE = 'ubuntu-24.04'
/** Two vCPUs: enough for the agent's workers; GitHub's macOS arm64 runners have three cores for TCG. */
export const DEFAULT_LIMA_CPUS = 2
/** Lima's own default is min(4GiB, half the host); the agent and a small Ubuntu need far less. */
export const DEFAULT_LIMA_MEMORY = '2GiB'
/** `base:` with a template locator needs Lima >= 2.0 (template: URLs); older Lima says so at create. */
const MINIMUM_LIMA_VERSION = '2.0.0'

export interface LimaYamlOptions {
  /** A Lima image template name (`ubuntu-24.04`, `template:debian-12`) or an image file's URL or path. */
  image: string
  cpus: number
  /** A Lima size string ("2GiB"). */
  memory: string
  /** Install the distro's nodejs when the image has no Node >= 18 (a provision script + readiness probe). */
  provisionNode: boolean
}

/** What `image` means: a template to take the images list from, or one image file. */
export function imageKeys(image: string): { base: string[] } | { images: Array<{ location: string }> } {
  if (/^template:/.test(image)) return { base: [image] }
  if (/:\/\//.test(image) || image.startsWith('/') || image.startsWith('~') || /\.(img|qcow2|raw|iso)(\.(gz|xz|bz2|zst))?$/.test(image)) return { images: [{ location: image }] }
  return { base: [`template:_images/${image}`] }
}

/** A Lima mount for a share: location (host), mountPoint (guest), writable, and the mount type's own block. */
function limaMount(share: ShareSetup): Record<string, unknown> {
  const { config } = share
  const mount: Record<string, unknown> = { location: share.hostDir, mountPoint: share.mountPoint, writable: config.writable }
  if (config.mountType === '9p') {
    if (!config.ninep) throw new Error(`config ${config.name}: mountType 9p without 9p settings`)
    const { securityModel, protocolVersion, msize, cache } = config.ninep
    mount['9p'] = { securityModel, protocolVersion, msize, cache }
  } else if (config.virtiofs) {
    // Lima uses queueSize on Linux hosts only (QEMU + virtiofsd); VZ ignores it.
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
    ...imageKeys(options.image),
    cpus: options.cpus,
    memory: options.memory,
    mountType: plan.mountType,
    mounts: shares.map(limaMount),
    // Nothing the shares don't need: no containerd/nerdctl download, no ~/.ssh keys copied in.
    containerd: { system: false, user: false },
    ssh: { loadDotSSHPubKeys: false },
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
  ]
  return `${header.join('\n')}\n${stringify(limaYamlDocument(plan, shares, options), { lineWidth: 0 })}`
}
