import t from 'tap'
import { suitePoints } from '../../agent/check-api.ts'
import { globMatch } from '../../agent/glob.ts'
import { SUITES } from '../../agent/registry.ts'
import { DEFAULT_SUITES } from '../../provision/matrix/fill-defaults.ts'
import { DEFAULT_MATRIX_FILE, loadDefaultMatrix } from '../../provision/matrix/load-matrix.ts'
import { KNOWN_SUITES } from '../../provision/matrix/types.ts'

t.test('the default matrix: 4 security models x 4 caches, virtiofs, reverse-sshfs, mountInotify, a read-only config per mount type', async (t) => {
  const matrix = loadDefaultMatrix()
  t.strictSame(matrix.configs.map((c) => c.name), [
    '9p-none-none', '9p-none-loose', '9p-none-fscache', '9p-none-mmap',
    '9p-mapped-xattr-none', '9p-mapped-xattr-loose', '9p-mapped-xattr-fscache', '9p-mapped-xattr-mmap',
    '9p-mapped-file-none', '9p-mapped-file-loose', '9p-mapped-file-fscache', '9p-mapped-file-mmap',
    '9p-passthrough-none', '9p-passthrough-loose', '9p-passthrough-fscache', '9p-passthrough-mmap',
    'virtiofs',
    'sshfs-cache', 'sshfs-nocache', '9p-none-mmap-inotify', 'virtiofs-inotify',
    'ro-9p-none-fscache', 'ro-virtiofs', 'ro-sshfs',
  ])
})

t.test('each default config has the settings its name says, with Lima defaults for the rest', async (t) => {
  const SSHFS_DEFAULTS = { cache: true, followSymlinks: false, sftpDriver: 'openssh-sftp-server' }
  const others: Record<string, unknown> = {
    virtiofs: { name: 'virtiofs', mountType: 'virtiofs', writable: true, mountInotify: false, virtiofs: { queueSize: 1024 } },
    'sshfs-cache': { name: 'sshfs-cache', mountType: 'reverse-sshfs', writable: true, mountInotify: false, sshfs: SSHFS_DEFAULTS },
    'sshfs-nocache': { name: 'sshfs-nocache', mountType: 'reverse-sshfs', writable: true, mountInotify: false, sshfs: { ...SSHFS_DEFAULTS, cache: false } },
    '9p-none-mmap-inotify': { name: '9p-none-mmap-inotify', mountType: '9p', writable: true, mountInotify: true, ninep: { securityModel: 'none', cache: 'mmap', msize: '128KiB', protocolVersion: '9p2000.L' } },
    'virtiofs-inotify': { name: 'virtiofs-inotify', mountType: 'virtiofs', writable: true, mountInotify: true, virtiofs: { queueSize: 1024 } },
    'ro-9p-none-fscache': { name: 'ro-9p-none-fscache', mountType: '9p', writable: false, mountInotify: false, ninep: { securityModel: 'none', cache: 'fscache', msize: '128KiB', protocolVersion: '9p2000.L' } },
    'ro-virtiofs': { name: 'ro-virtiofs', mountType: 'virtiofs', writable: false, mountInotify: false, virtiofs: { queueSize: 1024 } },
    'ro-sshfs': { name: 'ro-sshfs', mountType: 'reverse-sshfs', writable: false, mountInotify: false, sshfs: SSHFS_DEFAULTS },
  }
  for (const config of loadDefaultMatrix().configs) {
    if (config.name in others) {
      t.strictSame(config, others[config.name], config.name)
      continue
    }
    const [, securityModel, cache] = /^9p-(.+)-([a-z]+)$/.exec(config.name) ?? []
    t.strictSame(config, {
      name: config.name, mountType: '9p', writable: true, mountInotify: false,
      ninep: { securityModel, cache, msize: '128KiB', protocolVersion: '9p2000.L' },
    }, config.name)
  }
})

t.test('the default matrix runs on the testbed with every suite, bench included', async (t) => {
  const matrix = loadDefaultMatrix()
  t.equal(matrix.file, DEFAULT_MATRIX_FILE)
  t.equal(matrix.backend, 'testbed')
  t.strictSame(matrix.suites, ['chown', 'symlink', 'xattr', 'modes', 'times', 'host-side', 'locks', 'open-files', 'space', 'names', 'dirs', 'read-only', 'coherence', 'migrate', 'bench'])
  t.strictSame(DEFAULT_SUITES, KNOWN_SUITES, 'a matrix without suites: runs them all')
})

t.test('every known deviation of the default matrix names checks the agent has, on configs it has, with a reason', async (t) => {
  const matrix = loadDefaultMatrix()
  const ids = SUITES.flatMap((s) => suitePoints(s).map((p) => p.id))
  t.ok(matrix.expect.length > 10, 'the default matrix marks the deviations measured on the testbed')
  for (const e of matrix.expect) {
    t.ok(ids.some((id) => globMatch(e.check, id)), `${e.check} matches a check id (not a typo)`)
    t.ok(matrix.configs.some((c) => globMatch(e.config, c.name)), `${e.config} matches a configuration`)
    t.ok(e.reason.length > 20, `${e.check} on ${e.config} says why`)
  }
})
