import t from 'tap'
import { globMatch } from '../../agent/glob.ts'
import { pointRecord } from '../../agent/suite-run.ts'

t.test('check-id globs: * spans slashes, ? is one character, regex characters are literal', async (t) => {
  const table: Array<[string, string, boolean]> = [
    ['chown/*', 'chown/after-remount/file', true],
    ['chown/*/file', 'chown/after-remount/file', true],
    ['chown/*/file', 'chown/after-remount/dir', false],
    ['*/after-restart/*', 'xattr/after-restart/file', true],
    ['*/after-restart/*', 'xattr/after-restartx', false],
    ['xattr/size-?k/file', 'xattr/size-4k/file', true],
    ['xattr/size-?k/file', 'xattr/size-64k/file', false],
    ['modes/chmod-{stage}/file', 'modes/chmod-{stage}/file', true],
    ['modes/chmod-{stage}/file', 'modes/chmod-call/file', false],
    ['symlink/host-made/readlink', 'symlink/host-made/readlinkX', false],
    ['symlink/host-made/readlink', 'Xsymlink/host-made/readlink', false],
    ['a.b', 'axb', false],
    ['a|b', 'a', false],
    ['(a)+', 'aa', false],
    ['[ab]', 'a', false],
    ['^a$', '^a$', true],
    ['a\\b', 'a\\b', true],
  ]
  for (const [pattern, id, want] of table) t.equal(globMatch(pattern, id), want, `${pattern} ${want ? 'matches' : 'does not match'} ${id}`)
})

t.test('a known deviation turns a matching point into TODO, keeps its verdict and diagnostics, and never touches a SKIP', async (t) => {
  const todos = [
    { check: 'chown/*/symlink', reason: 'no ownership on symlinks here' },
    { check: 'chown/*', reason: 'later, broader entry' },
  ]
  const diagnostics = { op: 'lchown', args: ['chown/0-symlink'], wanted: '0', found: 'EPERM', errno: 'EPERM', stage: 'call' as const }
  t.strictSame(pointRecord('chown/call/symlink', todos, { ok: false, diagnostics }), { id: 'chown/call/symlink', ok: false, directive: { todo: 'no ownership on symlinks here' }, diagnostics }, 'the first matching entry gives the reason')
  t.strictSame(pointRecord('chown/call/file', todos, { ok: true }), { id: 'chown/call/file', ok: true, directive: { todo: 'later, broader entry' } }, 'a TODO that passes stays ok')
  t.strictSame(pointRecord('modes/chmod-call/file', todos, { ok: false, diagnostics }), { id: 'modes/chmod-call/file', ok: false, diagnostics }, 'no match: a plain failure')
  t.strictSame(pointRecord('chown/call/file', todos, { skip: 'needs root' }), { id: 'chown/call/file', ok: true, directive: { skip: 'needs root' } }, 'a SKIP stays a SKIP')
  t.strictSame(pointRecord('modes/x', [], { ok: true, diagnostics: {} }), { id: 'modes/x', ok: true }, 'empty diagnostics are left out')
})
