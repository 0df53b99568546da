// A mount option list split the way mount(8) splits it for mount(2): the generic words become
// MS_* flags, the rest is the file system's own data string ("trans=virtio,cache=loose,...").
// Lets the agent remount through the python3 helper's mount(2) instead of two processes.

/** mount(2) flags (linux/mount.h) for the option words that are flags; `false` words clear. */
const FLAG_WORDS: Record<string, number | false> = {
  ro: 0x1, rw: false,
  nosuid: 0x2, suid: false,
  nodev: 0x4, dev: false,
  noexec: 0x8, exec: false,
  sync: 0x10, async: false,
  mand: 0x40, nomand: false,
  dirsync: 0x80,
  noatime: 0x400, atime: false,
  nodiratime: 0x800, diratime: false,
  relatime: 0x200000, norelatime: false,
  strictatime: 0x1000000,
  lazytime: 0x2000000, nolazytime: false,
  silent: 0x8000, loud: false,
}

export function splitMountOptions(options: string): { flags: number; data: string } {
  let flags = 0
  const data: string[] = []
  for (const word of options.split(',').filter(Boolean)) {
    const flag = FLAG_WORDS[word]
    if (flag === undefined) data.push(word)
    else if (flag !== false) flags |= flag
  }
  return { flags, data: data.join(',') }
}
