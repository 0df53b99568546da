// Long names and long paths: a 255-byte name (ASCII, and UTF-8 characters of three bytes) is
// kept whole; a 256-byte one is refused ENAMETOOLONG and leaves nothing behind (no truncated
// twin); a file at a path of PATH_MAX - 1 bytes can be made and read back.
import { NAMES, PATH_MAX, type Hex } from './catalog.ts'
import type { NamePoint } from './name-check.ts'

const CONTENT = 'limafs names\n'

const kept = (slug: string, hex: Hex, what: string): NamePoint => ({
  id: `names/long/${slug}`,
  title: `a ${what} is created, listed byte for byte and found by its name`,
  async run(n) {
    const dir = await n.dir(`long-${slug}`)
    await n.create(dir, hex, CONTENT)
    await n.listsExactly(dir, [hex])
    await n.c.expect(CONTENT, 'name-read', dir, hex)
  },
})

export const LONG: NamePoint[] = [
  kept('255-bytes', NAMES.long255, '255-byte name (NAME_MAX, ASCII)'),
  kept('255-bytes-utf8', NAMES.long255Utf8, '255-byte name of 85 three-byte UTF-8 characters'),
  {
    id: 'names/long/256-bytes',
    title: 'a 256-byte name is refused ENAMETOOLONG, and no shortened name is left in its place',
    async run(n) {
      const dir = await n.dir('long-256-bytes')
      await n.create(dir, NAMES.long256, CONTENT, 'ENAMETOOLONG')
      await n.listsExactly(dir, [])
    },
  },
  {
    id: 'names/long/path-max',
    title: `a file at a path of ${PATH_MAX - 1} bytes (PATH_MAX less its NUL: 16 dirs of 255-byte names) is made and read back`,
    async run(n) {
      const dir = await n.dir('long-path-max')
      await n.c.expect(CONTENT, 'deep-file', dir, PATH_MAX - 1, CONTENT)
    },
  },
]
