// The ssh backend's flags: --ssh USER@HOST[:PORT] and --mount GUESTPATH[=HOSTPATH], and the
// configuration names made from guest paths.
import t from 'tap'
import { UsageError } from '../../provision/errors.ts'
import { configNameForPath, configNamesForPaths } from '../../provision/mount-config-name.ts'
import { CONFIG_NAME_RE } from '../../provision/matrix/schema.ts'
import { parseMountSpec, parseSshDestination } from '../../provision/ssh-backend/ssh-spec.ts'

t.test('--ssh: user, host and port (22 by default; IPv6 in brackets)', async (t) => {
  t.strictSame(parseSshDestination('me@vm'), { user: 'me', host: 'vm', port: 22 })
  t.strictSame(parseSshDestination('root@127.0.0.1:2222'), { user: 'root', host: '127.0.0.1', port: 2222 })
  t.strictSame(parseSshDestination('me@[::1]:2200'), { user: 'me', host: '::1', port: 2200 })
  for (const bad of ['vm', 'me@', 'me@vm:', 'me@vm:99999', 'me@vm:x', '@vm']) t.throws(() => parseSshDestination(bad), UsageError, bad)
})

t.test('--mount: an absolute guest path, and a host dir after "=" (relative to the cwd)', async (t) => {
  t.strictSame(parseMountSpec('/mnt/share', '/cwd'), { guestPath: '/mnt/share' })
  t.strictSame(parseMountSpec('/mnt/share/=/srv/share', '/cwd'), { guestPath: '/mnt/share', hostPath: '/srv/share' })
  t.strictSame(parseMountSpec('/mnt/share=shares/a', '/cwd'), { guestPath: '/mnt/share', hostPath: '/cwd/shares/a' })
  t.throws(() => parseMountSpec('mnt/share', '/cwd'), /GUESTPATH must be an absolute path/)
  t.throws(() => parseMountSpec('/mnt/share=', '/cwd'), /nothing after "="/)
})

t.test('configuration names from guest paths: valid matrix names, unique in order', async (t) => {
  t.equal(configNameForPath('/mnt/limafs/9p-none-mmap'), 'mnt-limafs-9p-none-mmap')
  t.equal(configNameForPath('/Users/me/My Project'), 'Users-me-My_Project')
  t.equal(configNameForPath('/'), 'root')
  t.strictSame(configNamesForPaths(['/a/b', '/a-b', '/a/b/']), ['a-b', 'a-b-2', 'a-b-3'])
  for (const p of ['/x y/z', '/ü/ß', '/..', '/a/.']) t.match(configNameForPath(p), CONFIG_NAME_RE, p)
})
