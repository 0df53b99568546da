// A 9p mount's cache mode, read back from /proc/self/mountinfo: a bare word on older kernels
// ("loose", 6.1; none shows nothing), bare hex bits from 6.4 ("cache=f") and cache=0xN since a
// late-2025 fix. The bits: FILE=1, META=2, WRITEBACK=4, LOOSE=8, FSCACHE=0x80.
import { optionMap, type MountInfo } from './mountinfo.ts'

/** The words 9p shows for a cache mode on older kernels. */
export const NINEP_CACHE_WORDS: ReadonlySet<string> = new Set(['loose', 'fscache', 'mmap', 'readahead'])

const BY_BITS: Record<number, string> = { 0x0: 'none', 0x1: 'readahead', 0x5: 'mmap', 0xf: 'loose', 0x8f: 'fscache' }

/** The mount's cache mode as lima.yaml names it (none, loose, fscache, mmap, readahead); undefined when not 9p or not known. */
export function cacheModeOf(m: MountInfo): string | undefined {
  if (m.fsType !== '9p') return undefined
  const options = optionMap(m.superOptions)
  const word = [...options].find(([k, v]) => v === '' && NINEP_CACHE_WORDS.has(k))?.[0]
  if (word) return word
  const bits = options.get('cache')
  if (bits === undefined) return 'none'
  return /^(0x)?[0-9a-f]+$/i.test(bits) ? BY_BITS[Number.parseInt(bits.replace(/^0x/i, ''), 16)] : undefined
}
