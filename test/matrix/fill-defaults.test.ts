import t from 'tap'
import { parseMatrix } from '../../provision/matrix/load-matrix.ts'
import type { ShareConfig } from '../../provision/types.ts'

/** The configs a one-config matrix file fills in. */
function filled(config: string): ShareConfig[] {
  return parseMatrix(`configs:\n  - ${config}\n`, 'm.yaml').configs
}

t.test('settings left out get Lima defaults, and the cache follows writable', async (t) => {
  const table: Array<[string, string, ShareConfig]> = [
    ['a bare 9p config is read-only with fscache', '{ name: a, mountType: 9p }',
      { name: 'a', mountType: '9p', writable: false, mountInotify: false, ninep: { securityModel: 'none', cache: 'fscache', msize: '128KiB', protocolVersion: '9p2000.L' } }],
    ['a writable 9p config gets cache mmap', '{ name: a, mountType: 9p, writable: true }',
      { name: 'a', mountType: '9p', writable: true, mountInotify: false, ninep: { securityModel: 'none', cache: 'mmap', msize: '128KiB', protocolVersion: '9p2000.L' } }],
    ['writable: false is the same as leaving it out', '{ name: a, mountType: 9p, writable: false }',
      { name: 'a', mountType: '9p', writable: false, mountInotify: false, ninep: { securityModel: 'none', cache: 'fscache', msize: '128KiB', protocolVersion: '9p2000.L' } }],
    ['an explicit cache wins over the writable-based default', '{ name: a, mountType: 9p, writable: true, 9p: { cache: loose } }',
      { name: 'a', mountType: '9p', writable: true, mountInotify: false, ninep: { securityModel: 'none', cache: 'loose', msize: '128KiB', protocolVersion: '9p2000.L' } }],
    ['a partial 9p block keeps its settings and fills the rest', '{ name: a, mountType: 9p, 9p: { securityModel: mapped-file, msize: 512KiB } }',
      { name: 'a', mountType: '9p', writable: false, mountInotify: false, ninep: { securityModel: 'mapped-file', cache: 'fscache', msize: '512KiB', protocolVersion: '9p2000.L' } }],
    ['every 9p setting given is kept as given', '{ name: a, mountType: 9p, writable: true, 9p: { securityModel: passthrough, cache: none, msize: 1MiB, protocolVersion: 9p2000.u } }',
      { name: 'a', mountType: '9p', writable: true, mountInotify: false, ninep: { securityModel: 'passthrough', cache: 'none', msize: '1MiB', protocolVersion: '9p2000.u' } }],
    ['an empty 9p block means all defaults', '{ name: a, mountType: 9p, 9p: }',
      { name: 'a', mountType: '9p', writable: false, mountInotify: false, ninep: { securityModel: 'none', cache: 'fscache', msize: '128KiB', protocolVersion: '9p2000.L' } }],
    ['a msize in plain bytes is kept as a string', '{ name: a, mountType: 9p, 9p: { msize: 131072 } }',
      { name: 'a', mountType: '9p', writable: false, mountInotify: false, ninep: { securityModel: 'none', cache: 'fscache', msize: '131072', protocolVersion: '9p2000.L' } }],
    ['a bare virtiofs config gets queueSize 1024 and no 9p settings', '{ name: v, mountType: virtiofs }',
      { name: 'v', mountType: 'virtiofs', writable: false, mountInotify: false, virtiofs: { queueSize: 1024 } }],
    ['a virtiofs queueSize given is kept', '{ name: v, mountType: virtiofs, writable: true, virtiofs: { queueSize: 256 } }',
      { name: 'v', mountType: 'virtiofs', writable: true, mountInotify: false, virtiofs: { queueSize: 256 } }],
    ["a bare reverse-sshfs config gets Lima's sshfs defaults (cache, no followSymlinks, OpenSSH's sftp-server)", '{ name: s, mountType: reverse-sshfs }',
      { name: 's', mountType: 'reverse-sshfs', writable: false, mountInotify: false, sshfs: { cache: true, followSymlinks: false, sftpDriver: 'openssh-sftp-server' } }],
    ['sshfs settings given are kept; mountInotify given is kept', '{ name: s, mountType: reverse-sshfs, writable: true, mountInotify: true, sshfs: { cache: false, sftpDriver: builtin } }',
      { name: 's', mountType: 'reverse-sshfs', writable: true, mountInotify: true, sshfs: { cache: false, followSymlinks: false, sftpDriver: 'builtin' } }],
  ]
  for (const [name, config, want] of table) t.strictSame(filled(config), [want], name)
})

t.test('backend, suites and expect get their defaults', async (t) => {
  const matrix = parseMatrix('configs: [{ name: a, mountType: 9p }]\n', 'm.yaml')
  t.strictSame(
    { file: matrix.file, backend: matrix.backend, suites: matrix.suites, expect: matrix.expect },
    { file: 'm.yaml', backend: 'testbed', suites: ['chown', 'symlink', 'xattr', 'modes', 'times', 'host-side', 'locks', 'open-files', 'space', 'names', 'dirs', 'read-only', 'coherence', 'migrate', 'bench'], expect: [] },
  )
})

t.test('empty keys (null) mean the default, as in Lima', async (t) => {
  const matrix = parseMatrix('backend:\nconfigs: [{ name: a, mountType: 9p, writable: }]\nsuites:\nexpect:\n', 'm.yaml')
  t.equal(matrix.backend, 'testbed')
  t.equal(matrix.configs[0]!.writable, false)
  t.strictSame(matrix.suites, ['chown', 'symlink', 'xattr', 'modes', 'times', 'host-side', 'locks', 'open-files', 'space', 'names', 'dirs', 'read-only', 'coherence', 'migrate', 'bench'])
  t.strictSame(matrix.expect, [])
})

t.test('given backend, suites and expect are kept', async (t) => {
  const matrix = parseMatrix(
    'backend: lima\nconfigs: [{ name: a, mountType: 9p }]\nsuites: [bench, chown]\nexpect:\n  - { check: "chown/*", config: a, reason: because }\n',
    'm.yaml',
  )
  t.strictSame(
    { backend: matrix.backend, suites: matrix.suites, expect: matrix.expect },
    { backend: 'lima', suites: ['bench', 'chown'], expect: [{ check: 'chown/*', config: 'a', reason: 'because' }] },
  )
})
