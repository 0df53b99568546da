// Lima's `mountInotify: true`, the pure parts (pkg/hostagent/inotify.go, pkg/guestagent
// guestagent_linux.go HandleInotify): the host agent watches every WRITABLE mount's location
// recursively (Create | Write | InAttrib on Linux, inotify_linux.go), stats the changed path
// (a path that can't be stat'ed, e.g. a deleted file, is dropped), drops repeats within 10 ms of
// the same mtime, translates the host path to the guest path and sends {MountPath, Time: mtime};
// the guest agent, when the path exists there, sets its atime and mtime to that time
// (os.Chtimes), which is what makes a guest inotify watcher see IN_ATTRIB for a host edit.
import type { ShareSetup } from '../types.ts'

/** inotify.go: `if currTime.UnixMilli()-cacheMilli < 10 { return true }`. */
export const REPEAT_WINDOW_MS = 10
/** inotify.go CacheSize: the cache is emptied when it holds this many paths. */
export const CACHE_SIZE = 10_000

/** The mounts Lima watches: setupWatchers skips read-only ones. */
export function watchedShares<T extends Pick<ShareSetup, 'config'>>(shares: readonly T[]): T[] {
  return shares.filter((s) => s.config.mountInotify && s.config.writable)
}

/** inotify.go filterEvents: true when this event repeats one for the same path within 10 ms of mtime. */
export class RepeatFilter {
  private cache = new Map<string, number>()

  repeated(path: string, mtimeMs: number): boolean {
    const cached = this.cache.get(path)
    if (cached !== undefined && Math.trunc(mtimeMs) - cached < REPEAT_WINDOW_MS) return true
    this.cache.set(path, Math.trunc(mtimeMs))
    if (this.cache.size >= CACHE_SIZE) this.cache = new Map()
    return false
  }
}

/** inotify.go translateToGuestPath (locations -> mount points; the testbed's locations are not symlinks). */
export function toGuestPath(hostPath: string, shares: ReadonlyArray<Pick<ShareSetup, 'hostDir' | 'mountPoint'>>): string {
  for (const s of shares) {
    if (hostPath === s.hostDir || hostPath.startsWith(`${s.hostDir}/`)) return s.mountPoint + hostPath.slice(s.hostDir.length)
  }
  return hostPath
}

/**
 * The guest side, as a Node script reading one JSON event per line on stdin: Lima's guest agent
 * HandleInotify (`if os.Stat(location) == nil { os.Chtimes(location, t, t) }`), the time in
 * seconds with its fraction.
 */
export const GUEST_CHTIMES_SCRIPT = `
const fs = require('node:fs')
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  let e
  try { e = JSON.parse(line) } catch { return }
  try {
    fs.statSync(e.path)
    fs.utimesSync(e.path, e.time, e.time)
  } catch (err) {
    if (err.code !== 'ENOENT') process.stderr.write('limafs mount-inotify (guest): ' + e.path + ': ' + err.message + '\\n')
  }
})
`
