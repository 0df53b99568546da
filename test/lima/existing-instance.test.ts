// `--instance NAME`: the shares under test are the instance's own mounts (read-only ones too),
// read from its filled-in config; its mount type as Lima lists it, or (2.x lists none) as its
// driver picks it, checked against the guest's mountinfo; the names come from the mount
// points, and an instance limafs can't test says why.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { parseMountinfo } from '../../agent/mountinfo.ts'
import { UsageError } from '../../provision/errors.ts'
import { expandHome, resolveMountType, sharesOfInstance } from '../../provision/lima/existing-instance.ts'
import { parseLimaVersion } from '../../provision/lima/lima-version.ts'
import { parseListJson, type LimaInstance } from '../../provision/lima/list-json.ts'
import { limaMountTag } from '../../provision/lima-compat/mount-tag.ts'
import { LIMA_FIXTURES } from '../helpers/lima.ts'

const [instance] = parseListJson(readFileSync(join(LIMA_FIXTURES, 'list-json-2.2.txt'), 'utf8')) as [LimaInstance]

t.test("every mount, named after its mount point, with its 9p settings and Lima's tag; the read-only home mount too", async (t) => {
  const shares = sharesOfInstance(instance, '9p')
  const location = '/private/var/tmp/limafs-501/lima/limafs-run-7-9p/shares/9p-none-mmap'
  t.strictSame(shares[0], {
    config: { name: 'mnt-limafs-9p-none-mmap', mountType: '9p', writable: true, mountInotify: false, ninep: { securityModel: 'none', protocolVersion: '9p2000.L', msize: '128KiB', cache: 'mmap' } },
    tag: limaMountTag(location, '/mnt/limafs/9p-none-mmap'),
    hostDir: location,
    mountPoint: '/mnt/limafs/9p-none-mmap',
  })
  t.match(shares[1], { config: { name: 'Users-runner', writable: false, ninep: { cache: 'fscache' } }, hostDir: '/Users/runner' }, "Lima's default ~ mount: read-only, fscache")
  t.equal(sharesOfInstance(instance, '9p', { limaVersion: parseLimaVersion('1.2.2') })[1]!.tag, 'mount1', 'tags as that Lima gives them: mount%d before 2.1')
})

t.test("a mount without settings gets Lima's defaults; without mountPoint it is mounted at its location; names stay unique", async (t) => {
  const bare = { ...instance, config: { mountType: '9p', mounts: [{ location: '/Users/me/src', writable: true }, { location: '/Users/me/src2', mountPoint: '/Users/me/src', writable: true }] } } as LimaInstance
  const shares = sharesOfInstance(bare, '9p', { home: '/Users/me' })
  t.strictSame(shares.map((s) => [s.config.name, s.mountPoint, s.hostDir, s.config.ninep?.cache, s.config.ninep?.securityModel]), [
    ['Users-me-src', '/Users/me/src', '/Users/me/src', 'mmap', 'none'],
    ['Users-me-src-2', '/Users/me/src', '/Users/me/src2', 'mmap', 'none'],
  ])
  const vz = { ...instance, config: { mountType: 'virtiofs', mounts: [{ location: '~/work', writable: true }] } } as LimaInstance
  t.match(sharesOfInstance(vz, 'virtiofs', { home: '/Users/me' })[0], { config: { mountType: 'virtiofs', virtiofs: { queueSize: 1024 } }, hostDir: '/Users/me/work' })
  const sshfs = { ...instance, mountInotify: true, config: { mountType: 'reverse-sshfs', mountInotify: true, mounts: [{ location: '/x', writable: true, sshfs: { cache: false, sftpDriver: '' } }] } } as LimaInstance
  t.match(sharesOfInstance(sshfs, 'reverse-sshfs')[0]!.config, { mountType: 'reverse-sshfs', mountInotify: true, sshfs: { cache: false, followSymlinks: false, sftpDriver: 'openssh-sftp-server' } }, 'sftpDriver "" is auto: OpenSSH\'s sftp-server')
  t.equal(expandHome('~', '/h'), '/h')
  t.equal(expandHome('/abs', '/h'), '/abs')
})

t.test("the mount type: listed (1.x), else the driver's (2.x lists none), and what the guest's mountinfo says wins", async (t) => {
  const mountinfo = (fs: string, source: string) => parseMountinfo(`50 30 0:44 / /Users/runner ro,relatime - ${fs} ${source} ro\n`)
  const noType = (vmType: string, extra = {}) => ({ ...instance, vmType, config: { mounts: [{ location: '/Users/runner', writable: false }], ...extra } }) as LimaInstance
  t.match(resolveMountType(instance, undefined), { mountType: '9p', from: 'config' })
  t.match(resolveMountType(noType('qemu'), mountinfo('9p', 'lima-x')), { mountType: '9p', from: 'vmType', note: /no mountType \(Lima 2\.x leaves it to the driver\): 9p from vmType qemu, as the guest's mountinfo confirms/ })
  t.match(resolveMountType(noType('vz'), undefined), { mountType: 'virtiofs', from: 'vmType' })
  t.match(resolveMountType(noType('qemu', { mountTypesUnsupported: ['9p'] }), undefined), { mountType: 'reverse-sshfs' }, 'qemu_driver.go: reverse-sshfs when 9p is unsupported')
  t.match(resolveMountType(noType('qemu'), mountinfo('fuse.sshfs', ':/Users/runner')), { mountType: 'reverse-sshfs', from: 'mountinfo', note: /the guest's mountinfo says fuse\.sshfs: testing that/ }, 'an instance made before Lima 1.0 runs reverse-sshfs')
  t.throws(() => resolveMountType(noType('wsl2'), undefined), UsageError)
  t.throws(() => resolveMountType(noType('wsl2'), undefined), /mountType null \(vmType wsl2\); limafs tests 9p, virtiofs and reverse-sshfs shares/)
})

t.test("an instance limafs can't test says why: no mounts, a 9p value Lima would pass through", async (t) => {
  const none = { ...instance, config: { mountType: '9p', mounts: [] } } as LimaInstance
  t.throws(() => sharesOfInstance(none, '9p'), /has no mounts/)
  const odd = { ...instance, config: { mountType: '9p', mounts: [{ location: '/x', writable: true, '9p': { cache: 'bogus' } }] } } as LimaInstance
  t.throws(() => sharesOfInstance(odd, '9p'), /mount \/x: 9p\.cache: must be one of none\|loose\|fscache\|mmap/)
})
