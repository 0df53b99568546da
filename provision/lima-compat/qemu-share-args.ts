// The host side of a Lima mount: the QEMU arguments pkg/driver/qemu/qemu.go builds per mount,
// and virtiofsd's command line (Lima >= 2.2).
import type { ShareConfig } from '../types.ts'
import { SLIRP_IP_ADDRESS, SLIRP_NETWORK } from './defaults.ts'

export interface ShareArgsInput {
  index: number
  tag: string
  hostDir: string
  config: ShareConfig
  /** Lima's instance dir, where the vhost-user sockets live. */
  instanceDir: string
}

/** Lima's vhost-user socket name for mount N (filenames.VhostSock = "virtiofsd-%d.sock"). */
export function virtiofsSocketPath(instanceDir: string, index: number): string {
  return `${instanceDir}/virtiofsd-${index}.sock`
}

/** `-virtfs ...` for 9p, `-chardev ... -device vhost-user-fs-pci,...` for virtiofs, nothing for reverse-sshfs (over ssh). */
export function qemuShareArgs({ index, tag, hostDir, config, instanceDir }: ShareArgsInput): string[] {
  if (config.mountType === 'reverse-sshfs') return []
  if (config.mountType === '9p') {
    if (!config.ninep) throw new Error(`config ${config.name}: mountType 9p without 9p settings`)
    let options = `local,mount_tag=${tag},path=${hostDir},security_model=${config.ninep.securityModel}`
    if (!config.writable) options += ',readonly=on'
    return ['-virtfs', options]
  }
  const chardev = `char-virtiofs-${index}`
  const queueSize = config.virtiofs?.queueSize
  if (queueSize === undefined) throw new Error(`config ${config.name}: mountType virtiofs without virtiofs settings`)
  return [
    '-chardev', `socket,id=${chardev},path=${virtiofsSocketPath(instanceDir, index)}`,
    '-device', `vhost-user-fs-pci,queue-size=${queueSize},chardev=${chardev},tag=${tag}`,
  ]
}

/** Lima shares guest RAM with virtiofsd through /dev/shm whenever mountType is virtiofs. */
export function qemuVirtiofsMemoryArgs(memoryMiB: number): string[] {
  return [
    '-object', `memory-backend-file,id=virtiofs-shm,size=${memoryMiB * 1024 * 1024},mem-path=/dev/shm,share=on`,
    '-numa', 'node,memdev=virtiofs-shm',
  ]
}

/** Lima's user-mode network with the ssh port forward (pkg/driver/qemu/qemu.go). */
export function qemuNetdevArgs(sshAddress: string, sshPort: number, mac: string): string[] {
  return [
    '-netdev', `user,id=net0,net=${SLIRP_NETWORK},dhcpstart=${SLIRP_IP_ADDRESS},hostfwd=tcp:${sshAddress}:${sshPort}-:22`,
    '-device', `virtio-net-pci,netdev=net0,mac=${mac}`,
  ]
}
