import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { UsageError } from '../../provision/errors.ts'
import { loadMatrix, parseMatrix } from '../../provision/matrix/load-matrix.ts'
import { MatrixError } from '../../provision/matrix/matrix-error.ts'

/** The problem lines parseMatrix reports for a text (none when it parses). */
function problems(text: string): string[] {
  try {
    parseMatrix(text, 'm.yaml')
    return []
  } catch (err) {
    if (!(err instanceof MatrixError)) throw err
    return err.message.split('\n')
  }
}

/** A matrix text: `lines` joined, for tables where positions must be easy to count. */
const yaml = (...lines: string[]) => `${lines.join('\n')}\n`

t.test('each kind of problem is reported at its node, with its key path and message', async (t) => {
  const ok = '  - { name: ok, mountType: 9p }'
  const table: Array<[string, string, string]> = [
    ['a value outside an enum lists the allowed values',
      yaml('configs:', '  - name: a', '    mountType: 9p', '    9p: { cache: mmapp }'),
      'm.yaml:4:18: configs[0].9p.cache: must be one of none|loose|fscache|mmap'],
    ['an unknown key points at the key and suggests the near one',
      yaml('configs:', '  - name: a', '    mountType: 9p', '    9p:', '      cachee: mmap'),
      'm.yaml:5:7: configs[0].9p.cachee: unknown key (did you mean cache?)'],
    ['an unknown key with no near one lists the known keys',
      yaml('configs:', ok, 'colour: blue'),
      'm.yaml:3:1: colour: unknown key (known keys: backend, configs, suites, expect)'],
    ['a missing required key points at the map that lacks it',
      yaml('configs:', ok, ok.replace('ok', 'ok2'), '  - name: b', '    writable: true'),
      'm.yaml:4:5: configs[2].mountType: required'],
    ['a missing configs list points at the document',
      yaml('backend: lima'),
      'm.yaml:1:1: configs: required'],
    ['an empty configs list is a problem',
      yaml('configs: []'),
      'm.yaml:1:10: configs: must not be empty'],
    ['an empty file is a problem',
      '',
      'm.yaml:1:1: the matrix is empty; it needs at least a configs: list'],
    ['a document that is not a map is a problem',
      yaml('- a'),
      'm.yaml:1:1: must be a map, got a list'],
    ['a wrong type names the type wanted and what was given',
      yaml('configs:', '  - { name: a, mountType: 9p, writable: yes }'),
      'm.yaml:2:41: configs[0].writable: must be true or false, got "yes"'],
    ['a name that cannot be a file name is a problem',
      yaml('configs:', '  - { name: "my config", mountType: 9p }'),
      'm.yaml:2:13: configs[0].name: must match ^[A-Za-z0-9._-]+$ (it becomes a file and directory name)'],
    ['a name of .. is a problem',
      yaml('configs:', '  - { name: .., mountType: 9p }'),
      'm.yaml:2:13: configs[0].name: must not be . or .. (it becomes a directory name)'],
    ['a duplicate config name points at the second one',
      yaml('configs:', '  - { name: a, mountType: 9p }', '  - { name: b, mountType: 9p }', '  - { name: a, mountType: virtiofs }'),
      'm.yaml:4:13: configs[2].name: duplicate config name "a" (also configs[0])'],
    ['a 9p block on a virtiofs config is a problem',
      yaml('configs:', '  - name: v', '    mountType: virtiofs', '    9p: { cache: none }'),
      'm.yaml:4:5: configs[0].9p: only for mountType 9p; this config is virtiofs'],
    ['a virtiofs block on a 9p config is a problem',
      yaml('configs:', '  - name: n', '    mountType: 9p', '    virtiofs: { queueSize: 1024 }'),
      'm.yaml:4:5: configs[0].virtiofs: only for mountType virtiofs; this config is 9p'],
    ['an unknown mount type lists the known ones',
      yaml('configs:', '  - { name: a, mountType: wsl2 }'),
      'm.yaml:2:27: configs[0].mountType: must be one of 9p|virtiofs|reverse-sshfs'],
    ['an sshfs block belongs to reverse-sshfs configs only',
      yaml('configs:', '  - { name: a, mountType: 9p, sshfs: { cache: false } }'),
      'm.yaml:2:31: configs[0].sshfs: only for mountType reverse-sshfs; this config is 9p'],
    ['an unknown sftpDriver lists the known ones',
      yaml('configs:', '  - { name: a, mountType: reverse-sshfs, sshfs: { sftpDriver: sftp } }'),
      'm.yaml:2:63: configs[0].sshfs.sftpDriver: must be one of openssh-sftp-server|builtin'],
    ['mountInotify is true or false',
      yaml('configs:', '  - { name: a, mountType: 9p, mountInotify: yes please }'),
      'm.yaml:2:45: configs[0].mountInotify: must be true or false, got "yes please"'],
    ['a msize that is not a size is a problem',
      yaml('configs:', '  - { name: a, mountType: 9p, 9p: { msize: 128 KiBs } }'),
      'm.yaml:2:44: configs[0].9p.msize: "128 KiBs" is not a size (write e.g. 128KiB, 1MiB or 131072)'],
    ['a msize below 4KiB is a problem',
      yaml('configs:', '  - { name: a, mountType: 9p, 9p: { msize: 2k } }'),
      'm.yaml:2:44: configs[0].9p.msize: must be at least 4KiB (the guest kernel refuses less), got 2k'],
    ['a virtiofs queueSize that is not a power of 2 is a problem',
      yaml('configs:', '  - { name: v, mountType: virtiofs, virtiofs: { queueSize: 1000 } }'),
      'm.yaml:2:60: configs[0].virtiofs.queueSize: must be a power of 2 up to 1024 (QEMU refuses other queue sizes)'],
    ['an unknown backend lists the known ones',
      yaml('backend: docker', 'configs:', ok),
      'm.yaml:1:10: backend: must be one of testbed|lima|ssh'],
    ['an unknown suite lists the known ones',
      yaml('configs:', ok, 'suites: [chown, acl]'),
      'm.yaml:3:17: suites[1]: must be one of chown|symlink|xattr|modes|times|host-side|locks|open-files|space|names|dirs|read-only|coherence|migrate|bench'],
    ['an expect entry without a reason points at the entry',
      yaml('configs:', ok, 'expect:', '  - { check: "chown/*", config: ok }'),
      'm.yaml:4:5: expect[0].reason: required'],
    ['an expect entry with a blank check is a problem',
      yaml('configs:', ok, 'expect:', '  - { check: " ", config: ok, reason: r }'),
      'm.yaml:4:14: expect[0].check: must not be empty'],
    ['an expect check that starts with a misspelt suite is a problem',
      yaml('configs:', ok, 'expect:', '  - { check: "symlnk/*", config: ok, reason: r }'),
      'm.yaml:4:14: expect[0].check: starts with unknown suite "symlnk" (did you mean symlink?)'],
    ['an expect check that starts with an unknown suite lists the known ones',
      yaml('configs:', ok, 'expect:', '  - { check: acl/get, config: ok, reason: r }'),
      'm.yaml:4:14: expect[0].check: starts with unknown suite "acl" (check ids start with one of chown|symlink|xattr|modes|times|host-side|locks|open-files|space|names|dirs|read-only|coherence|migrate|bench)'],
    ['a suite listed twice is a problem',
      yaml('configs:', ok, 'suites: [chown, xattr, chown]'),
      'm.yaml:3:24: suites[2]: "chown" is listed twice (also suites[0])'],
    ['an expect config glob that matches no config is a problem',
      yaml('configs:', ok, 'expect:', '  - { check: "chown/*", config: "9p-*", reason: r }'),
      'm.yaml:4:33: expect[0].config: "9p-*" matches no config name'],
  ]
  for (const [name, text, want] of table) t.strictSame(problems(text), [want], name)
})

t.test('every problem in a file is reported at once, in file order', async (t) => {
  const text = yaml(
    'backend: vm',
    'configs:',
    '  - name: a',
    '    mountType: 9p',
    '    9p: { securityModle: mapped-xattr, cache: lose }',
    '  - name: a',
    '    mountType: virtiofs',
    '    9p: { cache: none }',
    '  - writable: true',
    'suites: [chown, bonnie]',
    'expect:',
    '  - { check: "symlink/*", config: "virtio*" }',
  )
  t.strictSame(problems(text), [
    'm.yaml:1:10: backend: must be one of testbed|lima|ssh',
    'm.yaml:5:11: configs[0].9p.securityModle: unknown key (did you mean securityModel?)',
    'm.yaml:5:47: configs[0].9p.cache: must be one of none|loose|fscache|mmap',
    'm.yaml:6:11: configs[1].name: duplicate config name "a" (also configs[0])',
    'm.yaml:8:5: configs[1].9p: only for mountType 9p; this config is virtiofs',
    'm.yaml:9:5: configs[2].name: required',
    'm.yaml:9:5: configs[2].mountType: required',
    'm.yaml:10:17: suites[1]: must be one of chown|symlink|xattr|modes|times|host-side|locks|open-files|space|names|dirs|read-only|coherence|migrate|bench',
    'm.yaml:12:5: expect[0].reason: required',
    'm.yaml:12:35: expect[0].config: "virtio*" matches no config name',
  ])
})

t.test('a problem reached through an alias points at the anchored node', async (t) => {
  const text = yaml(
    'configs:',
    '  - { name: a, mountType: 9p, 9p: &s { cache: mmapp } }',
    '  - { name: b, mountType: 9p, 9p: *s }',
  )
  t.strictSame(problems(text), [
    'm.yaml:2:47: configs[0].9p.cache: must be one of none|loose|fscache|mmap',
    'm.yaml:2:47: configs[1].9p.cache: must be one of none|loose|fscache|mmap',
  ])
})

t.test('an anchor reused through aliases fills every config that uses it', async (t) => {
  const text = yaml(
    'configs:',
    '  - { name: a, mountType: 9p, writable: true, 9p: &s { securityModel: mapped-file } }',
    '  - { name: b, mountType: 9p, 9p: *s }',
  )
  t.strictSame(parseMatrix(text, 'm.yaml').configs.map((c) => [c.name, c.ninep?.securityModel, c.ninep?.cache]), [
    ['a', 'mapped-file', 'mmap'],
    ['b', 'mapped-file', 'fscache'],
  ])
})

t.test('the error is a UsageError (exit 64) that carries the problems as data', async (t) => {
  const err = t.throws(() => parseMatrix(yaml('configs:', '  - { name: a, mountType: 9p, 9p: { cache: x } }'), 'dir/m.yaml'))
  t.ok(err instanceof UsageError, 'a UsageError')
  t.ok(err instanceof MatrixError, 'a MatrixError')
  t.strictSame((err as MatrixError).problems, [
    { file: 'dir/m.yaml', line: 2, col: 44, path: 'configs[0].9p.cache', message: 'must be one of none|loose|fscache|mmap' },
  ])
})

t.test('YAML syntax errors come out as file:line:col: message', async (t) => {
  const table: Array<[string, string, string]> = [
    ['an unclosed flow list',
      yaml('configs:', '  - { name: a, mountType: 9p }', 'suites: [chown, xattr'),
      'm.yaml:4:1: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['a key given twice',
      yaml('configs:', '  - { name: a, name: b, mountType: 9p }'),
      'm.yaml:2:16: Map keys must be unique'],
    ['a mapping nested on one line',
      yaml('configs:', '  - name: a: b'),
      'm.yaml:2:11: Nested mappings are not allowed in compact mappings'],
    ['a tab as indentation',
      yaml('configs:', '\t- name: a'),
      'm.yaml:2:1: Tabs are not allowed as indentation'],
    ['an alias without its anchor',
      yaml('configs:', '  - { name: a, mountType: 9p, 9p: *settings }'),
      'm.yaml:2:35: unknown alias *settings (an anchor &settings must come before it)'],
    ['two documents in one file',
      yaml('configs: []', '---', 'configs: []'),
      'm.yaml:2:1: a matrix file holds one YAML document; this --- starts a second one'],
  ]
  for (const [name, text, want] of table) t.strictSame(problems(text), [want], name)
})

t.test('a file that cannot be read is an error naming the file', async (t) => {
  const dir = t.testdir({})
  const missing = join(dir, 'nope.yaml')
  t.throws(() => loadMatrix(missing), { name: 'MatrixError', message: new RegExp(`^cannot read the matrix file ${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ENOENT`) })
  const directory = join(dir, 'adir')
  mkdirSync(directory)
  t.throws(() => loadMatrix(directory), { name: 'MatrixError', message: /^cannot read the matrix file .*adir: EISDIR/ })
})

t.test('a matrix file is read and named in its problems', async (t) => {
  const dir = t.testdir({ 'good.yaml': yaml('configs:', '  - { name: a, mountType: 9p }'), 'bad.yaml': yaml('configs:', '  - { name: a }') })
  t.equal(loadMatrix(join(dir, 'good.yaml')).file, join(dir, 'good.yaml'))
  t.throws(() => loadMatrix(join(dir, 'bad.yaml')), { message: `${join(dir, 'bad.yaml')}:2:5: configs[0].mountType: required` })
})
