// The testbed's QEMU command line. Machine, accelerator, network and share arguments follow
// Lima's pkg/driver/qemu (x86_64); the boot is a direct -kernel/-initrd instead of a disk image.
import { createHash } from 'node:crypto'
import { qemuNetdevArgs, qemuShareArgs, qemuVirtiofsMemoryArgs } from '../lima-compat/qemu-share-args.ts'
import type { ShareSetup } from '../types.ts'
import { HOST_ROOT_TAG } from './guest-init.ts'
import { siblingQemuArgs } from './sibling-shares.ts'

export type Accel = 'kvm' | 'tcg'

export interface QemuCommandInput {
  name: string
  instanceDir: string
  accel: Accel
  cpus: number
  memoryMiB: number
  /** vmlinux (PVH boot) or vmlinuz. */
  kernelImage: string
  initrd: string
  /** Kernel command line parameters beyond the fixed ones (limafs.uid=...). */
  kernelParams: string[]
  sshPort: number
  shares: readonly ShareSetup[]
  /** "uid:gid" QEMU drops to when started as root (-runas); absent when not root. */
  runAs?: string
}

/** Lima's MAC scheme (52:55:55 + 3 bytes of a sha256); Lima also hashes the host's machine id. */
export function macAddress(uniqueId: string): string {
  const sha = createHash('sha256').update(uniqueId).digest()
  return ['52', '55', '55', ...[0, 1, 2].map((i) => sha[i]!.toString(16).padStart(2, '0'))].join(':')
}

/**
 * Kernel command line. Beyond the console, these only make an emulated boot faster (about 1 s of
 * 5 under TCG) and change nothing the shares do: no speculative-execution mitigations, trust the
 * TSC and the CPU's RNG, skip crypto self-tests and timer checks, one UART, no KASLR.
 */
export const BOOT_PARAMS = [
  'console=ttyS0', 'quiet', 'panic=-1',
  'mitigations=off', 'tsc=reliable', 'no_timer_check', 'cryptomgr.notests', 'random.trust_cpu=on', '8250.nr_uarts=1', 'nokaslr',
] as const

export function testbedPaths(instanceDir: string) {
  return {
    consoleLog: `${instanceDir}/console.log`,
    qmpSocket: `${instanceDir}/qmp.sock`,
    pidFile: `${instanceDir}/qemu.pid`,
    qemuLog: `${instanceDir}/qemu.log`,
  }
}

export function qemuCommand(input: QemuCommandInput): string[] {
  const paths = testbedPaths(input.instanceDir)
  const accelArgs =
    input.accel === 'tcg'
      ? ['-machine', 'q35,vmport=off', '-accel', 'tcg,thread=multi,tb-size=512', '-global', 'ICH9-LPC.disable_s3=1', '-global', 'ICH9-LPC.disable_s4=1']
      : ['-machine', 'q35,accel=kvm']
  const hasVirtiofs = input.shares.some((s) => s.config.mountType === 'virtiofs')
  return [
    '-name', `lima-${input.name}`,
    ...accelArgs,
    '-cpu', input.accel === 'tcg' ? 'max' : 'host',
    '-m', String(input.memoryMiB),
    ...(hasVirtiofs ? qemuVirtiofsMemoryArgs(input.memoryMiB) : []),
    '-smp', `${input.cpus},sockets=1,cores=${input.cpus},threads=1`,
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-kernel', input.kernelImage,
    '-initrd', input.initrd,
    '-append', [...BOOT_PARAMS, ...input.kernelParams].join(' '),
    '-serial', `file:${paths.consoleLog}`,
    ...qemuNetdevArgs('127.0.0.1', input.sshPort, macAddress(input.instanceDir)),
    // The guest's root file system: the host's / read-only (not a configuration under test).
    '-virtfs', `local,mount_tag=${HOST_ROOT_TAG},path=/,security_model=none,readonly=on,multidevs=remap`,
    ...input.shares.flatMap((share, index) =>
      qemuShareArgs({ index, tag: share.tag, hostDir: share.hostDir, config: share.config, instanceDir: input.instanceDir }),
    ),
    ...siblingQemuArgs(input.shares, input.instanceDir),
    '-chardev', `socket,id=char-qmp,path=${paths.qmpSocket},server=on,wait=off`,
    '-qmp', 'chardev:char-qmp',
    '-pidfile', paths.pidFile,
    '-daemonize',
    ...(input.runAs ? ['-runas', input.runAs] : []),
  ]
}
