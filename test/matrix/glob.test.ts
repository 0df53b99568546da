import t from 'tap'
import { globMatch } from '../../agent/glob.ts'
import { parseMatrix } from '../../provision/matrix/load-matrix.ts'
import { todosFor } from '../../provision/matrix/todos-for.ts'

t.test('globs match whole names with * and ? and take everything else literally', async (t) => {
  const table: Array<[string, string, boolean]> = [
    ['9p-mapped-*', '9p-mapped-xattr-mmap', true],
    ['9p-mapped-*', '9p-mapped-file-none', true],
    ['9p-mapped-*', '9p-none-mmap', false],
    ['9p-*-mmap', '9p-none-mmap', true],
    ['9p-*-mmap', '9p-none-mmapx', false],
    ['*', 'anything/at/all', true],
    ['symlink/*', 'symlink/host-made/readlink', true],
    ['symlink/*', 'xattr/symlink/get', false],
    ['9p-none-?map', '9p-none-mmap', true],
    ['9p-none-?map', '9p-none-map', false],
    ['virtiofs', 'virtiofs', true],
    ['virtiofs', 'virtiofs2', false],
    ['9p.none', '9p-none', false],
    ['a+b', 'a+b', true],
    ['(x)', '(x)', true],
    ['', '', true],
  ]
  for (const [pattern, text, want] of table) {
    t.equal(globMatch(pattern, text), want, `${JSON.stringify(pattern)} ${want ? 'matches' : 'does not match'} ${JSON.stringify(text)}`)
    // The agent matches todosFor's check globs itself: both sides must read a glob the same way.
  }
})

t.test('todosFor gives the expect entries whose config glob matches, check left a glob', async (t) => {
  const matrix = parseMatrix(
    [
      'configs:',
      '  - { name: 9p-mapped-xattr-mmap, mountType: 9p }',
      '  - { name: 9p-mapped-file-none, mountType: 9p }',
      '  - { name: 9p-none-mmap, mountType: 9p }',
      '  - { name: virtiofs, mountType: virtiofs }',
      'expect:',
      '  - { check: symlink/host-made/readlink, config: "9p-mapped-*", reason: "QEMU < 11 ELOOP" }',
      '  - { check: "chown/*", config: "9p-none-*", reason: no ownership mapping }',
      '  - { check: "xattr/symlink/?et", config: "9p-*-mmap", reason: no user xattrs on symlinks }',
      '',
    ].join('\n'),
    'm.yaml',
  )
  const table: Array<[string, Array<{ check: string; reason: string }>]> = [
    ['9p-mapped-xattr-mmap', [
      { check: 'symlink/host-made/readlink', reason: 'QEMU < 11 ELOOP' },
      { check: 'xattr/symlink/?et', reason: 'no user xattrs on symlinks' },
    ]],
    ['9p-mapped-file-none', [{ check: 'symlink/host-made/readlink', reason: 'QEMU < 11 ELOOP' }]],
    ['9p-none-mmap', [
      { check: 'chown/*', reason: 'no ownership mapping' },
      { check: 'xattr/symlink/?et', reason: 'no user xattrs on symlinks' },
    ]],
    ['virtiofs', []],
    ['not-in-the-matrix', []],
  ]
  for (const [config, want] of table) t.strictSame(todosFor(matrix, config), want, config)
})
