// The file system operations a check can ask for, by name, as pjdfstest names them. Each runs
// inside a worker process and returns {ok, value} or {ok: false, errno NAME}.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import { join } from 'node:path'
import { errnoFromMessage, normalizeErrno } from '../errno-names.ts'
import { fileType } from '../file-type.ts'
import { splitMountOptions } from '../mount-flags.ts'
import { benchWorkload } from './bench-workload.ts'
import { OutsideScratch, type PathGuard } from './path-guard.ts'
import type { OpResult, StatFields } from './protocol.ts'
import { aclOp, type SpecialFiles } from './special-files.ts'

export interface OpEnv {
  guard: PathGuard
  special: SpecialFiles
  /** Open file descriptors and inotify watches a check keeps across ops, by handle. */
  handles: Map<number, { fd?: number; watcher?: fs.FSWatcher; events?: string[] }>
}

let nextHandle = 1

function statFields(st: fs.Stats): StatFields {
  return {
    uid: st.uid,
    gid: st.gid,
    mode: (st.mode & 0o7777).toString(8).padStart(4, '0'),
    type: fileType(st),
    size: st.size,
    nlink: st.nlink,
    ino: st.ino,
    mtime: Math.floor(st.mtimeMs / 1000),
  }
}

/** Runs a command, turning a non-zero exit into an error whose errno is read from its message. */
function command(cmd: string, args: string[]): OpResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8' })
  if (r.error) return { ok: false, errno: 'ENOTOOL', message: `${cmd}: ${r.error.message}` }
  const message = (r.stderr || r.stdout).trim()
  if (r.status !== 0) return { ok: false, errno: errnoFromMessage(message), message: `${cmd} ${args.join(' ')} (exit ${r.status}): ${message}` }
  return { ok: true, value: r.stdout }
}

type Op = (env: OpEnv, args: any[]) => unknown | Promise<unknown>

/**
 * Every op. Paths are guarded: `nf` = must be inside the scratch dir (last component not
 * followed), `f` = and where symlinks lead must be inside too.
 */
const OPS: Record<string, Op> = {
  // creating
  create: ({ guard }, [p, mode = 0o644]) => fs.closeSync(fs.openSync(guard.assertNoFollow(p), 'wx', mode)),
  mkdir: ({ guard }, [p, mode = 0o755]) => fs.mkdirSync(guard.assertNoFollow(p), mode),
  symlink: ({ guard }, [target, p]) => fs.symlinkSync(target, guard.assertNoFollow(p)),
  link: ({ guard }, [existing, p]) => fs.linkSync(guard.assertNoFollow(existing), guard.assertNoFollow(p)),
  mkfifo: ({ guard, special }, [p, mode = 0o644]) => special.call('mkfifo', [guard.assertNoFollow(p), mode]),
  mknod: ({ guard, special }, [p, mode, type, major, minor]) => special.call('mknod', [guard.assertNoFollow(p), mode, type, major, minor]),
  // creating with a umask in force (the worker is single-threaded: restoring it is enough)
  'umask-create': ({ guard }, [p, umask, mode]) => {
    const old = process.umask(umask)
    try {
      fs.closeSync(fs.openSync(guard.assertNoFollow(p), 'wx', mode))
    } finally {
      process.umask(old)
    }
  },
  // ownership and modes
  chown: ({ guard }, [p, uid, gid]) => fs.chownSync(guard.assertFollow(p), uid, gid),
  lchown: ({ guard }, [p, uid, gid]) => fs.lchownSync(guard.assertNoFollow(p), uid, gid),
  chmod: ({ guard }, [p, mode]) => fs.chmodSync(guard.assertFollow(p), mode),
  'chown-R': ({ guard }, [p, owner]) => command('chown', ['-R', String(owner), guard.assertNoFollow(p)]),
  // looking
  lstat: ({ guard }, [p]) => statFields(fs.lstatSync(guard.assertNoFollow(p))),
  stat: ({ guard }, [p]) => statFields(fs.statSync(guard.assertFollow(p))),
  readlink: ({ guard }, [p]) => fs.readlinkSync(guard.assertNoFollow(p)),
  readdir: ({ guard }, [p]) => fs.readdirSync(guard.assertFollow(p)).sort(),
  read: ({ guard }, [p]) => fs.readFileSync(guard.assertFollow(p), 'utf8'),
  // changing content and names
  write: ({ guard }, [p, data]) => fs.writeFileSync(guard.assertFollow(p), String(data)),
  append: ({ guard }, [p, data]) => fs.appendFileSync(guard.assertFollow(p), String(data)),
  truncate: ({ guard }, [p, length]) => fs.truncateSync(guard.assertFollow(p), length),
  rename: ({ guard }, [from, to]) => {
    fs.renameSync(guard.assertNoFollow(from), guard.assertNoFollow(to))
    guard.forget(from)
    guard.forget(to)
  },
  unlink: ({ guard }, [p]) => fs.unlinkSync(guard.assertNoFollow(p)),
  rmdir: ({ guard }, [p]) => {
    fs.rmdirSync(guard.assertNoFollow(p))
    guard.forget(p)
  },
  // xattrs and ACLs
  getxattr: ({ guard, special }, [p, name]) => special.call('getxattr', [guard.assertFollow(p), name]),
  setxattr: ({ guard, special }, [p, name, hex, flag = '']) => special.call('setxattr', [guard.assertFollow(p), name, hex, flag]),
  listxattr: ({ guard, special }, [p]) => special.call('listxattr', [guard.assertFollow(p)]),
  removexattr: ({ guard, special }, [p, name]) => special.call('removexattr', [guard.assertFollow(p), name]),
  setfacl: ({ guard }, [p, spec]) => aclOp('setfacl', guard.assertFollow(p), spec),
  getfacl: ({ guard }, [p]) => aclOp('getfacl', guard.assertFollow(p)),
  // held descriptors: a read through an fd opened before a host edit; a write not yet closed
  'fd-open': ({ guard, handles }, [p, flags = 'r']) => {
    const fd = fs.openSync(guard.assertFollow(p), flags)
    const handle = nextHandle++
    handles.set(handle, { fd })
    return handle
  },
  'fd-read': ({ handles }, [handle]) => {
    const buf = Buffer.alloc(65536)
    const n = fs.readSync(fdOf(handles, handle), buf, 0, buf.length, 0)
    return buf.toString('utf8', 0, n)
  },
  'fd-write': ({ handles }, [handle, data]) => fs.writeSync(fdOf(handles, handle), String(data), 0),
  'fd-fsync': ({ handles }, [handle]) => fs.fsyncSync(fdOf(handles, handle)),
  'fd-close': ({ handles }, [handle]) => {
    fs.closeSync(fdOf(handles, handle))
    handles.delete(handle)
  },
  // inotify (fs.watch) on a directory: which names changed, from whichever side
  'watch-start': ({ guard, handles }, [dir]) => {
    const events: string[] = []
    const watcher = fs.watch(guard.assertFollow(dir), (_type, name) => name && events.push(String(name)))
    watcher.on('error', () => {})
    const handle = nextHandle++
    handles.set(handle, { watcher, events })
    return handle
  },
  'watch-events': ({ handles }, [handle]) => [...new Set(handles.get(handle)?.events ?? [])].sort(),
  'watch-stop': ({ handles }, [handle]) => {
    handles.get(handle)?.watcher?.close()
    handles.delete(handle)
  },
  // a shared writable mapping (python3's mmap): write through it, or read through one held open
  'mmap-write': ({ guard, special }, [p, text]) => special.call('mmap-write', [guard.assertFollow(p), text]),
  'mmap-open': ({ guard, special }, [p]) => special.call('mmap-open', [guard.assertFollow(p)]),
  'mmap-read': ({ special }, [id]) => special.call('mmap-read', [id]),
  'mmap-close': ({ special }, [id]) => special.call('mmap-close', [id]),
  // the bench suite: one workload in a dir, each call timed here (see bench-workload.ts)
  'bench-workload': ({ guard, special }, args) => benchWorkload(guard, special, args),
  // the share as a whole
  'drop-caches': async ({ special }) => {
    // Dirty pages first (drop_caches drops only clean ones): sync(2) through the python3 helper
    // when it runs (a process costs ~0.1 s under emulation), else sync(1).
    if (!(special.tool === 'python3' && (await special.call('sync', [])).ok)) spawnSync('sync')
    fs.writeFileSync('/proc/sys/vm/drop_caches', '3')
  },
  remount: async ({ special }, [mountPoint, fsType, source, options]) => {
    // umount(2) and mount(2) through the python3 helper when it runs (each process costs ~0.1 s
    // under emulation), split the way mount(8) splits options; else umount(8) and mount(8).
    const viaHelper = special.tool === 'python3'
    const { flags, data } = splitMountOptions(options)
    const down = viaHelper ? await special.call('umount', [mountPoint]) : command('umount', [mountPoint])
    if (!down.ok) return down
    const mount = async () => (viaHelper ? await special.call('mount', [source, mountPoint, fsType, flags, data]) : command('mount', ['-t', fsType, '-o', options, source, mountPoint]))
    const up = await mount()
    if (up.ok) return { ok: true }
    // Never leave a user's share unmounted: try once more (with mount(8) too) before giving up.
    if ((await mount()).ok || command('mount', ['-t', fsType, '-o', options, source, mountPoint]).ok) return { ok: true }
    return { ...up, message: `${up.message} (THE SHARE IS NOW UNMOUNTED: mount it again by hand)` }
  },
  // a --mount path itself: only looked at, never changed
  'mount-probe': ({ guard }, [p]) => {
    guard.assertMountPath(p)
    fs.statSync(p) // throws what is wrong with a path that is not there
    let writable = true
    try {
      fs.accessSync(p, fs.constants.W_OK)
    } catch {
      writable = false
    }
    return { writable }
  },
  // scratch dirs: PATH/.limafs-XXXXXX, and nothing else
  'scratch-create': ({ guard }, [mountPath]) => {
    const dir = fs.mkdtempSync(join(mountPath, '.limafs-'))
    guard.assertScratchDir(dir)
    guard.addRoot(dir)
    fs.chmodSync(dir, 0o755)
    return dir
  },
  'scratch-adopt': ({ guard }, [dir]) => {
    guard.addRoot(guard.assertScratchDir(dir))
  },
  'scratch-list': ({ guard }, [mountPath]) =>
    fs.readdirSync(mountPath).filter((name) => {
      try {
        guard.assertScratchDir(join(mountPath, name))
        return true
      } catch {
        return false
      }
    }),
  'scratch-remove': ({ guard }, [dir]) => {
    // rmSync never follows symlinks; only the scratch dir itself is named.
    fs.rmSync(guard.assertScratchDir(dir), { recursive: true, force: true, maxRetries: 2 })
    guard.forget(dir)
  },
}

function fdOf(handles: OpEnv['handles'], handle: number): number {
  const fd = handles.get(handle)?.fd
  if (fd === undefined) throw Object.assign(new Error(`no open descriptor ${handle}`), { code: 'EBADF' })
  return fd
}

export async function runOp(env: OpEnv, op: string, args: unknown[]): Promise<OpResult> {
  const fn = OPS[op]
  if (!fn) return { ok: false, errno: 'EBADOP', message: `unknown op ${op}` }
  try {
    const value = await fn(env, args)
    // Ops that delegate (helpers, commands) already return an OpResult.
    if (value && typeof value === 'object' && 'ok' in value) return value as OpResult
    return value === undefined ? { ok: true } : { ok: true, value }
  } catch (err) {
    if (err instanceof OutsideScratch) return { ok: false, errno: err.errno, message: err.message }
    const e = err as NodeJS.ErrnoException
    return { ok: false, errno: normalizeErrno(e.code ?? 'EUNKNOWN'), message: e.message }
  }
}
