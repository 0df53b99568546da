// Mounting a share again "with the SAME options": what /proc/self/mountinfo says the mount
// has (its per-mount and per-superblock options), as one -o list for mount(8).
import { NINEP_CACHE_WORDS } from './cache-mode.ts'
import { optionMap, type MountInfo } from './mountinfo.ts'

/** Options mount(8) must not get back: they describe state, not a request. */
const NOT_REQUESTABLE = new Set(['seclabel'])

export function remountOptions(m: MountInfo): string {
  const merged = new Map<string, string>()
  for (const [k, v] of [...optionMap(m.mountOptions), ...optionMap(m.superOptions)]) {
    if (NOT_REQUESTABLE.has(k)) continue
    // 9p shows its cache mode as a word or bits (see cache-mode.ts); only cache=... can be asked for.
    if (m.fsType === '9p' && v === '' && NINEP_CACHE_WORDS.has(k)) merged.set('cache', k)
    // Kernels from 6.4 show the cache bits as bare hex ("cache=f" for loose, "cache=8f" for fscache),
    // which the option parser reads as decimal or refuses (EINVAL: the share stays unmounted).
    else if (m.fsType === '9p' && k === 'cache' && /^[0-9a-f]+$/i.test(v)) merged.set('cache', `0x${v}`)
    else merged.set(k, v)
  }
  return [...merged].map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join(',')
}
