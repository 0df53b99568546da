// Which Lima instances a matrix needs: one per mount type, because Lima sets mountType per
// instance and each mount type has its own driver: all 9p configurations share ONE QEMU
// instance, the virtiofs ones ONE VZ instance. Pure.
import type { MountType, ShareConfig } from '../types.ts'

export type VmType = 'qemu' | 'vz'

/** The driver each mount type is tested with: 9p exists only with QEMU; virtiofs is VZ's, Lima's default on macOS >= 13.5. */
export const VM_TYPE_FOR: Readonly<Record<MountType, VmType>> = { '9p': 'qemu', virtiofs: 'vz' }

/** The order instances are booted in (one at a time). */
const MOUNT_TYPE_ORDER: readonly MountType[] = ['9p', 'virtiofs']

export interface InstancePlan {
  /** limactl's instance name: PREFIX-9p, PREFIX-virtiofs. */
  name: string
  mountType: MountType
  vmType: VmType
  configs: ShareConfig[]
}

/** Lima instance names: letters and digits, groups joined by one of . _ - (pkg/identifiers). */
export const LIMA_NAME_RE = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/

export function instanceName(prefix: string, mountType: MountType): string {
  return `${prefix}-${mountType}`
}

export function planInstances(prefix: string, configs: readonly ShareConfig[]): InstancePlan[] {
  return MOUNT_TYPE_ORDER.flatMap((mountType) => {
    const mine = configs.filter((c) => c.mountType === mountType)
    return mine.length ? [{ name: instanceName(prefix, mountType), mountType, vmType: VM_TYPE_FOR[mountType], configs: mine }] : []
  })
}
