import { join } from 'node:path'
import t from 'tap'
import { matrixCommand, MATRIX_USAGE } from '../../cli/matrix-command.ts'
import type { CliEnvironment } from '../../cli/environment.ts'
import { UsageError } from '../../provision/errors.ts'
import { loadDefaultMatrix, parseMatrix } from '../../provision/matrix/load-matrix.ts'
import { MatrixError } from '../../provision/matrix/matrix-error.ts'
import type { Matrix } from '../../provision/matrix/types.ts'

const env: CliEnvironment = { cacheDir: '/nonexistent/cache', instancesDir: '/nonexistent/instances', isCi: false }

/** Runs `limafs matrix ARGV`, returning its exit code and what it printed. */
async function run(argv: string[]): Promise<{ code: number; out: string }> {
  let out = ''
  const code = await matrixCommand(argv, env, { write: (text) => void (out += text) })
  return { code, out }
}

const withoutFile = ({ file: _file, ...rest }: Matrix) => rest

const CUSTOM = [
  '# a small matrix, mostly defaults',
  'backend: ssh',
  'configs:',
  '  - { name: ro, mountType: 9p }',
  '  - name: rw',
  '    mountType: 9p',
  '    writable: true',
  '    9p: { securityModel: mapped-xattr, msize: 512k, protocolVersion: 9p2000.u }',
  '  - { name: vfs, mountType: virtiofs, virtiofs: { queueSize: 512 } }',
  '  - { name: sshfs, mountType: reverse-sshfs, mountInotify: true, sshfs: { followSymlinks: true } }',
  'suites: [xattr, bench]',
  'expect:',
  '  - { check: "xattr/*", config: "r?", reason: "a reason: with a colon, and # a hash" }',
  '',
].join('\n')

t.test('matrix print output parses back to the same matrix', async (t) => {
  const dir = t.testdir({ 'custom.yaml': CUSTOM })
  const custom = join(dir, 'custom.yaml')
  const table: Array<[string, string[], Matrix]> = [
    ['the default matrix as YAML', ['print'], loadDefaultMatrix()],
    ['the default matrix as JSON', ['print', '--json'], loadDefaultMatrix()],
    ['a given matrix as YAML', ['print', '--matrix', custom], parseMatrix(CUSTOM, custom)],
    ['a given matrix as JSON', ['print', '--matrix', custom, '--json'], parseMatrix(CUSTOM, custom)],
  ]
  for (const [name, argv, want] of table) {
    const { code, out } = await run(argv)
    t.equal(code, 0, `${name}: exit 0`)
    t.strictSame(withoutFile(parseMatrix(out, 'printed.yaml')), withoutFile(want), `${name}: round-trips`)
  }
})

t.test('matrix print spells out every default, in the file vocabulary', async (t) => {
  const dir = t.testdir({ 'm.yaml': 'configs:\n  - { name: a, mountType: 9p }\n' })
  const { out } = await run(['print', '--matrix', join(dir, 'm.yaml')])
  t.equal(out, [
    `# limafs matrix, every default filled in, from ${join(dir, 'm.yaml')}`,
    '',
    'backend: testbed',
    'configs:',
    '  - name: a',
    '    mountType: 9p',
    '    writable: false',
    '    mountInotify: false',
    '    9p: { securityModel: none, cache: fscache, msize: 128KiB, protocolVersion: 9p2000.L }',
    'suites: [ chown, symlink, xattr, modes, times, host-side, locks, open-files, space, names, dirs, read-only, coherence, migrate, bench ]',
    'expect: []',
    '',
  ].join('\n'))
  const json = JSON.parse((await run(['print', '--matrix', join(dir, 'm.yaml'), '--json'])).out) as unknown
  t.strictSame(json, {
    backend: 'testbed',
    configs: [{ name: 'a', mountType: '9p', writable: false, mountInotify: false, '9p': { securityModel: 'none', cache: 'fscache', msize: '128KiB', protocolVersion: '9p2000.L' } }],
    suites: ['chown', 'symlink', 'xattr', 'modes', 'times', 'host-side', 'locks', 'open-files', 'space', 'names', 'dirs', 'read-only', 'coherence', 'migrate', 'bench'],
    expect: [],
  })
})

t.test('matrix print shows mountInotify and the sshfs settings of a reverse-sshfs config', async (t) => {
  const dir = t.testdir({ 'm.yaml': 'configs:\n  - { name: s, mountType: reverse-sshfs, writable: true, mountInotify: true }\n' })
  const { out } = await run(['print', '--matrix', join(dir, 'm.yaml')])
  t.match(out, /  - name: s\n    mountType: reverse-sshfs\n    writable: true\n    mountInotify: true\n    sshfs: \{ cache: true, followSymlinks: false, sftpDriver: openssh-sftp-server \}\n/)
  const defaults = (await run(['print'])).out
  t.match(defaults, /mountInotify: false/, 'the default matrix: every config says its mountInotify')
  t.match(defaults, /  - name: 9p-none-mmap-inotify\n    mountType: 9p\n    writable: true\n    mountInotify: true\n/)
})

t.test('matrix print with a bad file throws the MatrixError listing its problems', async (t) => {
  const dir = t.testdir({ 'bad.yaml': 'configs:\n  - { name: a, mountType: 9p, 9p: { cache: fast } }\n  - { name: a }\n' })
  const file = join(dir, 'bad.yaml')
  const err: unknown = await run(['print', '--matrix', file]).catch((e: unknown) => e)
  t.type(err, MatrixError)
  t.match(err, {
    message: [
      `${file}:2:44: configs[0].9p.cache: must be one of none|loose|fscache|mmap`,
      `${file}:3:5: configs[1].mountType: required`,
      `${file}:3:13: configs[1].name: duplicate config name "a" (also configs[0])`,
    ].join('\n'),
  })
})

t.test('matrix usage: --help prints it and exits 0, no command prints it and exits 64', async (t) => {
  t.strictSame(await run(['--help']), { code: 0, out: `${MATRIX_USAGE}\n` })
  t.strictSame(await run(['print', '-h']), { code: 0, out: `${MATRIX_USAGE}\n` })
  t.strictSame(await run([]), { code: 64, out: `${MATRIX_USAGE}\n` })
})

t.test('matrix usage mistakes are UsageErrors', async (t) => {
  const table: Array<[string, string[], RegExp]> = [
    ['an unknown command', ['show'], /^unknown matrix command "show"/],
    ['an extra argument', ['print', 'extra'], /^matrix print takes no arguments, got "extra"/],
    ['an unknown option', ['print', '--yaml'], /Unknown option '--yaml'/],
    ['--matrix without a file', ['print', '--matrix'], /--matrix/],
  ]
  for (const [name, argv, message] of table) {
    const err: unknown = await run(argv).then(() => undefined, (e: unknown) => e)
    t.type(err, UsageError, `${name}: a UsageError`)
    t.match(err, { message }, `${name}: says what is wrong`)
  }
})
