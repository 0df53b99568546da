// .ci/count-tap.mjs: the closing line CI reads, and a failure's why on its "failed:" line (a CI
// log may show nothing else).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'

const dir = mkdtempSync(join(tmpdir(), 'count-tap-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

const count = (tap: string): { status: number; out: string } => {
  const file = join(dir, 'in.tap')
  writeFileSync(file, tap)
  try {
    return { status: 0, out: execFileSync('node', ['.ci/count-tap.mjs', file], { encoding: 'utf8' }) }
  } catch (e) {
    const err = e as { status: number; stdout: string }
    return { status: err.status, out: err.stdout }
  }
}

t.test('passes, TODOs and skips are counted; exit 0', async (t) => {
  const r = count('TAP version 14\nok 1 - a\nnot ok 2 - b # TODO later\nok 3 - c # SKIP no\n1..3\n')
  t.equal(r.status, 0)
  t.equal(r.out, '1 passed, 0 failed, 2 skipped\n')
})

t.test('a failure names its point and says what it found: a diff, or found and wanted', async (t) => {
  const tap = [
    'TAP version 14',
    '# Subtest: run',
    '    not ok 1 - nothing fails',
    '      ---',
    '      diff: |',
    '        --- expected',
    '        +++ actual',
    '        -Array []',
    '        +Array [',
    '        +  "virtiofs open-files/x (silent): gone",',
    '        +]',
    '      ...',
    '    not ok 2 - exit code',
    '      ---',
    '      found: 1',
    '      wanted: 0',
    '      ...',
    '    1..2',
    'not ok 1 - run',
    '1..1',
    '',
  ].join('\n')
  const r = count(tap)
  t.equal(r.status, 1)
  const lines = r.out.trim().split('\n')
  t.match(lines[0], /^failed: run > nothing fails \[.*\+ {2}"virtiofs open-files\/x \(silent\): gone",/)
  t.equal(lines[1], 'failed: run > exit code [found 1 wanted 0]')
  t.equal(lines.at(-1), '0 passed, 2 failed, 0 skipped')
})
