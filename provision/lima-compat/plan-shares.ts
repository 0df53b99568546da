// Where each configuration's share lives: a fresh host dir per configuration, mounted in the
// guest at /mnt/limafs/<config>, with the tag Lima computes. The testbed and the Lima backend
// lay shares out the same way.
import { join } from 'node:path'
import type { ShareConfig, ShareSetup } from '../types.ts'
import { limaMountTag } from './mount-tag.ts'

/** Where limafs mounts a configuration's share in the guest. */
const LIMA_GUEST_MOUNT_ROOT = '/mnt/limafs'

/** One fresh host dir per configuration under `sharesDir`, mounted at /mnt/limafs/<config>; the tag is the one Lima computes. */
export function planLimaShares(sharesDir: string, configs: readonly ShareConfig[]): ShareSetup[] {
  return configs.map((config) => {
    const hostDir = join(sharesDir, config.name)
    const mountPoint = `${LIMA_GUEST_MOUNT_ROOT}/${config.name}`
    return { config, tag: limaMountTag(hostDir, mountPoint), hostDir, mountPoint }
  })
}
