// `--instance NAME`: the shares under test are the instance's own writable mounts, read from its
// filled-in config; read-only mounts are left out, the names come from the mount points, and an
// instance limafs can't test says why.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { UsageError } from '../../provision/errors.ts'
import { expandHome, sharesOfInstance } from '../../provision/lima/existing-instance.ts'
import { parseListJson, type LimaInstance } from '../../provision/lima/list-json.ts'
import { limaMountTag } from '../../provision/lima-compat/mount-tag.ts'
import { LIMA_FIXTURES } from '../helpers/lima.ts'

const [instance] = parseListJson(readFileSync(join(LIMA_FIXTURES, 'list-json-2.2.txt'), 'utf8')) as [LimaInstance]

t.test('the writable mounts only, named after their mount points, with their 9p settings and Lima\'s tag', async (t) => {
  const shares = sharesOfInstance(instance)
  t.equal(shares.length, 1, 'the read-only home mount is left out')
  const location = '/private/var/tmp/limafs-501/lima/limafs-run-7-9p/shares/9p-none-mmap'
  t.strictSame(shares[0], {
    config: { name: 'mnt-limafs-9p-none-mmap', mountType: '9p', writable: true, ninep: { securityModel: 'none', protocolVersion: '9p2000.L', msize: '128KiB', cache: 'mmap' } },
    tag: limaMountTag(location, '/mnt/limafs/9p-none-mmap'),
    hostDir: location,
    mountPoint: '/mnt/limafs/9p-none-mmap',
  })
})

t.test("a mount without 9p settings gets Lima's defaults; without mountPoint it is mounted at its location; names stay unique", async (t) => {
  const bare = { ...instance, config: { mountType: '9p', mounts: [{ location: '/Users/me/src', writable: true }, { location: '/Users/me/src2', mountPoint: '/Users/me/src', writable: true }] } } as LimaInstance
  const shares = sharesOfInstance(bare, '/Users/me')
  t.strictSame(shares.map((s) => [s.config.name, s.mountPoint, s.hostDir, s.config.ninep?.cache, s.config.ninep?.securityModel]), [
    ['Users-me-src', '/Users/me/src', '/Users/me/src', 'mmap', 'none'],
    ['Users-me-src-2', '/Users/me/src', '/Users/me/src2', 'mmap', 'none'],
  ])
  const vz = { ...instance, config: { mountType: 'virtiofs', mounts: [{ location: '~/work', writable: true }] } } as LimaInstance
  t.match(sharesOfInstance(vz, '/Users/me')[0], { config: { mountType: 'virtiofs', virtiofs: { queueSize: 1024 } }, hostDir: '/Users/me/work' })
  t.equal(expandHome('~', '/h'), '/h')
  t.equal(expandHome('/abs', '/h'), '/abs')
})

t.test('an instance limafs can\'t test says why: reverse-sshfs, no writable mount, a 9p value Lima would pass through', async (t) => {
  const sshfs = { ...instance, config: { mountType: 'reverse-sshfs', mounts: [{ location: '/x', writable: true }] } } as LimaInstance
  t.throws(() => sharesOfInstance(sshfs), UsageError)
  t.throws(() => sharesOfInstance(sshfs), /mountType "reverse-sshfs"; limafs tests 9p and virtiofs shares/)
  const readonly = { ...instance, config: { mountType: '9p', mounts: [{ location: '/x' }] } } as LimaInstance
  t.throws(() => sharesOfInstance(readonly), /has no writable mount/)
  const odd = { ...instance, config: { mountType: '9p', mounts: [{ location: '/x', writable: true, '9p': { cache: 'bogus' } }] } } as LimaInstance
  t.throws(() => sharesOfInstance(odd), /mount \/x: 9p\.cache: must be one of none\|loose\|fscache\|mmap/)
})
