import t from 'tap'
import { mountOf, optionMap, parseMountinfo } from '../../agent/mountinfo.ts'
import { remountOptions } from '../../agent/remount-options.ts'

// /proc/self/mountinfo lines as guests print them. Kernel 6.1 (Debian 12) shows 9p's cache mode
// as a bare word ("loose", "mmap"; nothing for none); 6.4 to late 2025 (Ubuntu 24.04's 6.8)
// as bare hex bits, which mount(8) can't ask for as they are (Lima PR #2460: fscache shows "8f");
// later kernels as 0x-hex.
const MOUNTINFO = [
  '25 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,discard,errors=remount-ro',
  '41 25 0:36 / /Users/me rw,relatime shared:20 - 9p mount0 rw,dirsync,loose,access=client,trans=virtio',
  '42 25 0:37 / /tmp/lima rw,relatime shared:21 - 9p mount1 rw,dirsync,mmap,access=client,msize=131072,trans=virtio',
  '43 25 0:38 / /mnt/none rw,relatime shared:22 - 9p mount2 rw,sync,dirsync,access=client,msize=131072,trans=virtio',
  '44 25 0:39 / /mnt/ro ro,relatime shared:23 - 9p mount3 ro,dirsync,fscache,access=client,msize=131072,trans=virtio',
  '45 25 0:40 / /mnt/hex5 rw,relatime shared:24 - 9p mount4 rw,dirsync,cache=5,access=client,msize=131072,trans=virtio',
  '46 25 0:41 / /mnt/hexf rw,relatime shared:25 - 9p mount5 rw,dirsync,cache=f,access=client,msize=131072,trans=virtio',
  '47 25 0:42 / /mnt/hex8f ro,relatime shared:26 - 9p mount6 ro,dirsync,cache=8f,access=client,msize=131072,trans=virtio',
  '48 25 0:43 / /mnt/0x5 rw,relatime shared:27 - 9p mount7 rw,dirsync,cache=0x5,access=client,msize=131072,trans=virtio',
  '49 25 0:44 / /mnt/virtiofs rw,relatime shared:28 - virtiofs mount8 rw',
  '50 25 0:45 / /mnt/selinux rw,relatime shared:29 - virtiofs mount9 rw,seclabel',
  '51 25 0:46 / /mnt/with\\040space rw,nosuid,nodev,relatime shared:30 - 9p mount10 rw,dirsync,loose,access=client,trans=virtio',
].join('\n')

const table = parseMountinfo(`${MOUNTINFO}\n`)
const at = (mountPoint: string) => {
  const m = table.find((e) => e.mountPoint === mountPoint)
  if (!m) throw new Error(`no ${mountPoint} in the fixture`)
  return m
}

t.test('kernel 6.1 9p: the bare cache word is asked for as cache=WORD, everything else kept', async (t) => {
  t.equal(remountOptions(at('/Users/me')), 'rw,relatime,dirsync,cache=loose,access=client,trans=virtio', 'loose')
  t.equal(remountOptions(at('/tmp/lima')), 'rw,relatime,dirsync,cache=mmap,access=client,msize=131072,trans=virtio', 'mmap (Lima\'s default)')
  t.equal(remountOptions(at('/mnt/ro')), 'ro,relatime,dirsync,cache=fscache,access=client,msize=131072,trans=virtio', 'fscache, read-only')
})

t.test('cache=none shows no cache word and gets none back (sync comes from the superblock)', async (t) => {
  const opts = optionMap(remountOptions(at('/mnt/none')))
  t.notOk(opts.has('cache'), 'no cache option')
  t.ok(opts.has('sync'), 'sync kept')
})

t.test('6.4+ bare hex cache bits are asked for as 0x-hex, so loose (f) and fscache (8f) mount again', async (t) => {
  t.equal(optionMap(remountOptions(at('/mnt/hex5'))).get('cache'), '0x5', 'mmap (5)')
  t.equal(optionMap(remountOptions(at('/mnt/hexf'))).get('cache'), '0xf', 'loose (f)')
  t.equal(optionMap(remountOptions(at('/mnt/hex8f'))).get('cache'), '0x8f', 'fscache (8f)')
})

t.test('a cache=0x5 already in 0x form is kept as it is', async (t) => {
  t.equal(remountOptions(at('/mnt/0x5')), 'rw,relatime,dirsync,cache=0x5,access=client,msize=131072,trans=virtio', 'unchanged')
})

t.test('virtiofs keeps its options; seclabel (state, not a request) is dropped', async (t) => {
  t.equal(remountOptions(at('/mnt/virtiofs')), 'rw,relatime', 'virtiofs')
  t.equal(remountOptions(at('/mnt/selinux')), 'rw,relatime', 'virtiofs with seclabel')
})

t.test('a word that is not 9p\'s is not turned into a cache option on another fs', async (t) => {
  const [m] = parseMountinfo('60 25 0:50 / /mnt/x rw - virtiofs tag rw,loose\n')
  t.equal(remountOptions(m!), 'rw,loose', 'kept as a word')
})

t.test('mountinfo is parsed with octal escapes, and a path maps to the longest mount point', async (t) => {
  t.equal(at('/mnt/with space').source, 'mount10', '\\040 is a space')
  t.equal(mountOf(table, '/Users/me/project/x')?.source, 'mount0', 'a path below a mount point')
  t.equal(mountOf(table, '/Users/meme')?.fsType, 'ext4', 'a prefix that is not a path component does not count')
  t.equal(mountOf(table, '/tmp/lima')?.source, 'mount1', 'the mount point itself')
})
