// What each Lima mount type is in the guest's /proc/self/mountinfo.
import type { MountType } from '../types.ts'
import { SSHFS_FS_TYPE } from './reverse-sshfs.ts'

export const FS_TYPE_OF: Readonly<Record<MountType, string>> = { '9p': '9p', virtiofs: 'virtiofs', 'reverse-sshfs': SSHFS_FS_TYPE }

/** The mount type of a mountinfo fs type, when it is one of Lima's. */
export function mountTypeOfFs(fsType: string): MountType | undefined {
  return (Object.entries(FS_TYPE_OF) as Array<[MountType, string]>).find(([, fs]) => fs === fsType)?.[0]
}
