// Characters shells and other systems treat specially, which a POSIX name may hold: a space, a
// newline, a backslash, a colon (the path separator of classic Mac OS, forbidden on Windows), a
// leading dash (an option to every command); and bytes that are not UTF-8 at all.
import { NAMES, type Hex } from './catalog.ts'
import type { NamePoint } from './name-check.ts'

const plain = (id: string, hex: Hex, what: string): NamePoint => ({
  id,
  title: `a name with ${what} is created, listed byte for byte and found by its name (lstat: the size written)`,
  async run(n) {
    const group = await n.created('plain', hex)
    await n.listedOnce(group, hex)
    await n.foundBy(group, hex)
  },
})

export const CHARS: NamePoint[] = [
  plain('names/chars/space', NAMES.space, 'a space'),
  plain('names/chars/newline', NAMES.newline, 'a newline'),
  plain('names/chars/backslash', NAMES.backslash, 'a backslash'),
  plain('names/chars/colon', NAMES.colon, 'a colon'),
  plain('names/chars/leading-dash', NAMES.leadingDash, 'a leading dash'),
  plain('names/bytes/invalid-utf8', NAMES.invalidUtf8, 'bytes that are not UTF-8 (0xff 0xfe, a lone 0x80, a broken pair)'),
]
