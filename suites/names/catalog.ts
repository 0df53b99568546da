// The names the names suite makes, as the bytes they are, and how a name reads in diagnostics.
// Pure data and text.

/** A name as the hex of its bytes (what the byte-name ops take and return). */
export type Hex = string

export const hexOf = (name: string | Buffer): Hex => (typeof name === 'string' ? Buffer.from(name, 'utf8') : name).toString('hex')

/** NAME_MAX on Linux and macOS alike: a name of 255 bytes is allowed, 256 is ENAMETOOLONG. */
export const NAME_MAX = 255
/** PATH_MAX (4096) counts the NUL: the longest path a system call takes is 4095 bytes. */
export const PATH_MAX = 4096

export const NAMES = {
  /** 255 bytes of ASCII. */
  long255: hexOf(`limafs-255-${'n'.repeat(NAME_MAX - 11)}`),
  /** 255 bytes as 85 three-byte UTF-8 characters (名, U+540D). */
  long255Utf8: hexOf('\u540d'.repeat(NAME_MAX / 3)),
  long256: hexOf(`limafs-256-${'n'.repeat(NAME_MAX + 1 - 11)}`),
  space: hexOf('with space'),
  newline: hexOf('new\nline'),
  backslash: hexOf('back\\slash'),
  colon: hexOf('co:lon'),
  leadingDash: hexOf('-leading-dash'),
  /** Not UTF-8 at all: 0xff 0xfe never occur in it, 0x80 is a lone continuation byte, 0xc3 0x28 a broken pair. */
  invalidUtf8: Buffer.concat([Buffer.from('bad-'), Buffer.from([0xff, 0xfe]), Buffer.from('-'), Buffer.from([0x80]), Buffer.from('-'), Buffer.from([0xc3, 0x28])]).toString('hex'),
  /** "café" composed (é = U+00E9: c3 a9) and decomposed (e + U+0301 combining acute: 65 cc 81). */
  nfc: hexOf('caf\u00e9'),
  nfd: hexOf('cafe\u0301'),
  upper: hexOf('Limafs-Case'),
  lower: hexOf('limafs-case'),
  shout: hexOf('LIMAFS-CASE'),
  renameFrom: hexOf('rename-me'),
  renameTo: hexOf('Rename-Me'),
} as const

const decoder = new TextDecoder('utf-8', { fatal: true })
/** Longest name shown whole; longer ones show their start and their length. */
const SHOWN_BYTES = 40

/**
 * A name as people can read it and tell apart: its text, quoted with escapes (a newline is \n,
 * a byte that is not UTF-8 \xff), then its bytes in hex ("café" <636166c3a9>); a long one by its
 * start and length.
 */
export function showName(hex: Hex): string {
  const bytes = Buffer.from(hex, 'hex')
  let text: string
  try {
    text = JSON.stringify(decoder.decode(bytes))
  } catch {
    text = `"${[...bytes].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : b === 0x5c ? '\\\\' : b === 0x22 ? '\\"' : `\\x${b.toString(16).padStart(2, '0')}`)).join('')}" (not UTF-8)`
  }
  if (bytes.length <= SHOWN_BYTES) return `${text} <${hex}>`
  return `${text.slice(0, 24)}…" (${bytes.length} bytes)`
}

/** A listing as it reads in diagnostics. */
export const showNames = (names: readonly Hex[]) => (names.length ? names.map(showName).join(', ') : 'nothing')
