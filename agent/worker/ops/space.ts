// Space: what a file takes (size and allocated bytes), writes and reads at any offset (past
// 4 GiB too), and through the python3 helper posix_fallocate, fallocate modes, SEEK_DATA/
// SEEK_HOLE, statvfs and filling a share up.
import * as fs from 'node:fs'
import type { OpFamily } from './op-env.ts'

/** Opens, acts, closes: an op on a path at an offset without a descriptor kept across ops. */
function withFd<T>(p: string, flags: number, act: (fd: number) => T): T {
  const fd = fs.openSync(p, flags | fs.constants.O_NOFOLLOW)
  try {
    return act(fd)
  } finally {
    fs.closeSync(fd)
  }
}

export const spaceOps: OpFamily = {
  /** The size and the bytes allocated for it (st_blocks * 512). */
  usage: ({ guard }, [p]) => {
    const st = fs.lstatSync(guard.assertNoFollow(p))
    return { size: st.size, allocated: st.blocks * 512 }
  },
  pwrite: ({ guard }, [p, text, position]) => withFd(guard.assertNoFollow(p), fs.constants.O_WRONLY | fs.constants.O_CREAT, (fd) => fs.writeSync(fd, String(text), position)),
  /** LENGTH bytes at POSITION, as hex (holes read as zeros: 00...). */
  'pread-hex': ({ guard }, [p, length, position]) => withFd(guard.assertNoFollow(p), fs.constants.O_RDONLY, (fd) => {
    const buf = Buffer.alloc(length)
    return buf.toString('hex', 0, fs.readSync(fd, buf, 0, length, position))
  }),
  /** Writes and fsyncs (what "written before" means for a file that must survive a full share). */
  'write-sync': ({ guard }, [p, text]) => withFd(guard.assertNoFollow(p), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC, (fd) => {
    fs.writeSync(fd, String(text))
    fs.fsyncSync(fd)
  }),
  'posix-fallocate': ({ guard, special }, [p, offset, length]) => special.call('sp-posix-fallocate', [guard.assertNoFollow(p), offset, length]),
  /** fallocate MODE ('' | keep-size | punch-hole) OFFSET LENGTH. */
  fallocate: ({ guard, special }, [p, mode, offset, length]) => special.call('sp-fallocate', [guard.assertNoFollow(p), mode, offset, length]),
  /** lseek SEEK_DATA or SEEK_HOLE ('data' | 'hole') from OFFSET: where it lands. */
  'seek-data-hole': ({ guard, special }, [p, offset, whence]) => special.call('sp-seek', [guard.assertNoFollow(p), offset, whence]),
  statvfs: ({ guard, special }, [p]) => special.call('sp-statvfs', [guard.assertFollow(p)]),
  /** Fills a new file in CHUNK-byte writes until one fails or LIMIT bytes went in: {wrote, write, fsync, close}. */
  fill: ({ guard, special }, [p, chunk, limit]) => special.call('sp-fill', [guard.assertNoFollow(p), chunk, limit]),
  /** How many bytes from the start of a file are CHAR. */
  'count-leading': ({ guard, special }, [p, char]) => special.call('sp-count', [guard.assertNoFollow(p), char]),
}
