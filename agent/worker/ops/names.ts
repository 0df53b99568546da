// Names as raw bytes, for the names suite: a name is given and returned as hex, so a newline,
// an NFD accent or a byte that is not UTF-8 at all reaches the system call exactly as meant
// (Node takes Buffer paths) and comes back exactly as the file system keeps it. Every op names a
// dir (guarded as usual, once: its real path must be in the scratch dir) and one entry of it;
// the entry is never followed (O_EXCL creates, O_NOFOLLOW opens, lstat, rename). Async, so a
// shared suite's ops on several mounts overlap instead of queueing behind each other.
import { constants as C, promises as fsp } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { PathGuard } from '../path-guard.ts'
import { statFields, type OpFamily } from './op-env.ts'

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

async function readNoFollow(path: Buffer | string): Promise<string> {
  const fh = await fsp.open(path, C.O_RDONLY | C.O_NOFOLLOW)
  try {
    return await fh.readFile('utf8')
  } finally {
    await fh.close()
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
  /** Creates DIR/NAME (O_EXCL: never through anything already there) holding content. */
  'name-create': async ({ guard }, [dir, hex, content = '']) => {
    const fh = await fsp.open(entryPath(guardedDir(guard, dir), hex), C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o644)
    try {
      await fh.writeFile(String(content))
    } finally {
      await fh.close()
    }
  },
  /** The names in DIR, as hex, sorted (bytewise). */
  'name-list': async ({ guard }, [dir]) => (await fsp.readdir(guardedDir(guard, dir), { encoding: 'buffer' })).map((n) => n.toString('hex')).sort(),
  'name-read': async ({ guard }, [dir, hex]) => readNoFollow(entryPath(guardedDir(guard, dir), hex)),
  'name-lstat': async ({ guard }, [dir, hex]) => statFields(await fsp.lstat(entryPath(guardedDir(guard, dir), hex))),
  'name-rename': async ({ guard }, [dir, fromHex, toHex]) => {
    const d = guardedDir(guard, dir)
    await fsp.rename(entryPath(d, fromHex), entryPath(d, toHex))
  },
  /**
   * A file whose absolute path is exactly LENGTH bytes: the dirs it needs (255-byte names, made
   * here, so nothing in the chain is anything but a fresh dir of ours), then the file, holding
   * content, made and read back through the whole path. Each dir is made and held (O_PATH)
   * through the descriptor of the one above (/proc/self/fd/N/NAME: the held dir, one lookup), and
   * stays held until the end, so its dentry stays cached: under cache=none or mmap a 9p client forgets
   * unused dentries, and twenty-level walks for each of sixteen dirs would cost ~200 round trips.
   * Returns what was read.
   */
  'deep-file': async ({ guard }, [base, length, content]) => {
    let path = guardedDir(guard, base)
    const total = Number(length)
    const held: FileHandle[] = []
    try {
      held.push(await fsp.open(path, O_PATH | C.O_DIRECTORY | C.O_NOFOLLOW))
      // What is left to add: "/" + a name each time; the last name (the file) takes what remains.
      while (total - path.length > SEGMENT + 1) {
        const name = 'd'.repeat(SEGMENT)
        const via = `/proc/self/fd/${held.at(-1)!.fd}/${name}`
        await fsp.mkdir(via, 0o755)
        held.push(await fsp.open(via, O_PATH | C.O_DIRECTORY | C.O_NOFOLLOW))
        path = `${path}/${name}`
      }
      const rest = total - path.length - 1
      if (rest < 1) throw Object.assign(new Error(`${base} is already ${path.length} bytes: no room for a name`), { code: 'EINVAL' })
      path = `${path}/${'f'.repeat(rest)}`
      const fh = await fsp.open(path, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o644)
      try {
        await fh.writeFile(String(content))
      } finally {
        await fh.close()
      }
      return await readNoFollow(path)
    } finally {
      for (const fh of held) await fh.close()
    }
  },
}
