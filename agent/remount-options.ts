// Mounting a share again "with the SAME options": what /proc/self/mountinfo says the mount
// has (its per-mount and per-superblock options), as one -o list for mount(8).
import { optionMap, type MountInfo } from './mountinfo.ts'

/** Options mount(8) must not get back: they describe state, not a request. */
const NOT_REQUESTABLE = new Set(['seclabel'])

/**
 * 9p shows its cache mode as a bare word on older kernels ("loose", 6.1), as bare hex bits from
 * 6.4 ("cache=f") and as cache=0xN since a late-2025 fix; only cache=... can be asked for, and 9p
 * ignores words it doesn't know.
 */
const NINEP_CACHE_WORDS = new Set(['loose', 'fscache', 'mmap', 'readahead'])

export function remountOptions(m: MountInfo): string {
  const merged = new Map<string, string>()
  for (const [k, v] of [...optionMap(m.mountOptions), ...optionMap(m.superOptions)]) {
    if (NOT_REQUESTABLE.has(k)) continue
    if (m.fsType === '9p' && v === '' && NINEP_CACHE_WORDS.has(k)) merged.set('cache', k)
    // Kernels from 6.4 show the cache bits as bare hex ("cache=f" for loose, "cache=8f" for fscache),
    // which the option parser reads as decimal or refuses (EINVAL: the share stays unmounted).
    else if (m.fsType === '9p' && k === 'cache' && /^[0-9a-f]+$/i.test(v)) merged.set('cache', `0x${v}`)
    else merged.set(k, v)
  }
  return [...merged].map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join(',')
}
