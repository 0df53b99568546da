// Carrying out validated host-bridge requests on the host side of a share. Nothing follows a
// symlink: a request whose directory resolves outside the share, or whose file is a symlink
// for a verb that would follow it, is refused. Files the bridge makes get the share dir's
// owner (QEMU's user), as if that user had made them on the host.
import * as fs from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { HostTruth } from '../../agent/diagnostics.ts'
import { fileType } from '../../agent/file-type.ts'
import { decodeVirtfs, readHostXattrs } from './host-xattrs.ts'
import type { Validated } from './validate.ts'

export type BridgeResult = { ok: true; value?: unknown } | { ok: false; error: string }

type Ok = Extract<Validated, { ok: true }>

/** The directory of p really is inside the share (no symlinked dir leads out). */
function assertParentInside(p: string, hostDir: string): void {
  const root = fs.realpathSync(hostDir)
  const parent = fs.realpathSync(dirname(p))
  if (parent !== root && !parent.startsWith(`${root}/`)) throw new Error(`${dirname(p)} resolves outside the share (${parent})`)
}

function refuseSymlink(p: string): void {
  try {
    if (fs.lstatSync(p).isSymbolicLink()) throw new Error(`${basename(p)} is a symlink: the bridge does not follow symlinks`)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}

/** Gives a new host entry the share dir's owner when we are root (as QEMU's user would own it). */
function ownLikeShare(p: string, hostDir: string): void {
  if (process.getuid?.() !== 0) return
  const { uid, gid } = fs.statSync(hostDir)
  fs.lchownSync(p, uid, gid)
}

/** What the host stored for a path: owner, mode, xattrs (user.virtfs.* decoded), .virtfs_metadata. */
export async function look(hostPath: string, relPath: string): Promise<HostTruth> {
  let st: fs.Stats
  try {
    st = fs.lstatSync(hostPath)
  } catch (err) {
    return { path: relPath, exists: false, error: (err as NodeJS.ErrnoException).code ?? String(err) }
  }
  const truth: HostTruth = { path: relPath, exists: true, type: fileType(st), uid: st.uid, gid: st.gid, mode: (st.mode & 0o7777).toString(8).padStart(4, '0'), size: st.size }
  if (truth.type === 'symlink') truth.symlinkTarget = fs.readlinkSync(hostPath)
  const xattrs = await readHostXattrs(hostPath)
  if ('error' in xattrs && typeof xattrs.error === 'string') truth.error = `xattrs: ${xattrs.error}`
  else {
    truth.xattrs = xattrs as Record<string, string>
    const virtfs = decodeVirtfs(truth.xattrs)
    if (virtfs) truth.virtfs = virtfs
  }
  // QEMU mapped-file keeps metadata in DIR/.virtfs_metadata/NAME (the export root's own: .virtfs_metadata_root).
  const metadataFile = join(dirname(hostPath), '.virtfs_metadata', basename(hostPath))
  if (fs.existsSync(metadataFile)) {
    truth.virtfsMetadata = Object.fromEntries(
      fs.readFileSync(metadataFile, 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    )
  }
  return truth
}

export async function serve(req: Ok, relPath: string): Promise<BridgeResult> {
  const { verb, hostPath: p, hostDir, args } = req
  try {
    assertParentInside(p, hostDir)
    switch (verb) {
      case 'look':
        return { ok: true, value: await look(p, relPath) }
      case 'read':
        refuseSymlink(p)
        return { ok: true, value: fs.readFileSync(p, 'utf8') }
      case 'write': {
        refuseSymlink(p)
        const existed = fs.existsSync(p)
        // In place: same inode (O_TRUNC), like an editor that rewrites the file.
        fs.writeFileSync(p, String(args.content))
        if (!existed) ownLikeShare(p, hostDir)
        return { ok: true }
      }
      case 'append':
        refuseSymlink(p)
        fs.appendFileSync(p, String(args.content))
        return { ok: true }
      case 'replace': {
        // A new inode renamed over the old one, like an editor that saves atomically.
        refuseSymlink(p)
        const tmp = join(dirname(p), `.limafs-bridge-${process.pid}-${Date.now()}`)
        fs.writeFileSync(tmp, String(args.content))
        ownLikeShare(tmp, hostDir)
        fs.renameSync(tmp, p)
        return { ok: true }
      }
      case 'truncate':
        refuseSymlink(p)
        fs.truncateSync(p, args.size as number)
        return { ok: true }
      case 'symlink':
        fs.symlinkSync(String(args.target), p)
        ownLikeShare(p, hostDir)
        return { ok: true }
      case 'mkdir':
        fs.mkdirSync(p)
        ownLikeShare(p, hostDir)
        return { ok: true }
      case 'unlink':
        fs.unlinkSync(p)
        return { ok: true }
      case 'rename':
        assertParentInside(req.to!, hostDir)
        fs.renameSync(p, req.to!)
        return { ok: true }
      case 'chmod':
        refuseSymlink(p)
        fs.chmodSync(p, args.mode as number)
        return { ok: true }
      case 'chown':
        fs.lchownSync(p, args.uid as number, args.gid as number)
        return { ok: true }
      case 'touch': {
        // To a given time (seconds since the epoch), or now.
        refuseSymlink(p)
        const when = typeof args.mtime === 'number' ? new Date(args.mtime * 1000) : new Date()
        fs.utimesSync(p, when, when)
        return { ok: true }
      }
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return { ok: false, error: e.code ? `${e.code}: ${e.message}` : e.message }
  }
}
