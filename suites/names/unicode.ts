// Unicode normalization: "café" composed (NFC, é one code point) and decomposed (NFD, e and a
// combining accent) are different bytes, so on a POSIX file system two different names. Each is
// kept as given, and both can exist side by side, each with its own content. (macOS hosts look
// names up normalization-insensitively: there the second is EEXIST; the diagnostics then say
// which name the guest sees and what the host dir holds.)
import { NAMES, type Hex } from './catalog.ts'
import type { NamePoint } from './name-check.ts'

const keptAlone = (form: 'nfc' | 'nfd', hex: Hex, what: string): NamePoint => ({
  id: `names/unicode/${form}-kept`,
  title: `a name in ${what} is listed in exactly that form (its bytes unchanged)`,
  async run(n) {
    const dir = await n.dir(`unicode-${form}`)
    await n.create(dir, hex, `${form}\n`)
    await n.listsExactly(dir, [hex], { always: true })
  },
})

export const UNICODE: NamePoint[] = [
  keptAlone('nfc', NAMES.nfc, 'NFC (composed: "café" with U+00E9)'),
  keptAlone('nfd', NAMES.nfd, 'NFD (decomposed: "cafe" + U+0301)'),
  {
    id: 'names/unicode/both-forms',
    title: 'the NFC and the NFD form of one word are two files: both created (O_EXCL), both listed, each with its own content',
    async run(n) {
      const dir = await n.dir('unicode-both')
      await n.create(dir, NAMES.nfc, 'nfc\n')
      try {
        await n.create(dir, NAMES.nfd, 'nfd\n')
      } catch (err) {
        // One file or two? Say what both sides hold now.
        await n.record(dir, ((await n.c.attempt('name-list', dir)).value as Hex[] | undefined) ?? [])
        throw err
      }
      await n.listsExactly(dir, [NAMES.nfc, NAMES.nfd], { always: true })
      await n.c.expect('nfc\n', 'name-read', dir, NAMES.nfc)
      await n.c.expect('nfd\n', 'name-read', dir, NAMES.nfd)
    },
  },
]
