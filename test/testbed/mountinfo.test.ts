// /proc/self/mountinfo parsing, on the real text a testbed guest (Debian 6.1 kernel) printed:
// test/fixtures/testbed/mountinfo-6.1.txt, taken with `limafs testbed exec -- cat /proc/self/mountinfo`.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { mountOf, optionMap, parseMountinfo, unescapeOctal } from '../../agent/mountinfo.ts'
import { FIXTURES } from '../helpers/testbed.ts'

const REAL = readFileSync(join(FIXTURES, 'mountinfo-6.1.txt'), 'utf8')

t.test('parseMountinfo reads every line of a real 6.1 guest mountinfo, 9p and virtiofs shares included', async (t) => {
  const mounts = parseMountinfo(REAL)
  t.equal(mounts.length, REAL.trim().split('\n').length, 'one entry per line')
  const loose = mounts.find((m) => m.mountPoint === '/mnt/limafs/9p-mapped-xattr-loose')
  t.ok(loose, 'the 9p-mapped-xattr-loose share is there')
  t.match(loose, {
    parentId: 30, root: '/', mountOptions: 'rw,relatime', fsType: '9p',
    source: /^lima-[0-9a-f]{16}$/, superOptions: 'rw,dirsync,loose,access=client,trans=virtio',
  })
  const root = mounts.find((m) => m.mountPoint === '/')
  t.match(root, { fsType: '9p', source: 'hostroot', mountOptions: 'ro,relatime', superOptions: 'ro,dirsync,loose,access=client,msize=512000,trans=virtio' })
  const vfs = mounts.find((m) => m.mountPoint === '/mnt/limafs/virtiofs')
  t.match(vfs, { fsType: 'virtiofs', source: /^lima-[0-9a-f]{16}$/, superOptions: 'rw' })
  const bind = mounts.find((m) => m.mountPoint === '/etc/shadow')
  t.match(bind, { root: '/limafs/shadow', fsType: 'tmpfs', source: 'tmpfs' }, 'a bind mount keeps the path inside its filesystem as root')
  t.equal(mounts.filter((m) => m.fsType === '9p' && m.mountPoint.startsWith('/mnt/limafs/')).length, 16, '16 9p shares')
})

t.test('parseMountinfo unescapes \\040 (space), \\011 (tab), \\012 (newline) and \\134 (backslash) in paths and the source', async (t) => {
  const line = '61 30 0:50 /sub\\040dir /mnt/limafs/with\\040space\\011tab\\012nl\\134bs rw,relatime shared:7 master:1 - 9p my\\040tag rw,dirsync,mmap,access=client,trans=virtio'
  const [m] = parseMountinfo(`${line}\n`)
  t.equal(m?.root, '/sub dir')
  t.equal(m?.mountPoint, '/mnt/limafs/with space\ttab\nnl\\bs')
  t.equal(m?.source, 'my tag')
  t.equal(m?.fsType, '9p', 'optional fields (shared:7 master:1) are skipped up to the " - " separator')
  t.equal(m?.superOptions, 'rw,dirsync,mmap,access=client,trans=virtio')
  t.equal(unescapeOctal('a\\040b\\134c'), 'a b\\c')
  t.equal(unescapeOctal('no escapes \\9 \\04'), 'no escapes \\9 \\04', 'only three octal digits make an escape')
})

t.test('parseMountinfo rejects a line without the " - " separator instead of guessing', async (t) => {
  t.throws(() => parseMountinfo('37 30 0:30 / /mnt/x rw,relatime 9p tag rw\n'), /malformed mountinfo line: 37 30/)
  t.strictSame(parseMountinfo('\n\n'), [], 'blank lines are no mounts')
})

t.test('mountOf finds the mount a path lives on: the longest mount point prefix, the last one mounted on top', async (t) => {
  const mounts = parseMountinfo(REAL)
  t.equal(mountOf(mounts, '/mnt/limafs/9p-none-mmap/a/b')?.mountPoint, '/mnt/limafs/9p-none-mmap')
  t.equal(mountOf(mounts, '/mnt/limafs/9p-none-mmap')?.mountPoint, '/mnt/limafs/9p-none-mmap', 'the mount point itself')
  t.equal(mountOf(mounts, '/mnt/limafs/9p-none-mmapX')?.mountPoint, '/mnt', 'a name that only starts like a mount point is not in it')
  t.equal(mountOf(mounts, '/mnt/limafs')?.mountPoint, '/mnt', 'the parent dir is on /mnt')
  t.equal(mountOf(mounts, '/usr/bin/node')?.source, 'hostroot', 'the rest is the host root')
  const stacked = parseMountinfo([
    '40 30 0:33 / /mnt/limafs/s rw,relatime - 9p lima-aaaaaaaaaaaaaaaa rw,dirsync,mmap,access=client,trans=virtio',
    '70 40 0:60 / /mnt/limafs/s rw,relatime - 9p lima-bbbbbbbbbbbbbbbb rw,dirsync,loose,access=client,trans=virtio',
  ].join('\n'))
  t.equal(mountOf(stacked, '/mnt/limafs/s/f')?.source, 'lima-bbbbbbbbbbbbbbbb', 'a remount over the old one wins')
  t.equal(mountOf([], '/x'), undefined, 'no mounts, no answer')
})

t.test('optionMap splits 9p super options into flags and key=value pairs', async (t) => {
  const options = optionMap('rw,dirsync,loose,access=client,msize=512000,trans=virtio')
  t.strictSame([...options], [['rw', ''], ['dirsync', ''], ['loose', ''], ['access', 'client'], ['msize', '512000'], ['trans', 'virtio']])
  t.equal(optionMap('rw,sync,dirsync,access=client,trans=virtio').has('msize'), false, 'no msize when the kernel omits it')
  t.strictSame([...optionMap('a=b=c,,x')], [['a', 'b=c'], ['x', '']], 'only the first = splits; empty items are skipped')
})
