// ELF reading (modinfo, static or not, PVH entry) and the bzImage payload, on real files: host
// binaries, and the kernel the testbed unpacked into the real cache. binutils' readelf is the oracle.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { execa } from 'execa'
import t from 'tap'
import { hasPvhEntry, isStaticElf, readModinfo } from '../../provision/testbed/elf.ts'
import { bzImagePayload } from '../../provision/testbed/kernel.ts'
import { cachedKernel, NO_CACHED_KERNEL } from '../helpers/testbed.ts'

const kernel = cachedKernel()

async function readelf(args: string[]): Promise<string | undefined> {
  const result = await execa('readelf', args, { reject: false })
  return result.exitCode === 0 ? String(result.stdout) : undefined
}

t.test('isStaticElf says /bin/busybox (busybox-static) needs no loader and /bin/ls does', async (t) => {
  t.equal(isStaticElf(readFileSync('/bin/busybox')), true, '/bin/busybox is static')
  t.equal(isStaticElf(readFileSync('/bin/ls')), false, '/bin/ls is dynamic')
  t.equal(isStaticElf(Buffer.from('#!/bin/sh\necho not an ELF file at all, but long enough to have a header......\n')), false, 'a script is not a static ELF')
  t.equal(isStaticElf(Buffer.alloc(10)), false, 'a short file is not a static ELF')
})

t.test('isStaticElf agrees with readelf on whether host binaries request a program interpreter', async (t) => {
  const files = ['/bin/busybox', '/bin/ls', '/bin/sh', process.execPath, '/usr/bin/qemu-system-x86_64'].filter(existsSync)
  for (const file of files) {
    const headers = await readelf(['-lW', file])
    if (headers === undefined) {
      t.pass(file, { skip: `readelf could not read ${file} (binutils missing?)` })
      continue
    }
    t.equal(isStaticElf(readFileSync(file)), !/\bINTERP\b/.test(headers), file)
  }
})

t.test('readModinfo reads the same .modinfo key=value pairs as readelf, for every cached kernel module', { skip: kernel ? false : NO_CACHED_KERNEL }, async (t) => {
  const modules = kernel!.modules
  t.ok(modules.length >= 10, `${modules.length} modules in the cache`)
  for (const ko of modules) {
    const dump = await readelf(['-p', '.modinfo', ko])
    if (dump === undefined) {
      t.pass('modinfo compared with readelf', { skip: 'readelf is not installed: no oracle' })
      return
    }
    const want = new Map<string, string[]>()
    for (const line of dump.split('\n')) {
      const m = /^\s+\[\s*[0-9a-f]+\]\s{2}([^=]+)=(.*)$/.exec(line)
      if (m) want.set(m[1]!, [...(want.get(m[1]!) ?? []), m[2]!])
    }
    t.strictSame(Object.fromEntries(readModinfo(readFileSync(ko))), Object.fromEntries(want), ko.slice(kernel!.dir.length))
  }
})

t.test('readModinfo gives 9p.ko its name and the dependencies modprobe would load first', { skip: kernel ? false : NO_CACHED_KERNEL }, async (t) => {
  const ko = kernel!.modules.find((m) => m.endsWith('/fs/9p/9p.ko'))
  if (!ko) return t.fail('9p.ko is not in the cached kernel')
  const info = readModinfo(readFileSync(ko))
  t.strictSame(info.get('license'), ['GPL'])
  t.strictSame(info.get('depends')?.[0]?.split(',').sort(), ['9pnet', 'fscache', 'netfs'], 'Debian 6.1: 9p needs 9pnet, netfs and fscache')
  t.throws(() => readModinfo(readFileSync('/etc/passwd')), /not an ELF64 little-endian file/)
})

t.test('hasPvhEntry finds the Xen PVH entry note in the cached vmlinux, as readelf -n lists it, and nowhere else', { skip: kernel?.vmlinux ? false : `${NO_CACHED_KERNEL}, or it has no vmlinux` }, async (t) => {
  const notes = await readelf(['-nW', kernel!.vmlinux!])
  if (notes !== undefined) t.match(notes, /Xen\s+0x[0-9a-f]+\s+Unknown note type: \(0x00000012\)/, 'readelf sees note 18 (XEN_ELFNOTE_PHYS32_ENTRY) owned by Xen')
  t.equal(hasPvhEntry(readFileSync(kernel!.vmlinux!)), true, 'vmlinux can be booted through PVH')
  t.equal(hasPvhEntry(readFileSync('/bin/busybox')), false, 'busybox has no PVH note')
  t.equal(hasPvhEntry(readFileSync(kernel!.modules[0]!)), false, 'a module (no program headers) has none')
  t.throws(() => hasPvhEntry(Buffer.from('not an ELF file, though long enough to hold an ELF64 header in it.....')), /not an ELF64/)
})

t.test("bzImagePayload finds the cached vmlinuz's compressed kernel: exactly the stream extract-vmlinux would find, nothing trailing", { skip: kernel ? false : NO_CACHED_KERNEL, timeout: 120_000 }, async (t) => {
  const bzImage = readFileSync(kernel!.vmlinuz)
  const payload = bzImagePayload(bzImage)
  if (!payload) return t.fail(`no payload found in ${kernel!.vmlinuz}`)
  t.match(payload.tool, /^(gzip|xz|zstd|lz4)$/)
  const decompress = (input: Uint8Array, args: string[]) => execa(payload.tool, ['-dc', ...args], { input, encoding: 'buffer', reject: false, maxBuffer: 512 * 1024 * 1024 })
  const unpacked = await decompress(payload.data, [])
  t.equal(unpacked.exitCode, 0, `${payload.tool} -dc takes the payload whole, without complaining of trailing data`)
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
  if (payload.tool === 'xz') {
    // Linux's scripts/extract-vmlinux: find the magic anywhere, decompress one stream from there.
    const at = bzImage.indexOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))
    const oracle = await decompress(bzImage.subarray(at), ['--single-stream'])
    t.equal(sha(unpacked.stdout), sha(oracle.stdout), 'the same kernel as extract-vmlinux gets')
  }
  t.equal(hasPvhEntry(Buffer.from(unpacked.stdout)), true, 'and it is the PVH-bootable vmlinux')
  if (kernel!.vmlinux) t.equal(sha(unpacked.stdout), sha(readFileSync(kernel!.vmlinux)), 'the same bytes as the vmlinux the testbed boots')
})

t.test('bzImagePayload returns undefined for what is not a bzImage', async (t) => {
  t.equal(bzImagePayload(readFileSync('/bin/ls')), undefined, 'an ELF binary')
  t.equal(bzImagePayload(Buffer.alloc(0x300)), undefined, 'zeros')
  const fake = Buffer.alloc(0x400)
  fake.write('HdrS', 0x202, 'latin1')
  fake.writeUInt16LE(0x206, 0x206)
  t.equal(bzImagePayload(fake), undefined, 'boot protocol 2.06 (before payload_offset existed)')
})
