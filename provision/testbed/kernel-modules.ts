// Which kernel modules the guest needs, in load order. Read from each .ko's own .modinfo
// section (name=, depends=), so no modinfo/depmod is needed on the host.
import { readModinfo } from './elf.ts'

export interface ModuleInfo {
  name: string
  depends: string[]
}

export function moduleInfo(elf: Buffer, fileName: string): ModuleInfo {
  const info = readModinfo(elf)
  // Module names use underscores where file names may use dashes (virtio-rng.ko is virtio_rng).
  const name = info.get('name')?.[0] ?? fileName.replace(/\.ko$/, '').replaceAll('-', '_')
  const depends = (info.get('depends')?.[0] ?? '').split(',').filter(Boolean)
  return { name, depends }
}

/** The wanted modules and everything they depend on, each after its dependencies. */
export function loadOrder(wanted: readonly string[], modules: ReadonlyMap<string, ModuleInfo>): string[] {
  const order: string[] = []
  const visiting = new Set<string>()
  const visit = (name: string, via: string[]) => {
    if (order.includes(name)) return
    if (visiting.has(name)) throw new Error(`module dependency cycle: ${[...via, name].join(' -> ')}`)
    const mod = modules.get(name)
    if (!mod) throw new Error(`kernel module ${name} not found in the kernel package${via.length ? ` (needed by ${via.join(' -> ')})` : ''}`)
    visiting.add(name)
    for (const dep of mod.depends) visit(dep, [...via, name])
    visiting.delete(name)
    order.push(name)
  }
  for (const name of wanted) visit(name, [])
  return order
}
