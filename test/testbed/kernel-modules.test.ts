// Which modules the initramfs loads, and in what order: dependencies first, cycles and missing
// modules reported with the chain that needed them.
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import t, { type Test } from 'tap'
import { WANTED_MODULES } from '../../provision/testbed/initramfs.ts'
import { loadOrder, moduleInfo, type ModuleInfo } from '../../provision/testbed/kernel-modules.ts'
import { cachedKernel, NO_CACHED_KERNEL } from '../helpers/testbed.ts'

const graph = (deps: Record<string, string[]>): Map<string, ModuleInfo> =>
  new Map(Object.entries(deps).map(([name, depends]) => [name, { name, depends }]))

/** Every module comes after all of its dependencies, and each appears once. */
function assertTopological(t: Test, order: string[], modules: ReadonlyMap<string, ModuleInfo>): void {
  t.equal(new Set(order).size, order.length, 'no module twice')
  for (const [i, name] of order.entries()) {
    for (const dep of modules.get(name)?.depends ?? []) {
      const at = order.indexOf(dep)
      t.ok(at >= 0 && at < i, `${dep} is loaded before ${name}`)
    }
  }
}

t.test('loadOrder puts every dependency before the module that needs it', async (t) => {
  const modules = graph({ a: ['b', 'c'], b: ['d'], c: ['d'], d: [], e: [] })
  const order = loadOrder(['a'], modules)
  t.strictSame(order, ['d', 'b', 'c', 'a'], 'depth first, in depends= order, shared deps once')
  assertTopological(t, order, modules)
  t.strictSame(loadOrder(['a', 'e', 'b'], modules), ['d', 'b', 'c', 'a', 'e'], 'a wanted module already loaded is not repeated')
  t.strictSame(loadOrder([], modules), [], 'nothing wanted, nothing loaded')
})

t.test('loadOrder refuses a dependency cycle and shows it', async (t) => {
  const modules = graph({ top: ['x'], x: ['y'], y: ['z'], z: ['x'] })
  t.throws(() => loadOrder(['top'], modules), { message: 'module dependency cycle: top -> x -> y -> z -> x' })
  t.throws(() => loadOrder(['self'], graph({ self: ['self'] })), { message: 'module dependency cycle: self -> self' })
})

t.test('loadOrder names a missing module and the chain of modules that needed it', async (t) => {
  const modules = graph({ '9p': ['9pnet', 'netfs'], '9pnet': [], netfs: ['fscache_missing'] })
  t.throws(() => loadOrder(['9p'], modules), { message: 'kernel module fscache_missing not found in the kernel package (needed by 9p -> netfs)' })
  t.throws(() => loadOrder(['virtiofs'], modules), { message: 'kernel module virtiofs not found in the kernel package' }, 'a wanted module has no chain')
})

t.test('moduleInfo takes the name from .modinfo, else from the file name with dashes as underscores', { skip: cachedKernel() ? false : NO_CACHED_KERNEL }, async (t) => {
  const kernel = cachedKernel()!
  const ko = kernel.modules.find((m) => basename(m) === 'virtio_net.ko')
  if (!ko) return t.fail('virtio_net.ko is not in the cached kernel')
  const info = moduleInfo(readFileSync(ko), 'whatever-name.ko')
  t.equal(info.name, 'virtio_net', '.modinfo name= wins over the file name')
  t.strictSame([...info.depends].sort(), ['net_failover', 'virtio', 'virtio_ring'])
  // A module whose .modinfo has no name= (older kernels): fall back to the file name.
  const stripped = Buffer.from(readFileSync(ko))
  const at = stripped.indexOf('name=virtio_net\0')
  t.ok(at > 0, 'the name entry is found in the module')
  stripped.write('xxxx=', at, 'latin1')
  t.equal(moduleInfo(stripped, 'virtio-net.ko').name, 'virtio_net', 'file name virtio-net.ko gives virtio_net')
})

t.test("loadOrder of the testbed's wanted modules in the cached kernel loads virtio, net, 9p and virtiofs deps first", { skip: cachedKernel() ? false : NO_CACHED_KERNEL }, async (t) => {
  const kernel = cachedKernel()!
  const modules = new Map(kernel.modules.map((ko) => {
    const info = moduleInfo(readFileSync(ko), basename(ko))
    return [info.name, info] as const
  }))
  const order = loadOrder(WANTED_MODULES, modules)
  assertTopological(t, order, modules)
  for (const name of WANTED_MODULES) t.ok(order.includes(name), `${name} is loaded`)
  // testbed.md's list for Debian's 6.1 kernel.
  for (const name of ['virtio_ring', 'virtio', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'failover', 'net_failover', '9pnet', 'netfs', 'fscache', 'fuse']) {
    t.ok(order.includes(name), `${name} is pulled in as a dependency`)
  }
  t.notOk(order.includes('9pnet_rdma'), 'modules nobody needs stay out')
})
