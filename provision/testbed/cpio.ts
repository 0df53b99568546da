// A minimal "newc" cpio writer: the initramfs is built in memory, with the owners and modes we
// choose (sshd insists on a root-owned 0600 host key), without cpio or fakeroot on the host.

export interface CpioEntry {
  path: string
  /** File type bits included: 0o100644 for a file, 0o040755 for a directory, 0o120777 for a symlink. */
  mode: number
  /** File content, or a symlink's target. Absent for directories. */
  data?: Buffer
}

const S_IFDIR = 0o040000
const TRAILER = 'TRAILER!!!'

function header(ino: number, mode: number, nlink: number, size: number, nameLength: number): string {
  const hex = (n: number) => n.toString(16).padStart(8, '0')
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
  return `070701${[ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, nameLength, 0].map(hex).join('')}`
}

const pad4 = (n: number) => Buffer.alloc((4 - (n % 4)) % 4)

/** The archive, entries in the order given (parents before children), mtime 0 so it is reproducible. */
export function writeCpio(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = []
  const add = (ino: number, path: string, mode: number, data: Buffer) => {
    const name = Buffer.from(`${path}\0`)
    const head = Buffer.from(header(ino, mode, (mode & 0o170000) === S_IFDIR ? 2 : 1, data.length, name.length))
    parts.push(head, name, pad4(head.length + name.length), data, pad4(data.length))
  }
  entries.forEach((e, i) => add(i + 1, e.path.replace(/^\/+/, ''), e.mode, e.data ?? Buffer.alloc(0)))
  add(0, TRAILER, 0, Buffer.alloc(0))
  return Buffer.concat(parts)
}
