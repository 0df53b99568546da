// What the hostile-guest tests need around a bridged share: a sentinel tree outside the scratch
// dir (outside the share, and a user's files inside it) whose every byte, mode, owner, time and
// entry is snapshotted; the guest's moves made directly on the host (as the share server would
// make them for the guest); and a flipper: a process that swaps a dir or file in the scratch dir
// for a symlink leading out, in a tight loop, while requests run.
import { chownSync, lstatSync, lutimesSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'

export interface Sentinel {
  /** A dir outside the share: a file, a secret, a subdir, a link. */
  outside: string
  /** A user's own files in the share, outside the scratch dir. */
  userFile: string
  userDir: string
  /** A user's dir named like a scratch dir, there before the run. */
  preexisting: string
}

/** Makes the sentinel tree: `outside` next to the share, the user's files in it (owned by owner). */
export function makeSentinel(share: string, base: string, owner?: { uid: number; gid: number }): Sentinel {
  const outside = join(base, 'outside')
  mkdirSync(join(outside, 'sub'), { recursive: true })
  writeFileSync(join(outside, 'victim'), 'outside victim\n', { mode: 0o644 })
  writeFileSync(join(outside, 'secret'), 'outside secret\n', { mode: 0o600 })
  writeFileSync(join(outside, 'sub', 'inner'), 'inner\n')
  symlinkSync('victim', join(outside, 'link'))
  const userFile = join(share, 'user-file')
  const userDir = join(share, 'user-dir')
  const preexisting = join(share, '.limafs-preexist')
  writeFileSync(userFile, 'user data\n')
  mkdirSync(userDir)
  writeFileSync(join(userDir, 'doc'), 'user doc\n')
  mkdirSync(preexisting)
  writeFileSync(join(preexisting, 'keep'), 'keep\n')
  if (owner) for (const p of [userFile, userDir, join(userDir, 'doc'), preexisting, join(preexisting, 'keep')]) chownSync(p, owner.uid, owner.gid)
  return { outside, userFile, userDir, preexisting }
}

/**
 * Sets every time below root into the recent past (mtime 2 h, atime 1 h ago): reading a file
 * then leaves its atime alone under relatime, so a snapshot can compare atimes too.
 */
export function settleTimes(root: string, skip: string): void {
  const now = Date.now() / 1000
  const walk = (p: string) => {
    if (p === skip) return
    const st = lstatSync(p)
    if (st.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name))
    lutimesSync(p, now - 3600, now - 7200)
  }
  walk(root)
}

export type Snapshot = Record<string, string>

/** Every object below the roots (not below `skip`): type, mode, owner, links, size, times, content or target. */
export function snapshot(roots: readonly string[], skip: ReadonlySet<string>, options: { atime: boolean }): Snapshot {
  const out: Snapshot = {}
  const walk = (p: string) => {
    if (skip.has(p)) return
    const st = lstatSync(p, { bigint: true })
    const fields = [st.mode.toString(8), `${st.uid}:${st.gid}`, `nlink ${st.nlink}`, `size ${st.size}`, `mtime ${st.mtimeNs}`, `ctime ${st.ctimeNs}`, ...(options.atime ? [`atime ${st.atimeNs}`] : [])]
    if (st.isSymbolicLink()) fields.push(`-> ${readlinkSync(p)}`)
    else if (st.isFile()) fields.push(readFileSync(p).toString('base64'))
    else if (st.isDirectory()) {
      const names = readdirSync(p).sort()
      fields.push(`[${names.join(',')}]`)
      for (const name of names) walk(join(p, name))
    }
    out[p] = fields.join(' ')
  }
  for (const root of roots) walk(root)
  return out
}

/** Empties the scratch dir, as the guest may. */
export function emptyDir(dir: string): void {
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true })
}

/**
 * A flipper: at each of its spots (a dir and a name in it), the name is a real dir (holding
 * `victim`) or file, and for an instant, over and over, a symlink to `target` (outside). One
 * python3 process flips every spot in turn, as fast as the host allows, for `seconds` and on
 * until each spot has flipped 5 times (30 s at most). Resolves with the number of flips at each
 * spot (-1: it broke).
 */
const FLIPPER_PY = String.raw`
import os, sys, time, json
seconds, spots = float(sys.argv[1]), json.loads(sys.argv[2])
MIN_FLIPS, CAP_SECONDS = 5, 30
def make_real(path, kind):
    if kind == 'dir':
        os.mkdir(path)
        with open(os.path.join(path, 'victim'), 'w') as f:
            f.write('scratch victim\n')
    else:
        with open(path, 'w') as f:
            f.write('scratch victim\n')
def restore(path, kind):
    # The bridge may have moved or removed things meanwhile: put a real object back at path.
    for step in (lambda: os.unlink(path + '.link'), lambda: os.path.islink(path) and os.unlink(path),
                 lambda: os.rename(path + '.aside', path), lambda: os.path.lexists(path) or make_real(path, kind)):
        try:
            step()
        except OSError:
            pass
def flip(path, target):
    os.rename(path, path + '.aside')
    os.symlink(target, path + '.link')
    os.rename(path + '.link', path)
    os.unlink(path)
    os.rename(path + '.aside', path)
paths = [os.path.join(s['dir'], s['name']) for s in spots]
for p, s in zip(paths, spots):
    restore(p, s['kind'])
# For the seconds asked, and on until every spot has flipped a few times (a verb that removes
# what it is sent, remove-tree, can keep a spot from flipping on a busy host), within a cap.
flips, start = [0] * len(spots), time.time()
while time.time() < start + seconds or (min(flips) < MIN_FLIPS and time.time() < start + CAP_SECONDS):
    for i, (p, s) in enumerate(zip(paths, spots)):
        try:
            flip(p, s['target'])
            flips[i] += 1
        except OSError:
            restore(p, s['kind'])
for p, s in zip(paths, spots):
    restore(p, s['kind'])
print(json.dumps(flips))
`

export interface FlipSpot {
  dir: string
  name: string
  /** What the symlink leads to (outside). */
  target: string
  kind: 'dir' | 'file'
}

export async function flip(spots: readonly FlipSpot[], seconds: number): Promise<number[]> {
  const r = await execa('python3', ['-c', FLIPPER_PY, String(seconds), JSON.stringify(spots)], { reject: false })
  return r.failed ? spots.map(() => -1) : (JSON.parse(r.stdout) as number[])
}

/** A fifo and a socket in dir (python3: portable), and a char device when we are root on Linux. */
export async function makeSpecials(dir: string): Promise<string[]> {
  const device = process.getuid?.() === 0 && process.platform === 'linux'
  await execa('python3', ['-c', `import os,socket,sys\nos.chdir(sys.argv[1]); os.mkfifo('fifo'); socket.socket(socket.AF_UNIX).bind('sock')${device ? "\nos.mknod('dev', 0o666 | 0o020000, os.makedev(1, 3))" : ''}`, dir])
  return device ? ['fifo', 'sock', 'dev'] : ['fifo', 'sock']
}

/** Does this file system record birth times (Node's statx says)? */
export function hasBirthTimes(dir: string): boolean {
  return lstatSync(dir).birthtimeMs > 0
}

/** Resolves with the promise's value, or rejects after ms (a request that hangs). */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer))
}
