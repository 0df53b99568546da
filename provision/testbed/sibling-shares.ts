// The testbed's sibling shares (see SiblingSetup in provision/types.ts): every configuration
// mounted a second time, with its own settings, on ONE host dir: a small tmpfs the testbed mounts
// itself when it runs as root (so a share can be filled up: ENOSPC), a plain dir otherwise.
//
// QEMU's q35 root bus has 32 slots and the configurations' own shares take most of them, so the
// 9p siblings sit behind a PCIe-to-PCI bridge, spelled out as `-fsdev` + `-device virtio-9p-pci`
// (what Lima's `-virtfs` expands to, with a bus added: the same 9p server and options). A
// virtiofs sibling gets its own virtiofsd and device, on the root bus as Lima places them.
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { virtiofsSocketPath } from '../lima-compat/qemu-share-args.ts'
import { run } from '../process.ts'
import type { ShareSetup, SiblingSetup } from '../types.ts'

/** The sibling dir's size when it is a tmpfs: room for every suite's trees, small enough to fill in a blink. */
export const SIBLING_FS_MIB = 8
const SIBLING_BRIDGE = 'limafs-siblings'
/** virtiofsd sockets of siblings are numbered after the configurations' own (virtiofsd-N.sock). */
const SIBLING_SOCKET_BASE = 100

/** What the sibling dir is, for environment.json. */
export type SiblingFs = { kind: 'tmpfs'; sizeMiB: number } | { kind: 'dir'; why: string }

/** The shares that have a sibling, with the sibling. */
function siblingsOf(shares: readonly ShareSetup[]): Array<{ share: ShareSetup; sibling: SiblingSetup; index: number }> {
  return shares.flatMap((share, index) => (share.sibling ? [{ share, sibling: share.sibling, index }] : []))
}

/** A virtiofs sibling's socket (its virtiofsd listens there). */
export function siblingSocketPath(instanceDir: string, index: number): string {
  return virtiofsSocketPath(instanceDir, SIBLING_SOCKET_BASE + index)
}

/** QEMU arguments for every sibling: 9p ones behind one PCI bridge, virtiofs ones on the root bus. */
export function siblingQemuArgs(shares: readonly ShareSetup[], instanceDir: string): string[] {
  const all = siblingsOf(shares)
  const ninep = all.filter((s) => s.share.config.mountType === '9p')
  const args = ninep.length ? ['-device', `pcie-pci-bridge,id=${SIBLING_BRIDGE},bus=pcie.0`] : []
  ninep.forEach(({ share, sibling }, slot) => {
    const id = `sibling-fsdev-${slot}`
    const readonly = share.config.writable ? '' : ',readonly=on'
    args.push(
      '-fsdev', `local,id=${id},path=${sibling.hostDir},security_model=${share.config.ninep!.securityModel}${readonly}`,
      '-device', `virtio-9p-pci,fsdev=${id},mount_tag=${sibling.tag},bus=${SIBLING_BRIDGE},addr=0x${(slot + 1).toString(16)}`,
    )
  })
  for (const { share, sibling, index } of all.filter((s) => s.share.config.mountType === 'virtiofs')) {
    const chardev = `char-sibling-virtiofs-${index}`
    args.push(
      '-chardev', `socket,id=${chardev},path=${siblingSocketPath(instanceDir, index)}`,
      '-device', `vhost-user-fs-pci,queue-size=${share.config.virtiofs!.queueSize},chardev=${chardev},tag=${sibling.tag}`,
    )
  }
  return args
}

/** The socket paths and shared dir of each virtiofs sibling (one virtiofsd each). */
export function siblingVirtiofsDaemons(shares: readonly ShareSetup[], instanceDir: string): Array<{ socket: string; dir: string }> {
  return siblingsOf(shares)
    .filter((s) => s.share.config.mountType === 'virtiofs')
    .map(({ sibling, index }) => ({ socket: siblingSocketPath(instanceDir, index), dir: sibling.hostDir }))
}

/** Is dir a mount point of its own (a tmpfs we mounted)? Read from the host's mountinfo. */
function isMounted(dir: string): boolean {
  const escaped = dir.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === escaped)
}

/**
 * Makes the sibling dir, owned by QEMU's user: a tmpfs of SIBLING_FS_MIB when we are root on
 * Linux (mounting needs it), else a plain dir, which can't be filled up: the checks that need a
 * full share then say so.
 */
export async function makeSiblingDir(dir: string, owner: { uid: number; gid: number }): Promise<SiblingFs> {
  mkdirSync(dir, { recursive: true, mode: 0o755 })
  if (process.getuid?.() !== 0 || process.platform !== 'linux') return { kind: 'dir', why: 'mounting a size-limited tmpfs needs root on Linux' }
  const mounted = await run('mount', ['-t', 'tmpfs', '-o', `size=${SIBLING_FS_MIB}m,mode=0755,uid=${owner.uid},gid=${owner.gid}`, 'limafs-sibling', dir], { timeoutMs: 10_000 })
  if (mounted.failed) return { kind: 'dir', why: `mount -t tmpfs failed: ${mounted.stderr.trim() || `exit ${mounted.exitCode}`}` }
  return { kind: 'tmpfs', sizeMiB: SIBLING_FS_MIB }
}

/** Unmounts the sibling dir's tmpfs, if it is one (before the instance dir is removed). */
export async function removeSiblingFs(dir: string): Promise<void> {
  if (existsSync(dir) && isMounted(dir)) await run('umount', ['-l', dir], { timeoutMs: 10_000 })
}
