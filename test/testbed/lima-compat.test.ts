// Lima's own rules for a mount, reproduced: the mount tag, the fstab line, size parsing and the
// QEMU arguments. The expected strings are the ones in lima-9p.md sections 2-3 (Lima's source).
import { execa } from 'execa'
import t from 'tap'
import { escapeFstabField, limaFstabLine, limaMountOptions, mountOptionsWithoutNofail } from '../../provision/lima-compat/fstab.ts'
import { limaMountTag } from '../../provision/lima-compat/mount-tag.ts'
import { qemuNetdevArgs, qemuShareArgs, qemuVirtiofsMemoryArgs, virtiofsSocketPath } from '../../provision/lima-compat/qemu-share-args.ts'
import { ramInBytes } from '../../provision/lima-compat/ram-in-bytes.ts'
import type { CacheMode, SecurityModel, ShareConfig } from '../../provision/types.ts'

function ninep(name: string, options: { writable: boolean; cache: CacheMode; securityModel?: SecurityModel; msize?: string; protocolVersion?: '9p2000' | '9p2000.u' | '9p2000.L' }): ShareConfig {
  return {
    name, mountType: '9p', writable: options.writable,
    ninep: { securityModel: options.securityModel ?? 'none', cache: options.cache, msize: options.msize ?? '128KiB', protocolVersion: options.protocolVersion ?? '9p2000.L' },
  }
}
const virtiofs = (name: string, writable: boolean, queueSize = 1024): ShareConfig => ({ name, mountType: 'virtiofs', writable, virtiofs: { queueSize } })

/** sha256 by the host's coreutils: an implementation independent of node:crypto. */
async function sha256sum(text: string): Promise<string> {
  const { stdout } = await execa('sha256sum', { input: text })
  return stdout.split(' ')[0]!
}

t.test("limaMountTag gives lima-9p.md's check value for /home/runner mounted at /home/runner", async (t) => {
  t.equal(limaMountTag('/home/runner', '/home/runner'), 'lima-7d73e542f8f9aa0c')
})

t.test("limaMountTag is lima- and the first 8 bytes of sha256(location:mountPoint), as sha256sum computes it", async (t) => {
  const table: Array<[string, string]> = [
    ['/Users/me', '/Users/me'],
    ['/tmp/lima', '/tmp/lima'],
    ['/home/runner/work dir', '/mnt/work dir'],
    ['/var/tmp/limafs-0/default/shares/9p-none-mmap', '/mnt/limafs/9p-none-mmap'],
    ['/a', '/b'],
    ['/b', '/a'],
  ]
  for (const [location, mountPoint] of table) {
    const sha = await sha256sum(`${location}:${mountPoint}`)
    t.equal(limaMountTag(location, mountPoint), `lima-${sha.slice(0, 16)}`, `${location} at ${mountPoint}`)
  }
  t.not(limaMountTag('/a', '/b'), limaMountTag('/b', '/a'), 'location and mount point are not interchangeable')
  const lima21 = `lima-${(await sha256sum('/home/runner\0/home/runner')).slice(0, 16)}`
  t.not(limaMountTag('/home/runner', '/home/runner'), lima21, "Lima 2.1's NUL separator is not the one used (2.2+ uses a colon)")
})

t.test('limaMountOptions writes the options of Lima 9p fstab lines for each cache mode and both access modes', async (t) => {
  const table: Array<[string, ShareConfig, string]> = [
    ['writable mmap (Lima default for writable)', ninep('a', { writable: true, cache: 'mmap' }), 'rw,trans=virtio,version=9p2000.L,msize=131072,cache=mmap,nofail'],
    ['read-only fscache (Lima default for read-only)', ninep('b', { writable: false, cache: 'fscache' }), 'ro,trans=virtio,version=9p2000.L,msize=131072,cache=fscache,nofail'],
    ['writable none', ninep('c', { writable: true, cache: 'none' }), 'rw,trans=virtio,version=9p2000.L,msize=131072,cache=none,nofail'],
    ['writable loose', ninep('d', { writable: true, cache: 'loose' }), 'rw,trans=virtio,version=9p2000.L,msize=131072,cache=loose,nofail'],
    ['msize 512k and 9p2000.u', ninep('e', { writable: true, cache: 'mmap', msize: '512k', protocolVersion: '9p2000.u' }), 'rw,trans=virtio,version=9p2000.u,msize=524288,cache=mmap,nofail'],
    ['the security model stays on the host side', ninep('f', { writable: true, cache: 'mmap', securityModel: 'mapped-xattr' }), 'rw,trans=virtio,version=9p2000.L,msize=131072,cache=mmap,nofail'],
    ['virtiofs writable', virtiofs('g', true), 'rw,nofail'],
    ['virtiofs read-only', virtiofs('h', false), 'ro,nofail'],
  ]
  for (const [name, config, want] of table) {
    t.equal(limaMountOptions(config), want, name)
    t.equal(mountOptionsWithoutNofail(config), want.replace(/,nofail$/, ''), `${name}: the kernel gets the same options less nofail`)
  }
})

t.test('limaMountOptions refuses a 9p config without 9p settings or with an msize that is not a size, naming the config', async (t) => {
  t.throws(() => limaMountOptions({ name: 'bare', mountType: '9p', writable: true }), /config bare: mountType 9p without 9p settings/)
  t.throws(() => limaMountOptions(ninep('big', { writable: true, cache: 'mmap', msize: '128 zb' })), /config big: msize "128 zb" is not a size/)
})

t.test('limaFstabLine is the tab-separated line cloud-init writes, with comment=cloudconfig and escaped blanks', async (t) => {
  const line9p = limaFstabLine('lima-7d73e542f8f9aa0c', '/home/runner', ninep('home', { writable: true, cache: 'mmap' }))
  t.equal(line9p, 'lima-7d73e542f8f9aa0c\t/home/runner\t9p\trw,trans=virtio,version=9p2000.L,msize=131072,cache=mmap,nofail,comment=cloudconfig\t0\t0')
  t.equal(line9p.split('\t').length, 6, 'six fields')
  const lineVirtiofs = limaFstabLine('lima-0123456789abcdef', '/tmp/lima', virtiofs('tmp', false))
  t.equal(lineVirtiofs, 'lima-0123456789abcdef\t/tmp/lima\tvirtiofs\tro,nofail,comment=cloudconfig\t0\t0')
  const spaced = limaFstabLine('lima-0123456789abcdef', '/home/runner/my dir', ninep('s', { writable: false, cache: 'fscache' }))
  t.equal(spaced.split('\t')[1], '/home/runner/my\\040dir', 'a space in the mount point becomes \\040')
  t.equal(spaced.split('\t').length, 6, 'a space does not add a field')
})

t.test('escapeFstabField writes space, tab, newline and backslash as fstab octal escapes and leaves the rest', async (t) => {
  t.equal(escapeFstabField('a b'), 'a\\040b')
  t.equal(escapeFstabField('a\tb'), 'a\\011b')
  t.equal(escapeFstabField('a\nb'), 'a\\012b')
  t.equal(escapeFstabField('a\\b'), 'a\\134b')
  t.equal(escapeFstabField('/mnt/ünï-cødé,x=y'), '/mnt/ünï-cødé,x=y')
})

t.test('ramInBytes parses sizes like go-units RAMInBytes (binary units, case-insensitive, optional b/ib)', async (t) => {
  // From go-units v0.5.0 size_test.go (TestRAMInBytes, and FromHumanSize cases with binary units).
  const KiB = 1024
  const MiB = 1024 * KiB
  const table: Array<[string, number]> = [
    ['128KiB', 131072], ['128k', 131072], ['128 KB', 131072], ['131072', 131072], ['1.5M', 1.5 * MiB],
    ['32', 32], ['32b', 32], ['32B', 32], ['32k', 32 * KiB], ['32K', 32 * KiB], ['32kb', 32 * KiB], ['32Kb', 32 * KiB],
    ['32Kib', 32 * KiB], ['32KIB', 32 * KiB], ['32Mb', 32 * MiB], ['32Gb', 32 * 1024 ** 3], ['32Tb', 32 * 1024 ** 4],
    ['32Pb', 32 * 1024 ** 5], ['32PB', 32 * 1024 ** 5], ['32P', 32 * 1024 ** 5],
    ['32.3', 32], ['32.3 mb', Math.trunc(32.3 * MiB)], ['0.3MB', Math.trunc(0.3 * MiB)], ['.5k', 512],
    ['0', 0], ['0 B', 0], ['32.', 32], ['32. b', 32], ['-0', 0], ['0 ', 0], ['4KiB', 4096], ['512000', 512000],
  ]
  for (const [input, want] of table) t.equal(ramInBytes(input), want, JSON.stringify(input))
})

t.test('ramInBytes rejects what go-units rejects: negatives, stray blanks, unknown or doubled suffixes', async (t) => {
  const bad = ['', 'hello', '.', ' ', '-32', '-32k', ' 32', ' 32 ', '32  b', '32m b', '32bm', '32b.', '32 bb', '32ib', '32i', '128KiBs', '1.2.3', '128 zb', 'k', '12e9999']
  for (const input of bad) t.equal(ramInBytes(input), undefined, JSON.stringify(input))
})

t.test("qemuShareArgs gives Lima's -virtfs for 9p, with readonly=on only for a read-only share", async (t) => {
  const base = { index: 0, tag: 'lima-7d73e542f8f9aa0c', hostDir: '/home/runner', instanceDir: '/inst' }
  t.strictSame(qemuShareArgs({ ...base, config: ninep('rw', { writable: true, cache: 'mmap', securityModel: 'mapped-xattr' }) }), [
    '-virtfs', 'local,mount_tag=lima-7d73e542f8f9aa0c,path=/home/runner,security_model=mapped-xattr',
  ])
  t.strictSame(qemuShareArgs({ ...base, config: ninep('ro', { writable: false, cache: 'fscache' }) }), [
    '-virtfs', 'local,mount_tag=lima-7d73e542f8f9aa0c,path=/home/runner,security_model=none,readonly=on',
  ])
  t.throws(() => qemuShareArgs({ ...base, config: { name: 'bare', mountType: '9p', writable: true } }), /config bare: mountType 9p without 9p settings/)
})

t.test("qemuShareArgs gives Lima's vhost-user-fs chardev and device for virtiofs, socket named after the share's index", async (t) => {
  t.equal(virtiofsSocketPath('/inst', 3), '/inst/virtiofsd-3.sock')
  t.strictSame(qemuShareArgs({ index: 3, tag: 'lima-0123456789abcdef', hostDir: '/h', instanceDir: '/inst', config: virtiofs('v', true, 512) }), [
    '-chardev', 'socket,id=char-virtiofs-3,path=/inst/virtiofsd-3.sock',
    '-device', 'vhost-user-fs-pci,queue-size=512,chardev=char-virtiofs-3,tag=lima-0123456789abcdef',
  ])
  t.throws(() => qemuShareArgs({ index: 0, tag: 'x', hostDir: '/h', instanceDir: '/inst', config: { name: 'nv', mountType: 'virtiofs', writable: true } }), /config nv: mountType virtiofs without virtiofs settings/)
})

t.test('qemuVirtiofsMemoryArgs shares all guest memory through /dev/shm as Lima does', async (t) => {
  t.strictSame(qemuVirtiofsMemoryArgs(1024), [
    '-object', 'memory-backend-file,id=virtiofs-shm,size=1073741824,mem-path=/dev/shm,share=on',
    '-numa', 'node,memdev=virtiofs-shm',
  ])
  t.match(qemuVirtiofsMemoryArgs(256)[1], /size=268435456,/)
})

t.test("qemuNetdevArgs is Lima's user-mode network 192.168.5.0/24 with the ssh port forwarded to the guest's 22", async (t) => {
  t.strictSame(qemuNetdevArgs('127.0.0.1', 60022, '52:55:55:12:34:56'), [
    '-netdev', 'user,id=net0,net=192.168.5.0/24,dhcpstart=192.168.5.15,hostfwd=tcp:127.0.0.1:60022-:22',
    '-device', 'virtio-net-pci,netdev=net0,mac=52:55:55:12:34:56',
  ])
})
