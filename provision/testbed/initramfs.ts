// The testbed's initramfs: busybox, the kernel modules the shares need (in load order), the
// init scripts and the ssh keys. Cached under a hash of everything in it.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { InfraError } from '../errors.ts'
import { runChecked } from '../process.ts'
import { writeCpio, type CpioEntry } from './cpio.ts'
import { isStaticElf } from './elf.ts'
import { init2Script, initScript, sshdConfig } from './guest-init.ts'
import type { Kernel } from './kernel.ts'
import { loadOrder, moduleInfo, type ModuleInfo } from './kernel-modules.ts'
import type { TestbedKeys } from './keys.ts'

/** What the guest must load: virtio PCI + net for ssh, 9p and virtiofs for the shares. */
export const WANTED_MODULES = ['virtio_pci', 'virtio_net', '9pnet_virtio', '9p', 'virtiofs'] as const
/** busybox-static's binary: it must be static, the initramfs has no libc. */
const BUSYBOX_PATH = '/bin/busybox'

async function readModule(path: string): Promise<Buffer> {
  if (path.endsWith('.ko')) return readFileSync(path)
  const tool = path.endsWith('.xz') ? 'xz' : path.endsWith('.zst') ? 'zstd' : undefined
  if (!tool) throw new InfraError(`unknown kernel module compression: ${path}`)
  const { stdout } = await runChecked('sh', ['-c', `${tool} -dc "$1" | base64 -w0`, 'sh', path], { hint: `install ${tool}` })
  return Buffer.from(stdout, 'base64')
}

async function collectModules(dir: string): Promise<Map<string, ModuleInfo & { data: Buffer }>> {
  const modules = new Map<string, ModuleInfo & { data: Buffer }>()
  const walk = async (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if (/\.ko(\.xz|\.zst)?$/.test(entry.name)) {
        const data = await readModule(path)
        const info = moduleInfo(data, entry.name.replace(/\.(xz|zst)$/, ''))
        modules.set(info.name, { ...info, data })
      }
    }
  }
  await walk(dir)
  return modules
}

export interface Initramfs {
  path: string
  modules: string[]
}

export async function ensureInitramfs(cacheDir: string, kernel: Kernel, keys: TestbedKeys, log: (line: string) => void): Promise<Initramfs> {
  if (!existsSync(BUSYBOX_PATH)) throw new InfraError(`${BUSYBOX_PATH} not found`, { hint: 'apt-get install busybox-static' })
  const busybox = readFileSync(BUSYBOX_PATH)
  if (!isStaticElf(busybox)) throw new InfraError(`${BUSYBOX_PATH} is dynamically linked and can't run in the initramfs`, { hint: 'apt-get install busybox-static' })
  const available = await collectModules(kernel.modulesDir)
  const order = loadOrder(WANTED_MODULES, available)
  const dir = (path: string): CpioEntry => ({ path, mode: 0o040755 })
  const file = (path: string, data: string | Buffer, mode = 0o644): CpioEntry => ({ path, mode: 0o100000 | mode, data: Buffer.from(data) })
  const entries: CpioEntry[] = [
    dir('bin'), dir('modules'), dir('limafs'),
    file('init', initScript(), 0o755),
    file('bin/busybox', busybox, 0o755),
    file('modules/order', `${order.join('\n')}\n`),
    ...order.map((name) => file(`modules/${name}.ko`, available.get(name)!.data)),
    file('limafs/init2', init2Script(), 0o755),
    file('limafs/sshd_config', sshdConfig()),
    file('limafs/ssh_host_ed25519_key', keys.hostPrivateKey, 0o600),
    file('limafs/ssh_host_ed25519_key.pub', `${keys.hostPublicKey}\n`),
    file('limafs/authorized_keys', `${keys.clientPublicKey}\n`),
  ]
  const hash = createHash('sha256')
  for (const e of entries) hash.update(`${e.path}\0${e.mode}\0`).update(e.data ?? '')
  const id = hash.digest('hex').slice(0, 16)
  const outDir = join(cacheDir, 'initramfs')
  const path = join(outDir, `${id}.cpio.gz`)
  if (!existsSync(path)) {
    log(`building initramfs (${order.length} modules)`)
    mkdirSync(outDir, { recursive: true })
    writeFileSync(`${path}.tmp`, gzipSync(writeCpio(entries), { level: 6 }))
    renameSync(`${path}.tmp`, path)
  }
  return { path, modules: order }
}
