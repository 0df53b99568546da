// The share as a whole: drop_caches, remount, and a look at a --mount path (never changed).
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import { splitMountOptions } from '../../mount-flags.ts'
import { command, type OpFamily } from './op-env.ts'

export const shareOps: OpFamily = {
  'drop-caches': async ({ special }) => {
    // Dirty pages first (drop_caches drops only clean ones): sync(2) through the python3 helper
    // when it runs (a process costs ~0.1 s under emulation), else sync(1).
    if (!(special.tool === 'python3' && (await special.call('sync', [])).ok)) spawnSync('sync')
    fs.writeFileSync('/proc/sys/vm/drop_caches', '3')
  },
  remount: async ({ special }, [mountPoint, fsType, source, options]) => {
    // umount(2) and mount(2) through the python3 helper when it runs (each process costs ~0.1 s
    // under emulation), split the way mount(8) splits options; else umount(8) and mount(8).
    const viaHelper = special.tool === 'python3'
    const { flags, data } = splitMountOptions(options)
    const down = viaHelper ? await special.call('umount', [mountPoint]) : command('umount', [mountPoint])
    if (!down.ok) return down
    const mount = async () => (viaHelper ? await special.call('mount', [source, mountPoint, fsType, flags, data]) : command('mount', ['-t', fsType, '-o', options, source, mountPoint]))
    const up = await mount()
    if (up.ok) return { ok: true }
    // Never leave a user's share unmounted: try once more (with mount(8) too) before giving up.
    if ((await mount()).ok || command('mount', ['-t', fsType, '-o', options, source, mountPoint]).ok) return { ok: true }
    return { ...up, message: `${up.message} (THE SHARE IS NOW UNMOUNTED: mount it again by hand)` }
  },
  'mount-probe': ({ guard }, [p]) => {
    guard.assertMountPath(p)
    fs.statSync(p) // throws what is wrong with a path that is not there
    let writable = true
    try {
      fs.accessSync(p, fs.constants.W_OK)
    } catch {
      writable = false
    }
    return { writable }
  },
}
