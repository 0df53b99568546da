// Names as raw bytes, for the names suite: a name is given and returned as hex, so a newline,
// an NFD accent or a byte that is not UTF-8 at all reaches the system call exactly as meant
// (Node takes Buffer paths) and comes back exactly as the file system keeps it. Every op names a
// dir (guarded as usual, once: its real path must be in the scratch dir) and one entry of it;
// the entry is never followed (O_EXCL creates, O_NOFOLLOW opens, lstat, rename). Synchronous, as
// the other families: a TCG guest is CPU-bound, and async calls only add their overhead.
import * as fs from 'node:fs'
import { join } from 'node:path'
import type { PathGuard } from '../path-guard.ts'
import { statFields, type OpFamily } from './op-env.ts'

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY, O_DIRECTORY } = fs.constants

/** The dir (a guest path string), checked: inside the scratch dir, its real path too. */
export function guardedDir(guard: PathGuard, dir: unknown): string {
  // A name in it, not followed: the guard resolves the dir itself (once; then cached).
  guard.assertNoFollow(join(String(dir), 'entry'))
  return String(dir)
}

const invalidName = (why: string) => Object.assign(new Error(`not a single name: ${why}`), { code: 'EINVAL' })

/** One entry name from hex: not empty, not . or .., no slash, no NUL (those are not names). */
export function nameBytes(hex: unknown): Buffer {
  if (typeof hex !== 'string' || !/^(?:[0-9a-f]{2})+$/i.test(hex)) throw invalidName(`expected hex bytes, got ${JSON.stringify(hex)}`)
  const name = Buffer.from(hex, 'hex')
  if (name.includes(0x2f) || name.includes(0)) throw invalidName('a slash or NUL byte')
  if (name.equals(Buffer.from('.')) || name.equals(Buffer.from('..'))) throw invalidName('. and .. name no new entry')
  return name
}

/** DIR/NAME as bytes: the dir's text, a slash, the name's bytes. */
const entryPath = (dir: string, hex: unknown) => Buffer.concat([Buffer.from(`${dir}/`), nameBytes(hex)])

/** Makes a new file (O_EXCL, never through a link), empty or holding content. */
function createFile(path: Buffer | string, content: string): void {
  const fd = fs.openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644)
  try {
    if (content) fs.writeSync(fd, content)
  } finally {
    fs.closeSync(fd)
  }
}

function readNoFollow(path: Buffer | string): string {
  const fd = fs.openSync(path, O_RDONLY | O_NOFOLLOW)
  try {
    return fs.readFileSync(fd, 'utf8')
  } finally {
    fs.closeSync(fd)
  }
}

/** PATH_MAX components: 255 bytes each (NAME_MAX), so a path of N bytes needs the fewest dirs. */
const SEGMENT = 255
/**
 * Linux's O_PATH (Node has no constant for it; 010000000 on x86-64 and arm64): a descriptor that
 * only holds a dir, without opening it on the file system (no 9p Tlopen), enough to pin it and
 * to reach names in it through /proc/self/fd.
 */
const O_PATH = 0o10000000

export const nameOps: OpFamily = {
  /** Creates DIR/NAME (O_EXCL: never through anything already there), empty or holding content. */
  'name-create': ({ guard }, [dir, hex, content = '']) => createFile(entryPath(guardedDir(guard, dir), hex), String(content)),
  /** The names in DIR, as hex, sorted (bytewise). */
  'name-list': ({ guard }, [dir]) => fs.readdirSync(guardedDir(guard, dir), { encoding: 'buffer' }).map((n) => n.toString('hex')).sort(),
  'name-read': ({ guard }, [dir, hex]) => readNoFollow(entryPath(guardedDir(guard, dir), hex)),
  'name-lstat': ({ guard }, [dir, hex]) => statFields(fs.lstatSync(entryPath(guardedDir(guard, dir), hex))),
  'name-rename': ({ guard }, [dir, fromHex, toHex]) => {
    const d = guardedDir(guard, dir)
    fs.renameSync(entryPath(d, fromHex), entryPath(d, toHex))
  },
  /**
   * A file whose absolute path is exactly LENGTH bytes: the dirs it needs (255-byte names, made
   * here, so nothing in the chain is anything but a fresh dir of ours), then the file, holding
   * content, made and read back through the whole path. Each dir is made and held (O_PATH)
   * through the descriptor of the one above (/proc/self/fd/N/NAME: the held dir, one lookup), and
   * stays held until the end, so its dentry stays cached: under cache=none or mmap a 9p client
   * forgets unused dentries, and twenty-level walks for each of sixteen dirs would cost ~200
   * round trips. Returns what was read.
   */
  'deep-file': ({ guard }, [base, length, content]) => {
    let path = guardedDir(guard, base)
    const total = Number(length)
    const held: number[] = []
    try {
      held.push(fs.openSync(path, O_PATH | O_DIRECTORY | O_NOFOLLOW))
      // What is left to add: "/" + a name each time; the last name (the file) takes what remains.
      while (total - path.length > SEGMENT + 1) {
        const name = 'd'.repeat(SEGMENT)
        const via = `/proc/self/fd/${held.at(-1)!}/${name}`
        fs.mkdirSync(via, 0o755)
        held.push(fs.openSync(via, O_PATH | O_DIRECTORY | O_NOFOLLOW))
        path = `${path}/${name}`
      }
      const rest = total - path.length - 1
      if (rest < 1) throw Object.assign(new Error(`${base} is already ${path.length} bytes: no room for a name`), { code: 'EINVAL' })
      path = `${path}/${'f'.repeat(rest)}`
      createFile(path, String(content))
      return readNoFollow(path)
    } finally {
      for (const fd of held) fs.closeSync(fd)
    }
  },
}
