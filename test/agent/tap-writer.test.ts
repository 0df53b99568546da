import t from 'tap'
import { TapWriter, type Point } from '../../agent/tap-writer.ts'
import { parseTap } from '../helpers/agent-bundle.ts'

/** Strings a YAML reader would turn into something else if they were written plain. */
const TRICKY_STRINGS: Record<string, string> = {
  zero: '0',
  fields: '1234,5678',
  yes: 'yes',
  no: 'No',
  on: 'on',
  true: 'true',
  null: 'null',
  tilde: '~',
  colonSpace: 'a: b',
  colonEnd: 'key:',
  hash: '#comment',
  spaceHash: 'value # not a comment',
  empty: '',
  multiLine: 'first line\nsecond line\n',
  leadingSpace: ' lead',
  trailingSpace: 'trail ',
  tab: 'a\tb',
  nul: 'x\u0000y',
  dash: '-',
  dashSpace: '- item',
  question: '? key',
  bang: '!tag',
  anchor: '&a',
  alias: '*a',
  flowSeq: '[a, b]',
  flowMap: '{a: b}',
  quotes: `it's "quoted"`,
  pipe: '|',
  octal: '0o17',
  hex: '0x5',
  float: '1.5',
  dotFloat: '.5',
  dotInf: '.inf',
  dotNan: '.NaN',
  date: '2026-01-02',
  plainPath: 'chown/0-file',
  plainSentence: 'a plain sentence, with a comma',
}

/** A document with every kind of point, as the agent writes one mount. */
async function sampleDocument(): Promise<{ lines: string[]; leaves: Array<{ fullname: string; point: Point }> }> {
  const lines: string[] = []
  const leaves: Array<{ fullname: string; point: Point }> = []
  const tap = TapWriter.document((line) => lines.push(line))
  tap.comment('limafs-agent test header\nsecond comment line')
  const at = (w: TapWriter, path: string, point: Point) => {
    w.point(point)
    leaves.push({ fullname: `${path} > ${point.name}`, point })
  }
  await tap.subtest('/mnt/share', async (m) => {
    await m.subtest('chown', async (s) => {
      at(s, '/mnt/share > chown', { ok: true, name: 'chown/call/file' })
      at(s, '/mnt/share > chown', {
        ok: false,
        name: 'chown/at-once/file',
        diagnostics: { op: 'lstat', args: ['chown/0-file', 'uid,gid'], wanted: '1234,5678', found: '0,0', stage: 'at-once', class: 'silent' },
      })
      at(s, '/mnt/share > chown', { ok: true, name: 'chown/host-stored/file', directive: { skip: 'no host bridge: run through `limafs run`' } })
      at(s, '/mnt/share > chown', {
        ok: false,
        name: 'chown/call/symlink',
        directive: { todo: 'known: 9p security_model=none' },
        diagnostics: { op: 'lchown', args: ['chown/2-symlink', 1234, 5678], wanted: '0', found: 'EPERM', errno: 'EPERM', stage: 'call', class: 'loud' },
      })
    })
    await m.subtest('xattr', async (s) => {
      at(s, '/mnt/share > xattr', {
        ok: false,
        name: 'xattr/tricky/file',
        diagnostics: {
          op: 'getxattr',
          args: [],
          wanted: '6c696d616673',
          found: 'timeout',
          stage: 'call',
          host: { path: 'x/y', exists: true, virtfs: { uid: 1234, gid: 5678, mode: '0600' }, xattrs: {} },
          list: ['a', 1, true, null, ['nested', 'list'], [], { inList: 'map', deeper: { k: '0' } }, {}],
          tricky: TRICKY_STRINGS,
          numbers: { int: 42, negative: -1, float: 0.25 },
          flags: { yes: true, no: false },
        },
      })
      at(s, '/mnt/share > xattr', { ok: true, name: 'xattr/size-4k/file', diagnostics: { note: "refused with ENOSPC: this file system's size limit" } })
    })
  })
  await tap.subtest('/mnt/other share', async (m) => {
    await m.subtest('modes', async (s) => {
      at(s, '/mnt/other share > modes', { ok: true, name: 'modes/odd #name, C:\\\\share\\#1\\' })
    })
  })
  tap.plan()
  return { lines, leaves }
}

t.test('TapWriter writes nested subtests, directives and YAML diagnostics as node-tap does (golden)', async (t) => {
  const lines: string[] = []
  const tap = TapWriter.document((line) => lines.push(line))
  tap.comment('header')
  await tap.subtest('/mnt/share', async (m) => {
    await m.subtest('chown', async (s) => {
      s.point({ ok: true, name: 'chown/call/file' })
      s.point({ ok: false, name: 'chown/at-once/file', diagnostics: { op: 'lstat', args: ['chown/0-file', 'uid,gid'], wanted: '1234,5678', found: '0,0', stage: 'at-once', host: { exists: true, virtfs: { uid: 0 }, xattrs: {} }, list: [[1, 2], { a: 'b', c: [] }] } })
      s.point({ ok: true, name: 'chown/host-stored/file', directive: { skip: 'no host bridge' } })
      s.point({ ok: false, name: 'chown/call/symlink', directive: { todo: 'known deviation' } })
    })
  })
  tap.plan()
  t.equal(lines.join('\n'), [
    'TAP version 14',
    '# header',
    '# Subtest: /mnt/share',
    '    # Subtest: chown',
    '        ok 1 - chown/call/file',
    '        not ok 2 - chown/at-once/file',
    '          ---',
    '          op: lstat',
    '          args:',
    '            - chown/0-file',
    '            - uid,gid',
    '          wanted: "1234,5678"',
    '          found: "0,0"',
    '          stage: at-once',
    '          host:',
    '            exists: true',
    '            virtfs:',
    '              uid: 0',
    '            xattrs: {}',
    '          list:',
    '            - - 1',
    '              - 2',
    '            - a: b',
    '              c: []',
    '          ...',
    '        ok 3 - chown/host-stored/file # SKIP no host bridge',
    '        not ok 4 - chown/call/symlink # TODO known deviation',
    '        1..4',
    '    not ok 1 - chown',
    '    1..1',
    'not ok 1 - /mnt/share',
    '1..1',
  ].join('\n'), 'the golden document')
})

t.test('a TODO failure does not fail its subtest, a plain failure does, and the counts say which is which', async (t) => {
  const lines: string[] = []
  const tap = TapWriter.document((line) => lines.push(line))
  const todoOnly = await tap.subtest('todo only', async (s) => {
    s.point({ ok: false, name: 'a', directive: { todo: 'known' } })
    s.point({ ok: true, name: 'b', directive: { skip: 'why' } })
    s.point({ ok: true, name: 'c' })
  })
  const failing = await tap.subtest('failing', async (s) => s.point({ ok: false, name: 'd' }))
  t.strictSame(todoOnly, { pass: 1, fail: 0, todo: 1, skip: 1 }, 'counts with a TODO and a SKIP')
  t.strictSame(failing, { pass: 0, fail: 1, todo: 0, skip: 0 }, 'counts with a failure')
  t.ok(lines.includes('ok 1 - todo only'), 'the subtest with only a TODO failure is ok')
  t.ok(lines.includes('not ok 2 - failing'), 'the subtest with a failure is not ok')
})

t.test('every leaf point comes back through tap-parser with its name, ok, directive and diagnostics', async (t) => {
  const { lines, leaves } = await sampleDocument()
  const parsed = parseTap(`${lines.join('\n')}\n`)
  t.strictSame(parsed.parseErrors, [], 'no parse errors')
  t.equal(parsed.leaves.length, leaves.length, 'as many leaves as points written')
  for (const [i, want] of leaves.entries()) {
    const got = parsed.leaves[i]
    if (!got) {
      t.fail(`leaf ${i} (${want.point.name}) missing`)
      continue
    }
    const d = want.point.directive
    t.equal(got.name, want.point.name, `name of ${want.point.name}`)
    t.equal(got.fullname, want.fullname, `full name of ${want.point.name}`)
    t.equal(got.ok, want.point.ok, `ok of ${want.point.name}`)
    t.equal(got.skip, d && 'skip' in d ? d.skip : false, `skip reason of ${want.point.name}`)
    t.equal(got.todo, d && 'todo' in d ? d.todo : false, `todo reason of ${want.point.name}`)
    t.strictSame(got.diag, want.point.diagnostics ?? null, `diagnostics of ${want.point.name}`)
  }
})

t.test('each string that needs quoting reads back as the same string', async (t) => {
  for (const [key, value] of Object.entries(TRICKY_STRINGS)) {
    const lines: string[] = []
    TapWriter.document((line) => lines.push(line)).point({ ok: false, name: key, diagnostics: { found: value, [value || 'empty-key']: 'as a key' } })
    const [leaf] = parseTap(`${lines.join('\n')}\n1..1\n`).leaves
    t.strictSame(leaf?.diag, { found: value, [value || 'empty-key']: 'as a key' }, `${JSON.stringify(value)} as a value and as a key`)
  }
})
