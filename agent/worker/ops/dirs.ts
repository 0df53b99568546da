// Big directories, for the dirs suite: make many entries, list them all, read a listing in
// steps through one open directory stream and telldir/seekdir (libc's own, through the python3
// helper: see python/dir-stream.ts). Entry names: PREFIX + the index, 6
// digits (what the host bridge's make-entries makes too).
import * as fs from 'node:fs'
import { guardedDir } from './names.ts'
import type { OpFamily } from './op-env.ts'

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants

/** Most entries one make-entries makes (as the host bridge's verb bounds it). */
export const MAX_ENTRIES = 10_000

export const entryName = (prefix: string, i: number) => `${prefix}${String(i).padStart(6, '0')}`

const einval = (message: string) => Object.assign(new Error(message), { code: 'EINVAL' })

export const dirOps: OpFamily = {
  /** COUNT empty files PREFIX000000... in DIR (the guest's own, when there is no host to make them). */
  'make-entries': ({ guard }, [dir, count, prefix]) => {
    const d = guardedDir(guard, dir)
    const n = Number(count)
    if (!Number.isInteger(n) || n < 0 || n > MAX_ENTRIES) throw einval(`count ${String(count)}: expected 0..${MAX_ENTRIES}`)
    if (typeof prefix !== 'string' || !/^[A-Za-z0-9._-]+$/.test(prefix)) throw einval(`prefix ${JSON.stringify(prefix)}: letters, digits, . _ - only`)
    for (let i = 0; i < n; i++) fs.closeSync(fs.openSync(`${d}/${entryName(prefix, i)}`, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644))
  },
  /** Every name in DIR, in the order the file system gives them (one opendir, readdir to the end). */
  'list-names': ({ guard }, [dir]) => fs.readdirSync(guardedDir(guard, dir)),
  /** Opens DIR as a directory stream (libc's, in the python3 helper), held for dir-next; returns its handle. */
  'dir-open': ({ guard, special }, [dir]) => special.call('dir-stream-open', [guardedDir(guard, dir)]),
  /** Up to COUNT more names from a held stream (fewer at its end). */
  'dir-next': ({ special }, [handle, count]) => special.call('dir-stream-read', [handle, count]),
  'dir-close': ({ special }, [handle]) => special.call('dir-stream-close', [handle]),
  /** Removes a dir of ours and everything in it, never following a symlink (the guest's own way, when there is no host to do it at once). */
  'remove-tree': ({ guard }, [dir]) => {
    fs.rmSync(guard.assertNoFollow(dir), { recursive: true })
    guard.forget(dir)
  },
  /** telldir/seekdir/rewinddir in one stream (python3, ctypes: see python/dir-stream.ts). */
  'dir-seek': ({ guard, special }, [dir, skip, span]) => special.call('dir-seek', [guardedDir(guard, dir), skip, span]),
}
