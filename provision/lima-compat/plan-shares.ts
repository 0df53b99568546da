// Where each configuration's share lives: a fresh host dir per configuration, mounted in the
// guest at /mnt/limafs/<config>, with the tag Lima computes. The testbed and the Lima backend
// lay shares out the same way.
import { join } from 'node:path'
import type { ShareConfig, ShareSetup } from '../types.ts'
import { limaMountTag } from './mount-tag.ts'

/** Where limafs mounts a configuration's share in the guest. */
const LIMA_GUEST_MOUNT_ROOT = '/mnt/limafs'
/** Where it mounts a configuration's sibling share (see SiblingSetup). */
const SIBLING_GUEST_MOUNT_ROOT = '/mnt/limafs-sibling'

/** One fresh host dir per configuration under `sharesDir`, mounted at /mnt/limafs/<config>; the tag is the one Lima computes. */
export function planLimaShares(sharesDir: string, configs: readonly ShareConfig[]): ShareSetup[] {
  return configs.map((config) => {
    const hostDir = join(sharesDir, config.name)
    const mountPoint = `${LIMA_GUEST_MOUNT_ROOT}/${config.name}`
    return { config, tag: limaMountTag(hostDir, mountPoint), hostDir, mountPoint }
  })
}

/** Gives every share a sibling: the same settings on the one `siblingDir`, at /mnt/limafs-sibling/<config>. */
export function withSiblings(shares: readonly ShareSetup[], siblingDir: string): ShareSetup[] {
  return shares.map((share) => {
    const mountPoint = `${SIBLING_GUEST_MOUNT_ROOT}/${share.config.name}`
    return { ...share, sibling: { tag: limaMountTag(siblingDir, mountPoint), hostDir: siblingDir, mountPoint } }
  })
}
