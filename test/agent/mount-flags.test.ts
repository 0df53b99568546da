import t from 'tap'
import { splitMountOptions } from '../../agent/mount-flags.ts'

t.test('mount options split into mount(2) flags and the file system\'s data, as mount(8) splits them', async (t) => {
  const table: Array<[string, number, string]> = [
    // 9p as Linux 6.1 shows it for cache=none (sync, dirsync) and cache=mmap, after remountOptions()
    ['rw,relatime,sync,dirsync,access=client,trans=virtio', 0x200000 | 0x10 | 0x80, 'access=client,trans=virtio'],
    ['rw,relatime,dirsync,cache=mmap,access=client,trans=virtio', 0x200000 | 0x80, 'cache=mmap,access=client,trans=virtio'],
    ['ro,nosuid,nodev,noexec,noatime,cache=0xf,msize=65536', 0x1 | 0x2 | 0x4 | 0x8 | 0x400, 'cache=0xf,msize=65536'],
    ['rw,relatime', 0x200000, ''],
    ['rw', 0, ''],
  ]
  for (const [options, flags, data] of table) t.strictSame(splitMountOptions(options), { flags, data }, options)
})
