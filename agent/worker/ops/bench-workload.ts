// The bench suite's workloads, run inside the worker and timed there around each system call
// (performance.now): the figures are the share's, not the agent's. Timing a check's ops through
// ctx.op would also time the path guard, whose realpath of the parent costs on 9p twice the op
// itself (measured on the TCG testbed, cache=mmap: lstat 5 ms, realpath of its dir 11 ms; under
// cache=loose 0.4 ms and 1 ms), which would bend every ratio. So the guard checks the workload's
// dir once, and every call inside names one entry of that dir and never follows a symlink:
// O_EXCL creates, O_NOFOLLOW opens, lstat, lchown, unlink, lsetxattr/lgetxattr (timed in the
// python3 helper).
import * as fs from 'node:fs'
import type { PathGuard } from '../path-guard.ts'
import type { SpecialFiles } from '../special-files.ts'

const BENCH_WORKLOADS = ['create', 'chown', 'chown-R', 'stat', 'readdir', 'xattr', 'write-read', 'unlink'] as const
type BenchWorkload = (typeof BENCH_WORKLOADS)[number]

/** One run of a workload: how many operations it did, each timed call, and the whole run. */
export interface WorkloadTiming {
  /** Files, entries listed, calls or bytes moved: what ops/s counts. */
  ops: number
  totalMs: number
  /** One per timed call (per file, per xattr call, per listing, per chunk). */
  latenciesMs: number[]
  /** A workload of several steps (the app-like ones): the time each took, by name. */
  phasesMs?: Record<string, number>
}

/** The workload's files in its dir: f0, f1, ... */
const benchFileName = (i: number) => `f${i}`
/** The write-read workload's file (removed again by the workload). */
const BIG_FILE = 'big'
/** "Small files": 64 bytes each, one write. */
const SMALL_CONTENT = Buffer.alloc(64, 0x61)
/** The large file moves in 128 KiB chunks: cp's buffer (coreutils io_blksize) and Lima's 9p msize. */
const CHUNK_BYTES = 128 * 1024
const XATTR_VALUE_HEX = Buffer.from('limafs-bench').toString('hex')

export class Timer {
  readonly latenciesMs: number[] = []
  private readonly t0 = performance.now()
  /** Named steps, each from its start to the next one's (or the end). */
  private readonly phases: Array<{ name: string; at: number }> = []

  time<T>(call: () => T): T {
    const t = performance.now()
    try {
      return call()
    } finally {
      this.latenciesMs.push(performance.now() - t)
    }
  }

  /** The workload's next step starts now. */
  phase(name: string): void {
    this.phases.push({ name, at: performance.now() })
  }

  done(ops: number): WorkloadTiming {
    const end = performance.now()
    const phasesMs = Object.fromEntries(this.phases.map((p, i) => [p.name, (this.phases[i + 1]?.at ?? end) - p.at]))
    return { ops, totalMs: end - this.t0, latenciesMs: this.latenciesMs, ...(this.phases.length ? { phasesMs } : {}) }
  }
}

export const errnoError = (errno: string, message: string) => Object.assign(new Error(message), { code: errno })

/**
 * Runs one workload in `dir` (which the guard checks once). args by workload:
 * create|stat|unlink N · chown N UID GID · chown-R UID GID (the whole dir) · readdir PASSES ·
 * xattr N NAME · write-read BYTES.
 */
export async function benchWorkload(guard: PathGuard, special: SpecialFiles, [dirArg, workload, ...args]: unknown[]): Promise<WorkloadTiming> {
  const dir = guard.assertFollow(String(dirArg))
  const n = Number(args[0])
  const file = (i: number) => `${dir}/${benchFileName(i)}`
  const timer = new Timer()
  switch (workload as BenchWorkload) {
    case 'create':
      for (let i = 0; i < n; i++) timer.time(() => fs.writeFileSync(file(i), SMALL_CONTENT, { flag: 'wx', mode: 0o644 }))
      return timer.done(n)
    case 'chown': {
      const [, uid, gid] = args.map(Number)
      for (let i = 0; i < n; i++) timer.time(() => fs.lchownSync(file(i), uid!, gid!))
      return timer.done(n)
    }
    case 'chown-R': {
      // As chown -R does it (fts, physical walk): list each directory, lstat and lchown each entry.
      const [uid, gid] = args.map(Number)
      let ops = 0
      const walk = (p: string) => {
        const st = timer.time(() => {
          const s = fs.lstatSync(p)
          fs.lchownSync(p, uid!, gid!)
          return s
        })
        ops++
        if (st.isDirectory()) for (const name of fs.readdirSync(p)) walk(`${p}/${name}`)
      }
      walk(dir)
      return timer.done(ops)
    }
    case 'stat':
      for (let i = 0; i < n; i++) timer.time(() => fs.lstatSync(file(i)))
      return timer.done(n)
    case 'readdir': {
      let entries = 0
      for (let pass = 0; pass < n; pass++) entries += timer.time(() => fs.readdirSync(dir)).length
      return timer.done(entries)
    }
    case 'xattr': {
      // Node has no xattr calls: the python3 helper makes and times them (lsetxattr, lgetxattr), all
      // files in one request, so its pipe (~6 ms a round trip under TCG) is not in the figures.
      if (special.tool !== 'python3') throw errnoError('ENOTOOL', 'the xattr workload needs python3 in the guest')
      const r = await special.call('bench-xattr', [Array.from({ length: n }, (_, i) => file(i)), String(args[1]), XATTR_VALUE_HEX])
      if (!r.ok) throw errnoError(r.errno, `xattr ${String(args[1])}: ${r.message}`)
      const { totalMs, latenciesMs } = r.value as { totalMs: number; latenciesMs: number[] }
      return { ops: 2 * n, totalMs, latenciesMs }
    }
    case 'write-read': {
      const path = `${dir}/${BIG_FILE}`
      const chunk = Buffer.alloc(CHUNK_BYTES, 0x62)
      const fd = fs.openSync(path, 'wx', 0o644)
      try {
        for (let done = 0; done < n; done += CHUNK_BYTES) timer.time(() => fs.writeSync(fd, chunk, 0, Math.min(CHUNK_BYTES, n - done)))
      } finally {
        fs.closeSync(fd)
      }
      const rd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW)
      let read = 0
      try {
        while (read < n) {
          const got = timer.time(() => fs.readSync(rd, chunk, 0, Math.min(CHUNK_BYTES, n - read), null))
          if (!got) break
          read += got
        }
      } finally {
        fs.closeSync(rd)
      }
      const timing = timer.done(n + read)
      fs.unlinkSync(path)
      if (read !== n) throw errnoError('EIO', `wrote ${n} bytes, read back only ${read}`)
      return timing
    }
    case 'unlink':
      for (let i = 0; i < n; i++) timer.time(() => fs.unlinkSync(file(i)))
      return timer.done(n)
  }
  throw errnoError('EBADOP', `unknown bench workload ${String(workload)}`)
}
