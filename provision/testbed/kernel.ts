// The guest kernel: Debian's linux-image-amd64 (the cloud flavour has no 9p), downloaded as a .deb
// and unpacked into the cache, never installed into the host's /boot.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { InfraError, UsageError } from '../errors.ts'
import { run, runChecked } from '../process.ts'
import { hasPvhEntry } from './elf.ts'

/** The metapackage whose dependency names the current kernel package. */
const KERNEL_METAPACKAGE = 'linux-image-amd64'

/** Members to take out of the .deb: the kernel and the module directories the guest may need. */
const MEMBER_PATTERNS = [
  '*/vmlinuz-*',
  '*/kernel/drivers/virtio/*',
  '*/kernel/drivers/net/virtio_net.ko*',
  '*/kernel/drivers/net/net_failover.ko*',
  '*/kernel/net/core/failover.ko*',
  '*/kernel/net/9p/*',
  '*/kernel/fs/9p/*',
  '*/kernel/fs/netfs/*',
  '*/kernel/fs/fscache/*',
  '*/kernel/fs/fuse/*',
]

/** Bumped when what is kept per kernel changes, so older cache entries are rebuilt. */
const KERNEL_CACHE_FORMAT = 'v2'

export interface Kernel {
  /** Names the kernel build: package_version, or the .deb's name and size for --kernel-deb. */
  id: string
  vmlinuz: string
  /** The uncompressed kernel when it has a PVH entry: QEMU boots it without the ~5 s TCG decompression. */
  vmlinux?: string
  /** Directory holding the extracted .ko files (searched recursively). */
  modulesDir: string
}

export interface KernelOptions {
  cacheDir: string
  /** A .deb to use instead of asking apt (to try another guest kernel). */
  kernelDeb?: string
  log: (line: string) => void
}

/** apt's package lists: when they change (apt-get update), which kernel is current may change. */
const APT_LISTS = '/var/lib/apt/lists'

/**
 * The kernel package the metapackage depends on right now. Asking apt-cache costs ~1 s, so the
 * answer is remembered in the cache for as long as apt's lists are unchanged.
 */
async function aptKernelPackage(cacheDir: string): Promise<{ name: string; version: string }> {
  const memo = join(cacheDir, 'apt-kernel.json')
  const listsStamp = existsSync(APT_LISTS) ? statSync(APT_LISTS).mtimeMs : 0
  if (existsSync(memo)) {
    const saved = JSON.parse(readFileSync(memo, 'utf8')) as { listsStamp?: number; name?: string; version?: string }
    if (saved.listsStamp === listsStamp && saved.name && saved.version) return { name: saved.name, version: saved.version }
  }
  const hint = `install apt's lists (apt-get update), or pass --kernel-deb PATH to a linux-image .deb`
  const show = await run('apt-cache', ['show', '--no-all-versions', KERNEL_METAPACKAGE])
  // Debian's metapackage pins its kernel: "Depends: linux-image-6.1.0-56-amd64 (= 6.1.192-2)".
  const m = /^Depends:.*?\b(linux-image-[^\s,]+) \(= ([^)\s]+)\)/m.exec(show.stdout)
  if (show.failed || !m) throw new InfraError(`kernel package not found: apt-cache knows no ${KERNEL_METAPACKAGE}${show.stderr.trim() ? ` (${show.stderr.trim()})` : ''}`, { hint })
  const found = { name: m[1]!, version: m[2]! }
  writeFileSync(memo, JSON.stringify({ listsStamp, ...found }))
  return found
}

function findFile(dir: string, match: (name: string) => boolean): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      const found = findFile(path, match)
      if (found) return found
    } else if (match(entry.name)) return path
  }
  return undefined
}

/** The kernel for the guest, from the cache when it is there, else downloaded and unpacked. */
export async function resolveKernel({ cacheDir, kernelDeb, log }: KernelOptions): Promise<Kernel> {
  let id: string
  let deb = kernelDeb
  if (kernelDeb) {
    if (!existsSync(kernelDeb)) {
      throw new UsageError(`--kernel-deb ${kernelDeb}: no such file; give the path of a linux-image .deb (apt-get download linux-image-<version>-amd64), or leave --kernel-deb out to use apt's ${KERNEL_METAPACKAGE}`)
    }
    id = `${basename(kernelDeb, '.deb')}_${statSync(kernelDeb).size}`
  } else {
    const pkg = await aptKernelPackage(cacheDir)
    id = `${pkg.name}_${pkg.version}`
  }
  const dir = join(cacheDir, 'kernels', `${KERNEL_CACHE_FORMAT}-${id}`)
  const complete = join(dir, '.complete')
  if (!existsSync(complete)) {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    if (!deb) {
      const downloads = join(cacheDir, 'downloads')
      mkdirSync(downloads, { recursive: true })
      const name = id.slice(0, id.indexOf('_'))
      log(`downloading ${name} (${id.slice(name.length + 1)}) with apt-get`)
      await runChecked('apt-get', ['download', '-o', 'APT::Sandbox::User=root', name], { cwd: downloads, timeoutMs: 300_000, hint: 'check that Debian\'s package mirror is reachable' })
      deb = findFile(downloads, (n) => n.startsWith(`${name}_`) && n.endsWith('.deb'))
      if (!deb) throw new InfraError(`apt-get download ${name} left no .deb in ${downloads}`)
    }
    log(`unpacking ${basename(deb)}`)
    const unpack = await run('bash', ['-c', 'set -o pipefail; deb=$1 dir=$2; shift 2; dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" --wildcards "$@"', 'unpack', deb, dir, ...MEMBER_PATTERNS], { timeoutMs: 300_000 })
    // Patterns for directories a given kernel lacks are expected misses: tar says so and goes on.
    const onlyMisses = unpack.stderr.split('\n').every((l) => !l.trim() || /Not found in archive|Exiting with failure status due to previous errors/.test(l))
    if (unpack.failed && !onlyMisses) throw new InfraError(`could not unpack ${deb}: ${unpack.stderr.trim()}`, { hint: 'the .deb may be damaged: remove it and try again' })
    if (!kernelDeb) rmSync(deb, { force: true })
    const vmlinuz = findFile(dir, (n) => n.startsWith('vmlinuz-'))
    if (vmlinuz) await extractVmlinux(vmlinuz, join(dir, 'vmlinux'), log)
    writeFileSync(complete, `${new Date().toISOString()}\n`)
  }
  const vmlinuz = findFile(dir, (n) => n.startsWith('vmlinuz-'))
  if (!vmlinuz) throw new InfraError(`no vmlinuz-* in ${kernelDeb ?? id}: not a kernel image package`)
  const vmlinux = join(dir, 'vmlinux')
  return { id, vmlinuz, modulesDir: dir, ...(existsSync(vmlinux) ? { vmlinux } : {}) }
}

/** Compression formats of a bzImage payload and the tool that undoes each. */
const PAYLOAD_FORMATS = [
  { magic: Buffer.from([0x1f, 0x8b]), tool: 'gzip' },
  { magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), tool: 'xz' },
  { magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), tool: 'zstd' },
  { magic: Buffer.from([0x02, 0x21, 0x4c, 0x18]), tool: 'lz4' },
] as const

/** The compressed kernel inside a bzImage (boot protocol >= 2.08: payload_offset/length). */
export function bzImagePayload(bzImage: Buffer): { tool: string; data: Buffer } | undefined {
  if (bzImage.length < 0x250 || bzImage.toString('latin1', 0x202, 0x206) !== 'HdrS' || bzImage.readUInt16LE(0x206) < 0x208) return undefined
  const setupSects = bzImage[0x1f1] || 4
  const start = (setupSects + 1) * 512 + bzImage.readUInt32LE(0x248)
  const data = bzImage.subarray(start, start + bzImage.readUInt32LE(0x24c))
  const format = PAYLOAD_FORMATS.find((f) => data.subarray(0, f.magic.length).equals(f.magic))
  if (!format) return undefined
  // Kbuild appends the uncompressed size (4 bytes) to every payload but gzip's, which has its own.
  return { tool: format.tool, data: format.tool === 'gzip' ? data : data.subarray(0, -4) }
}

/** Writes vmlinux when the kernel can boot through PVH; otherwise leaves the bzImage to be used. */
async function extractVmlinux(vmlinuz: string, out: string, log: (line: string) => void): Promise<void> {
  const payload = bzImagePayload(readFileSync(vmlinuz))
  if (!payload) return log('kernel payload format unknown: booting the compressed bzImage (slower under TCG)')
  const packed = `${out}.${payload.tool}`
  writeFileSync(packed, payload.data)
  const result = await run('bash', ['-c', `${payload.tool} -dc "$1" > "$2"`, 'unpack', packed, out], { timeoutMs: 120_000 })
  rmSync(packed, { force: true })
  if (result.failed || !hasPvhEntry(readFileSync(out))) {
    rmSync(out, { force: true })
    log(`no PVH-bootable vmlinux (${result.failed ? `${payload.tool}: ${result.stderr.trim()}` : 'no PVH entry note'}): booting the compressed bzImage (slower under TCG)`)
  }
}
