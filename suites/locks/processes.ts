// Two guest processes for a check: 'a' and 'b', python3 helpers of their own (two pids, their
// own descriptors and locks), kept for the whole run and shared by every mount's checks. What a
// check opens in them, and the processes it forks, are let go of when it ends, however it ends.
import type { CheckContext } from '../../agent/check-api.ts'

export const A = 'a'
export const B = 'b'

export interface TwoProcesses {
  /** A read-write descriptor of PATH in guest process PROC: its number there. */
  open(proc: string, path: string): Promise<number>
  /** Closes it (expected to work): the number is free again, maybe for another mount's check at once. */
  close(proc: string, fd: number): Promise<unknown>
  /** A SQLite connection to the database at PATH in guest process PROC. */
  sqlite(proc: string, path: string): Promise<number>
  /** A process of its own (forked) that takes a write lock of a kind on all of PATH and holds it: its pid. */
  holder(path: string, how: string): Promise<number>
  /** SIGKILLs a holder: how it ended. */
  kill(pid: number): Promise<unknown>
}

export async function inTwoProcesses(x: CheckContext, body: (p: TwoProcesses) => Promise<void>): Promise<void> {
  await x.setup('procs-start', A, B)
  const fds = new Map<string, [string, number]>()
  const connections: Array<[string, number]> = []
  const holders = new Set<number>()
  try {
    await body({
      open: async (proc, path) => {
        const fd = (await x.setup('lock-open', proc, path)) as number
        fds.set(`${proc} ${fd}`, [proc, fd])
        return fd
      },
      close: (proc, fd) => {
        fds.delete(`${proc} ${fd}`)
        return x.expect(0, 'lock-close', proc, fd)
      },
      sqlite: async (proc, path) => {
        const handle = (await x.setup('sqlite-open', proc, path)) as number
        connections.push([proc, handle])
        return handle
      },
      holder: async (path, how) => {
        const pid = (await x.setup('lock-hold-child', path, how)) as number
        holders.add(pid)
        return pid
      },
      kill: (pid) => {
        holders.delete(pid)
        return x.expect('SIGKILL', 'child-kill', pid)
      },
    })
  } finally {
    await Promise.all([
      ...[...holders].map((pid) => x.attempt('child-kill', pid)),
      ...connections.map(([proc, handle]) => x.attempt('sqlite-close', proc, handle)),
      ...[...fds.values()].map(([proc, fd]) => x.attempt('lock-close', proc, fd)),
    ])
  }
}

/** A new file, and a read-write descriptor of it in each of the two processes (fa in a, fb in b). */
export async function oneFileInBoth(x: CheckContext, body: (p: TwoProcesses, f: string, fa: number, fb: number) => Promise<void>): Promise<void> {
  const f = await x.make('file')
  await inTwoProcesses(x, async (p) => body(p, f, await p.open(A, f), await p.open(B, f)))
}
