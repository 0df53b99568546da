// Which Lima instances a matrix needs. Lima sets mountType and mountInotify per instance, and
// each mount type has its own driver, so there is one instance per (mountType, mountInotify):
// all plain 9p configurations share ONE QEMU instance, and so on. Pure.
import type { MountType, ShareConfig } from '../types.ts'

export type VmType = 'qemu' | 'vz'

/**
 * The driver each mount type is tested with on a host: 9p exists only with QEMU; virtiofs is
 * VZ's on macOS (Lima's default there since 1.0) and QEMU + virtiofsd's on Linux (qemu_driver.go
 * validateMountType: QEMU on macOS refuses virtiofs); reverse-sshfs works with any driver, QEMU here
 * (the only one GitHub's macOS runners can run).
 */
export function vmTypeFor(mountType: MountType, hostOs: string): VmType {
  if (mountType === 'virtiofs') return hostOs === 'darwin' ? 'vz' : 'qemu'
  return 'qemu'
}

/** The order instances are booted in (one at a time). */
const MOUNT_TYPE_ORDER: readonly MountType[] = ['9p', 'virtiofs', 'reverse-sshfs']

export interface InstancePlan {
  /** limactl's instance name: PREFIX-9p, PREFIX-9p-inotify, PREFIX-virtiofs, PREFIX-reverse-sshfs. */
  name: string
  /** Names the guest in progress lines ("9p", "9p mountInotify"). */
  label: string
  mountType: MountType
  mountInotify: boolean
  vmType: VmType
  configs: ShareConfig[]
}

/** Lima instance names: letters and digits, groups joined by one of . _ - (pkg/identifiers). */
export const LIMA_NAME_RE = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/

export function instanceName(prefix: string, mountType: MountType, mountInotify = false): string {
  return `${prefix}-${mountType}${mountInotify ? '-inotify' : ''}`
}

export function planInstances(prefix: string, configs: readonly ShareConfig[], hostOs: string): InstancePlan[] {
  return MOUNT_TYPE_ORDER.flatMap((mountType) =>
    [false, true].flatMap((mountInotify) => {
      const mine = configs.filter((c) => c.mountType === mountType && !!c.mountInotify === mountInotify)
      if (!mine.length) return []
      const label = `${mountType}${mountInotify ? ' mountInotify' : ''}`
      return [{ name: instanceName(prefix, mountType, mountInotify), label, mountType, mountInotify, vmType: vmTypeFor(mountType, hostOs), configs: mine }]
    }),
  )
}
