import t from 'tap'
import { BoundedLines, OVERLONG_PREFIX_BYTES } from '../../provision/bounded-lines.ts'

const collect = (max: number) => {
  const lines: string[] = []
  const overlong: Array<[string, number]> = []
  const splitter = new BoundedLines(max, { line: (l) => lines.push(l), overlong: (p, n) => overlong.push([p, n]) })
  return { splitter, lines, overlong }
}

t.test('lines split across chunks, CRLF, a last line without a newline', async (t) => {
  const { splitter, lines } = collect(100)
  for (const chunk of ['ab', 'c\nd', 'e\r\n\nf', 'é'.slice(0, 1)]) splitter.push(Buffer.from(chunk))
  splitter.push(Buffer.from([0xc3]))
  splitter.push(Buffer.from([0xa9, 0x0a, 0x67]))
  splitter.end()
  t.strictSame(lines, ['abc', 'de', '', 'féé', 'g'], 'a UTF-8 character split between chunks is whole')
})

t.test('a line over the bound is dropped as it streams by: its first bytes and its length are told', async (t) => {
  const { splitter, lines, overlong } = collect(1000)
  splitter.push(Buffer.from('short\n'))
  const chunk = Buffer.alloc(64 * 1024, 'x')
  for (let i = 0; i < 100; i++) splitter.push(chunk)
  splitter.push(Buffer.from('tail\nnext\n'))
  t.strictSame(lines, ['short', 'next'])
  t.equal(overlong.length, 1)
  t.equal(overlong[0]![0], 'x'.repeat(OVERLONG_PREFIX_BYTES))
  t.equal(overlong[0]![1], 100 * 64 * 1024 + 4)
})

t.test('a line exactly at the bound is a line', async (t) => {
  const { splitter, lines, overlong } = collect(10)
  splitter.push(Buffer.from('0123456789\n01234567890\n'))
  t.strictSame(lines, ['0123456789'])
  t.equal(overlong.length, 1)
})
