// Long names and long paths: a 255-byte name (ASCII, and UTF-8 characters of three bytes) is
// kept whole; a 256-byte one is refused ENAMETOOLONG and leaves nothing behind (no truncated
// twin); a file at a path of PATH_MAX - 1 bytes can be made and read back.
import { NAMES, PATH_MAX, type Hex } from './catalog.ts'
import type { NamePoint } from './name-check.ts'

const CONTENT = 'limafs names\n'
/** What any shortened form of the 256-byte name would start with ("limafs-256-"). */
const PREFIX_256 = NAMES.long256.slice(0, 22)

const kept = (slug: string, hex: Hex, what: string): NamePoint => ({
  id: `names/long/${slug}`,
  title: `a ${what} is created, listed byte for byte and found by its name (lstat: the size written)`,
  async run(n) {
    const group = await n.created('plain', hex)
    await n.listedOnce(group, hex)
    await n.foundBy(group, hex)
  },
})

export const LONG: NamePoint[] = [
  kept('255-bytes', NAMES.long255, '255-byte name (NAME_MAX, ASCII)'),
  kept('255-bytes-utf8', NAMES.long255Utf8, '255-byte name of 85 three-byte UTF-8 characters'),
  {
    id: 'names/long/256-bytes',
    title: 'a 256-byte name is refused ENAMETOOLONG, and no shortened name is left in its place',
    async run(n) {
      const group = await n.created('plain', NAMES.long256)
      const twins = n.listing(group).filter((h) => h.startsWith(PREFIX_256))
      if (twins.length) n.c.fail({ op: 'name-list', args: [group.dir], wanted: 'no name starting "limafs-256-"', found: twins.map((h) => `${h.length / 2} bytes`).join(', '), stage: 'call', class: 'silent' })
    },
  },
  {
    id: 'names/long/path-max',
    title: `a file at a path of ${PATH_MAX - 1} bytes (PATH_MAX less its NUL: 16 dirs of 255-byte names) is made and read back`,
    async run(n) {
      const dir = `${n.suiteDir}/path-max`
      await n.c.setup('mkdir', dir, 0o755)
      await n.c.expect(CONTENT, 'deep-file', dir, PATH_MAX - 1, CONTENT)
    },
  },
]
