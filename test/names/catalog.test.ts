// The names suite's names and how diagnostics show them: the bytes are what the catalog says
// (NFC and NFD differ, 255 bytes is 255 bytes), a name reads as text and hex, a non-UTF-8 one
// with \x escapes, a long one by its start and length; the host's listing is read as bytes.
import t from 'tap'
import { hexOf, NAME_MAX, NAMES, showName, showNames } from '../../suites/names/catalog.ts'
import { hostNamesFrom, showNameArgs } from '../../suites/names/name-check.ts'

t.test('the catalog holds the bytes each point is about', async (t) => {
  t.equal(NAMES.nfc, '636166c3a9', 'NFC café: é is c3 a9')
  t.equal(NAMES.nfd, '63616665cc81', 'NFD café: e + combining acute cc 81')
  t.equal(Buffer.from(NAMES.nfc, 'hex').toString('utf8').normalize('NFD'), Buffer.from(NAMES.nfd, 'hex').toString('utf8'), 'one word in two forms')
  t.equal(Buffer.from(NAMES.long255, 'hex').length, NAME_MAX)
  t.equal(Buffer.from(NAMES.long255Utf8, 'hex').length, NAME_MAX, '85 three-byte characters')
  t.equal(Buffer.from(NAMES.long256, 'hex').length, NAME_MAX + 1)
  t.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(NAMES.invalidUtf8, 'hex')), 'the invalid name really is not UTF-8')
  t.equal(Buffer.from(NAMES.upper, 'hex').toString().toLowerCase(), Buffer.from(NAMES.lower, 'hex').toString(), 'upper and lower differ only in case')
  t.equal(Buffer.from(NAMES.renameFrom, 'hex').toString().toLowerCase(), Buffer.from(NAMES.renameTo, 'hex').toString().toLowerCase(), 'the rename changes only case')
  const all = Object.values(NAMES)
  t.equal(new Set(all).size, all.length, 'no two names are the same bytes')
})

t.test('a name shows as quoted text and its hex, so NFC and NFD can be told apart', async (t) => {
  t.equal(showName(NAMES.nfc), '"café" <636166c3a9>')
  t.equal(showName(NAMES.nfd), '"cafe\u0301" <63616665cc81>', 'the same text (decomposed), other bytes')
  t.equal(showName(NAMES.newline), '"new\\nline" <6e65770a6c696e65>', 'a newline as \\n')
  t.equal(showName(NAMES.invalidUtf8), '"bad-\\xff\\xfe-\\x80-\\xc3(" (not UTF-8) <6261642dfffe2d802dc328>', 'bytes that are not UTF-8 as \\x escapes')
  t.equal(showName(NAMES.long255), '"limafs-255-nnnnnnnnnnnn…" (255 bytes)', 'a long name by its start and length')
  t.equal(showNames([]), 'nothing')
  t.equal(showNames([hexOf('a'), hexOf('b')]), '"a" <61>, "b" <62>')
  t.strictSame(showNameArgs('name-rename', ['dir', NAMES.renameFrom, NAMES.renameTo]), ['dir', '"rename-me" <72656e616d652d6d65>', '"Rename-Me" <52656e616d652d4d65>'], 'name ops show their names')
  t.strictSame(showNameArgs('mkdir', ['dir', 493]), ['dir', 493], 'other ops as they are')
})

t.test('the host listing is read as bytes, whatever form of list it comes in; anything else is not a listing', async (t) => {
  t.strictSame(hostNamesFrom([{ hex: '62', utf8: 'b' }, { hex: '61', utf8: 'a' }]), ['61', '62'], 'entries with hex, sorted')
  t.strictSame(hostNamesFrom({ entries: [{ hex: 'FF' }] }), ['ff'], 'under entries, lower-cased')
  t.strictSame(hostNamesFrom(['61']), ['61'], 'plain hex strings')
  t.equal(hostNamesFrom([{ name: 'a' }]), undefined, 'no hex: not a listing')
  t.equal(hostNamesFrom('61'), undefined)
  t.equal(hostNamesFrom([{ hex: 'xyz' }]), undefined, 'not hex')
})
