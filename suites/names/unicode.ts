// Unicode normalization: "café" composed (NFC, é one code point) and decomposed (NFD, e and a
// combining accent) are different bytes, so on a POSIX file system two different names. Each is
// kept as given, and both can exist side by side as two files. (macOS hosts look names up
// normalization-insensitively: there the second is EEXIST; the diagnostics then say which name
// the guest sees and what the host dir holds.)
import { NAMES } from './catalog.ts'
import type { NamePoint } from './name-check.ts'

export const UNICODE: NamePoint[] = [
  {
    id: 'names/unicode/nfc-kept',
    title: 'a name in NFC (composed: "café" with U+00E9) is listed in exactly that form',
    async run(n) {
      const group = await n.created('plain', NAMES.nfc)
      await n.listedOnce(group, NAMES.nfc, { always: true })
    },
  },
  {
    id: 'names/unicode/nfd-kept',
    title: 'a name in NFD (decomposed: "cafe" + U+0301), with no NFC twin in its dir, is listed in exactly that form',
    async run(n) {
      const group = await n.created('alone', NAMES.nfd)
      await n.listedOnce(group, NAMES.nfd, { always: true })
      if (n.listing(group).includes(NAMES.nfc)) n.c.fail({ op: 'name-list', args: [group.dir], wanted: 'the NFD form only', found: 'the NFC form too', stage: 'call', class: 'silent' })
    },
  },
  {
    id: 'names/unicode/both-forms',
    title: 'the NFC and the NFD form of one word are two files: both created (O_EXCL), both listed, two inodes',
    async run(n) {
      await n.created('plain', NAMES.nfc)
      const group = await n.created('plain', NAMES.nfd)
      await n.listedOnce(group, NAMES.nfc)
      await n.listedOnce(group, NAMES.nfd, { always: true })
      await n.twoFiles(group, NAMES.nfc, NAMES.nfd)
    },
  },
]
