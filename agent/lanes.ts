// Two lanes of work in the guest: the testbed's guest has 2 vCPUs (QEMU runs each on a host
// thread, under TCG too) and a worker does its file system calls one at a time, so a second
// root worker lets two suites, or two mounts, go at once. What runs on the lanes at the same
// time must not change each other's verdicts: drop_caches is felt by every mount, so it never
// runs beside a point that looks at what is cached (the suites that drop the caches run alone;
// a mount's own drop_caches waits at the CacheGate for the other lane's at-once points).
import type { AgentRun } from './mount-run.ts'

/** Runs each item on the first lane that comes free, in order; resolves when all are done. */
export async function onLanes<T>(lanes: readonly AgentRun[], items: readonly T[], body: (item: T, lane: AgentRun) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(lanes.map(async (lane) => {
    while (next < items.length) await body(items[next++]!, lane)
  }))
}

/**
 * A read-write gate between a mount's calls and at-once points (shared: both lanes at once) and
 * a drop_caches (exclusive: it waits until no lane is in its at-once points, and none starts
 * new ones while it waits). Nothing holds it twice: there is no drop inside the shared part.
 */
export class CacheGate {
  private inside = 0
  private dropping = false
  private dropsWaiting = 0
  private waiters: Array<() => void> = []

  /** Runs body while no drop_caches runs (several at once). */
  async shared<T>(body: () => Promise<T>): Promise<T> {
    // Checked and taken with no await between (another caller could slip in at an await).
    while (this.dropping || this.dropsWaiting > 0) await this.wait()
    this.inside++
    try {
      return await body()
    } finally {
      this.inside--
      this.wake()
    }
  }

  /** Runs body (a drop_caches) alone: once the shared parts under way are done. */
  async exclusive<T>(body: () => Promise<T>): Promise<T> {
    this.dropsWaiting++
    while (this.dropping || this.inside > 0) await this.wait()
    this.dropsWaiting--
    this.dropping = true
    try {
      return await body()
    } finally {
      this.dropping = false
      this.wake()
    }
  }

  private wait(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve))
  }

  private wake(): void {
    const waiting = this.waiters
    this.waiters = []
    for (const resolve of waiting) resolve()
  }
}
