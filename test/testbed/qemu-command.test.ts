// The testbed's whole QEMU command line, golden-tested (test/fixtures/testbed/qemu-argv.golden.json;
// LIMAFS_UPDATE_GOLDEN=1 to accept an intended change), and the properties a golden can't explain.
import { mkdirSync } from 'node:fs'
import t from 'tap'
import { limaMountTag } from '../../provision/lima-compat/mount-tag.ts'
import { withSiblings } from '../../provision/lima-compat/plan-shares.ts'
import { BOOT_PARAMS, macAddress, qemuCommand, testbedPaths, type QemuCommandInput } from '../../provision/testbed/qemu-command.ts'
import type { ShareConfig, ShareSetup } from '../../provision/types.ts'
import { FIXTURES, matchGolden } from '../helpers/testbed.ts'

const INSTANCE = '/var/tmp/limafs-1000/golden'

function share(config: ShareConfig): ShareSetup {
  const hostDir = `${INSTANCE}/shares/${config.name}`
  const mountPoint = `/mnt/limafs/${config.name}`
  return { config, tag: limaMountTag(hostDir, mountPoint), hostDir, mountPoint }
}

const SHARES: ShareSetup[] = [
  share({ name: '9p-mapped-xattr-mmap', mountType: '9p', writable: true, ninep: { securityModel: 'mapped-xattr', cache: 'mmap', msize: '128KiB', protocolVersion: '9p2000.L' } }),
  share({ name: '9p-none-fscache-ro', mountType: '9p', writable: false, ninep: { securityModel: 'none', cache: 'fscache', msize: '128KiB', protocolVersion: '9p2000.L' } }),
  share({ name: 'virtiofs', mountType: 'virtiofs', writable: true, virtiofs: { queueSize: 1024 } }),
]

function input(overrides: Partial<QemuCommandInput> = {}): QemuCommandInput {
  return {
    name: 'limafs-golden', instanceDir: INSTANCE, accel: 'tcg', cpus: 2, memoryMiB: 1024,
    kernelImage: '/cache/kernels/v2-k/vmlinux', initrd: '/cache/initramfs/0123456789abcdef.cpio.gz',
    kernelParams: ['limafs.uid=1000', 'limafs.gid=1000', 'limafs.user=runner'], sshPort: 60022, shares: SHARES,
    ...overrides,
  }
}

/** The value after each occurrence of a flag. */
const valuesOf = (argv: readonly string[], flag: string) => argv.flatMap((a, i) => (a === flag ? [argv[i + 1]!] : []))

t.test('qemuCommand for a 9p rw, a 9p ro and a virtiofs share matches the golden argv (TCG as root with -runas, and KVM)', async (t) => {
  mkdirSync(FIXTURES, { recursive: true })
  const golden = {
    'tcg, started as root (-runas 1000:1000)': qemuCommand(input({ runAs: '1000:1000' })),
    'kvm, started as an ordinary user': qemuCommand(input({ accel: 'kvm', cpus: 4, memoryMiB: 2048 })),
  }
  matchGolden(t, `${JSON.stringify(golden, null, 2)}\n`, 'qemu-argv.golden.json')
})

t.test('qemuCommand shares each configuration with its own -virtfs or vhost-user-fs device, in order, after the read-only host root', async (t) => {
  const argv = qemuCommand(input())
  const virtfs = valuesOf(argv, '-virtfs')
  t.equal(virtfs[0], 'local,mount_tag=hostroot,path=/,security_model=none,readonly=on,multidevs=remap', 'the guest root is the host / read-only')
  t.strictSame(virtfs.slice(1), [
    `local,mount_tag=${SHARES[0]!.tag},path=${SHARES[0]!.hostDir},security_model=mapped-xattr`,
    `local,mount_tag=${SHARES[1]!.tag},path=${SHARES[1]!.hostDir},security_model=none,readonly=on`,
  ])
  t.ok(valuesOf(argv, '-device').includes(`vhost-user-fs-pci,queue-size=1024,chardev=char-virtiofs-2,tag=${SHARES[2]!.tag}`), 'virtiofs is device index 2')
  t.ok(valuesOf(argv, '-chardev').includes(`socket,id=char-virtiofs-2,path=${INSTANCE}/virtiofsd-2.sock`), 'its socket is in the instance dir')
})

t.test('qemuCommand shares guest memory through /dev/shm only when a virtiofs share needs it', async (t) => {
  const withVirtiofs = qemuCommand(input())
  const without = qemuCommand(input({ shares: SHARES.slice(0, 2) }))
  t.strictSame(valuesOf(withVirtiofs, '-object'), ['memory-backend-file,id=virtiofs-shm,size=1073741824,mem-path=/dev/shm,share=on'])
  t.strictSame(valuesOf(withVirtiofs, '-numa'), ['node,memdev=virtiofs-shm'])
  t.strictSame(valuesOf(without, '-object'), [], 'no memory backend without virtiofs')
  t.strictSame(valuesOf(without, '-numa'), [])
})

t.test('qemuCommand daemonizes with its pidfile, console log and QMP socket in the instance dir', async (t) => {
  const argv = qemuCommand(input())
  const paths = testbedPaths(INSTANCE)
  t.ok(argv.includes('-daemonize'))
  t.strictSame(valuesOf(argv, '-pidfile'), [paths.pidFile])
  t.strictSame(valuesOf(argv, '-serial'), [`file:${paths.consoleLog}`])
  t.ok(valuesOf(argv, '-chardev').includes(`socket,id=char-qmp,path=${paths.qmpSocket},server=on,wait=off`))
  t.strictSame(valuesOf(argv, '-runas'), [], 'no -runas unless asked')
  t.strictSame(valuesOf(qemuCommand(input({ runAs: '1234:5678' })), '-runas'), ['1234:5678'])
})

t.test('qemuCommand appends the kernel parameters after the fixed boot parameters', async (t) => {
  const append = valuesOf(qemuCommand(input()), '-append')
  t.equal(append.length, 1)
  t.equal(append[0], [...BOOT_PARAMS, 'limafs.uid=1000', 'limafs.gid=1000', 'limafs.user=runner'].join(' '))
})

t.test('qemuCommand uses TCG with -cpu max, or KVM with -cpu host', async (t) => {
  const tcg = qemuCommand(input())
  const kvm = qemuCommand(input({ accel: 'kvm' }))
  t.strictSame(valuesOf(tcg, '-cpu'), ['max'])
  t.strictSame(valuesOf(tcg, '-accel'), ['tcg,thread=multi,tb-size=512'])
  t.strictSame(valuesOf(kvm, '-cpu'), ['host'])
  t.strictSame(valuesOf(kvm, '-machine'), ['q35,accel=kvm'])
  t.strictSame(valuesOf(kvm, '-accel'), [])
})

t.test("macAddress follows Lima's 52:55:55 scheme and is stable per instance", async (t) => {
  const mac = macAddress(INSTANCE)
  t.match(mac, /^52:55:55(:[0-9a-f]{2}){3}$/)
  t.equal(macAddress(INSTANCE), mac, 'same instance, same MAC')
  t.not(macAddress(`${INSTANCE}-other`), mac, 'another instance, another MAC')
  t.ok(valuesOf(qemuCommand(input()), '-device').includes(`virtio-net-pci,netdev=net0,mac=${mac}`))
})

t.test('sibling shares: 9p ones behind one PCI bridge as -fsdev/-device pairs with the share\'s model (read-only kept), a virtiofs one on its own socket', async (t) => {
  const siblingDir = `${INSTANCE}/sibling`
  const argv = qemuCommand(input({ shares: withSiblings(SHARES, siblingDir) }))
  t.strictSame(valuesOf(argv, '-fsdev'), [
    `local,id=sibling-fsdev-0,path=${siblingDir},security_model=mapped-xattr`,
    `local,id=sibling-fsdev-1,path=${siblingDir},security_model=none,readonly=on`,
  ])
  const devices = valuesOf(argv, '-device')
  t.ok(devices.includes('pcie-pci-bridge,id=limafs-siblings,bus=pcie.0'), 'one bridge: the root bus has too few slots for a second set of shares')
  t.ok(devices.includes(`virtio-9p-pci,fsdev=sibling-fsdev-0,mount_tag=${limaMountTag(siblingDir, '/mnt/limafs-sibling/9p-mapped-xattr-mmap')},bus=limafs-siblings,addr=0x1`))
  t.ok(devices.includes(`vhost-user-fs-pci,queue-size=1024,chardev=char-sibling-virtiofs-2,tag=${limaMountTag(siblingDir, '/mnt/limafs-sibling/virtiofs')}`))
  t.ok(valuesOf(argv, '-chardev').includes(`socket,id=char-sibling-virtiofs-2,path=${INSTANCE}/virtiofsd-102.sock`), 'its virtiofsd socket is numbered after the shares\' own')
  t.equal(valuesOf(qemuCommand(input()), '-fsdev').length, 0, 'without siblings, nothing of this')
})
