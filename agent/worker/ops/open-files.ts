// Descriptors that outlive their name (the temp-file pattern): fstat, pread/pwrite, ftruncate,
// fchmod, fchown and futimens through a held descriptor; O_TMPFILE and linkat; a mapping held
// by a process of its own that may die of SIGBUS when touched (only it: see python/children.ts).
import * as fs from 'node:fs'
import { fdOf, statFields, type OpFamily } from './op-env.ts'

export const openFileOps: OpFamily = {
  'fd-fstat': ({ handles }, [handle]) => statFields(fs.fstatSync(fdOf(handles, handle))),
  'fd-pwrite': ({ handles }, [handle, text, position]) => fs.writeSync(fdOf(handles, handle), String(text), position),
  /** A write at the descriptor's own position (the end, for O_APPEND). */
  'fd-append': ({ handles }, [handle, text]) => fs.writeSync(fdOf(handles, handle), String(text)),
  'fd-pread': ({ handles }, [handle, length, position]) => {
    const buf = Buffer.alloc(length)
    return buf.toString('utf8', 0, fs.readSync(fdOf(handles, handle), buf, 0, length, position))
  },
  'fd-ftruncate': ({ handles }, [handle, length]) => fs.ftruncateSync(fdOf(handles, handle), length),
  'fd-fchmod': ({ handles }, [handle, mode]) => fs.fchmodSync(fdOf(handles, handle), mode),
  'fd-fchown': ({ handles }, [handle, uid, gid]) => fs.fchownSync(fdOf(handles, handle), uid, gid),
  /** futimens to a time in whole seconds since the epoch (atime and mtime). */
  'fd-futimes': ({ handles }, [handle, seconds]) => fs.futimesSync(fdOf(handles, handle), seconds, seconds),
  /** An O_TMPFILE in a dir with some text in it: a descriptor number in the python3 helper. */
  'tmpfile-open': ({ guard, special }, [dir, text]) => special.call('of-tmpfile', [guard.assertFollow(dir), text]),
  /** Gives an O_TMPFILE a name (linkat through /proc/self/fd, AT_SYMLINK_FOLLOW). */
  'tmpfile-link': ({ guard, special }, [fd, p]) => special.call('of-linkat', [fd, guard.assertNoFollow(p)]),
  'tmpfile-close': ({ special }, [fd]) => special.call('of-close', [fd]),
  /** A process of its own maps LENGTH bytes of a file and reads 4 at OFFSET: its pid (see child-go). */
  'mmap-child': ({ guard, special }, [p, length, offset]) => special.call('of-mmap-child', [guard.assertFollow(p), length, offset]),
}
