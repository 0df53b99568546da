// The bench suite's app-like workloads: what a git checkout, an npm install and an SQLite
// database do to a share, timed here, in the worker, around each system call as the other
// workloads are (bench-workload.ts). Each makes its own tree in the round's dir (checked once by
// the guard), works only on what it made, never follows a symlink (O_EXCL creates, O_NOFOLLOW
// opens, lstat, readlink; a chmod is an fchmod on an O_NOFOLLOW descriptor), and removes its
// tree afterwards, untimed, unless told to leave it (the host removes the round's dir then, in
// one request: ~70 fewer 9p calls a round). Sizes grow with --bench-scale: at 1 a handful of
// files each, so the three cost the bench about what two of the other workloads do under TCG
// (one 9p call ~5 ms); at 750 git-tree is a checkout of 3000 files.
import * as fs from 'node:fs'
import { errnoError, Timer, type WorkloadTiming } from './bench-workload.ts'
import type { OpFamily } from './op-env.ts'

const { O_RDONLY, O_NOFOLLOW } = fs.constants

/** A source-like file: sizes from 256 bytes to 4 KiB, the same in every run. */
const sourceFile = (i: number) => Buffer.alloc(256 + ((i * 977) % 3841), 0x61 + (i % 26))

/** git-tree at scale s: s modules, each a dir and a lib/ subdir, 2 files in each: 4s files in 2s + 1 dirs (~20 calls at 1). */
export const gitTreeShape = (scale: number) => ({ modules: scale, filesPerDir: 2 })
/** npm-unpack at scale s: 2s packages of 3 files (package.json, index.js, bin/cli.js), each linked from node_modules/.bin (~20 calls at 1). */
export const npmShape = (scale: number) => ({ packages: 2 * scale })
/** sqlite at scale s: 4s inserts, each its own transaction (a commit: journal written and fsynced, database fsynced). */
export const sqliteInserts = (scale: number) => 4 * scale

function openNoFollow(path: string, flags = O_RDONLY): number {
  return fs.openSync(path, flags | O_NOFOLLOW)
}

function readAll(path: string): number {
  const fd = openNoFollow(path)
  try {
    return fs.readFileSync(fd).length
  } finally {
    fs.closeSync(fd)
  }
}

function chmodNoFollow(path: string, mode: number): void {
  const fd = openNoFollow(path)
  try {
    fs.fchmodSync(fd, mode)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * A git checkout's life: check the tree out (mkdir, write each file), `git status` (lstat every
 * tracked file, list every dir for untracked ones), read everything (a build, a grep), then
 * chmod some files executable and rename some (`git mv`).
 */
function gitTree(dir: string, scale: number, leave: boolean): WorkloadTiming {
  const { modules, filesPerDir } = gitTreeShape(scale)
  const root = `${dir}/repo`
  const dirs = [root, ...Array.from({ length: modules }, (_, m) => [`${root}/mod${m}`, `${root}/mod${m}/lib`]).flat()]
  const files = dirs.slice(1).flatMap((d, di) => Array.from({ length: filesPerDir }, (_, f) => ({ path: `${d}/file${f}.c`, i: di * filesPerDir + f })))
  const timer = new Timer()
  let ops = 0
  const time = <T>(call: () => T): T => {
    ops++
    return timer.time(call)
  }
  timer.phase('checkout')
  for (const d of dirs) time(() => fs.mkdirSync(d, 0o755))
  for (const f of files) time(() => fs.writeFileSync(f.path, sourceFile(f.i), { flag: 'wx', mode: 0o644 }))
  timer.phase('status')
  for (const d of dirs) time(() => fs.readdirSync(d))
  for (const f of files) time(() => fs.lstatSync(f.path))
  timer.phase('read')
  for (const f of files) time(() => readAll(f.path))
  timer.phase('chmod-rename')
  for (const f of files.filter((_, k) => k % 4 === 0)) time(() => chmodNoFollow(f.path, 0o755))
  for (const f of files.filter((_, k) => k % 4 === 1)) time(() => fs.renameSync(f.path, `${f.path}.moved`))
  const timing = timer.done(ops)
  if (!leave) fs.rmSync(root, { recursive: true })
  return timing
}

/**
 * An npm install's unpack: per package a dir with bin/, its small files, the bin made
 * executable; then node_modules/.bin/NAME -> ../NAME/bin/cli.js for each; then npm's check of
 * the links (readlink).
 */
function npmUnpack(dir: string, scale: number, leave: boolean): WorkloadTiming {
  const { packages } = npmShape(scale)
  const nm = `${dir}/node_modules`
  const timer = new Timer()
  let ops = 0
  const time = <T>(call: () => T): T => {
    ops++
    return timer.time(call)
  }
  timer.phase('extract')
  time(() => fs.mkdirSync(nm, 0o755))
  for (let p = 0; p < packages; p++) {
    const pkg = `${nm}/pkg${p}`
    for (const d of [pkg, `${pkg}/bin`]) time(() => fs.mkdirSync(d, 0o755))
    const parts: Array<[string, number]> = [['package.json', 400], ['index.js', 1800], ['bin/cli.js', 300]]
    for (const [name, size] of parts) time(() => fs.writeFileSync(`${pkg}/${name}`, Buffer.alloc(size, 0x6a), { flag: 'wx', mode: 0o644 }))
    time(() => chmodNoFollow(`${pkg}/bin/cli.js`, 0o755))
  }
  timer.phase('link')
  time(() => fs.mkdirSync(`${nm}/.bin`, 0o755))
  for (let p = 0; p < packages; p++) time(() => fs.symlinkSync(`../pkg${p}/bin/cli.js`, `${nm}/.bin/pkg${p}`))
  timer.phase('verify')
  for (let p = 0; p < packages; p++) time(() => fs.readlinkSync(`${nm}/.bin/pkg${p}`))
  const timing = timer.done(ops)
  if (!leave) fs.rmSync(nm, { recursive: true })
  return timing
}

/** The app-like workloads by name; args: the round's dir, the workload, the scale, and 'leave' to leave the tree for the caller to remove. */
export const benchAppOps: OpFamily = {
  'bench-app': async ({ guard, special }, [dirArg, workload, scaleArg, after]) => {
    const dir = guard.assertFollow(String(dirArg))
    const scale = Number(scaleArg)
    if (!Number.isInteger(scale) || scale < 1) throw errnoError('EINVAL', `scale ${String(scaleArg)}: expected an integer >= 1`)
    const leave = after === 'leave'
    switch (workload) {
      case 'git-tree':
        return gitTree(dir, scale, leave)
      case 'npm-unpack':
        return npmUnpack(dir, scale, leave)
      case 'sqlite': {
        // python3's sqlite3 makes and times the inserts (python/bench-sqlite.ts); without it, a
        // value that says why ({skip}), not an errno: a missing module is not the share's refusal.
        if (special.tool !== 'python3') return { skip: 'no python3 in the guest (the sqlite workload runs in its sqlite3 module)' }
        const r = await special.call('bench-sqlite', [`${dir}/bench.db`, sqliteInserts(scale)])
        if (!r.ok) throw errnoError(r.errno, `sqlite: ${r.message}`)
        return r.value
      }
    }
    throw errnoError('EBADOP', `unknown app workload ${String(workload)}`)
  },
}
