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
 * A read-write gate between what looks at cached state (shared: both lanes at once) and a
 * drop_caches (exclusive: it waits until no lane is in a shared part, and none starts new ones
 * while it waits). Nothing holds it twice: a holder of a shared part lets it go before it drops.
 */
export class CacheGate {
  private inside = 0
  private dropping = false
  private dropsWaiting = 0
  private waiters: Array<() => void> = []

  /** Runs body while no drop_caches runs (several at once). */
  async shared<T>(body: () => Promise<T>): Promise<T> {
    const release = await this.enterShared()
    try {
      return await body()
    } finally {
      release()
    }
  }

  /** Runs body (a drop_caches) alone: once the shared parts under way are done. */
  async exclusive<T>(body: () => Promise<T>): Promise<T> {
    const release = await this.enterExclusive()
    try {
      return await body()
    } finally {
      release()
    }
  }

  /** A shared part that does not fit one body (a job whose drop comes from its worker): the call that ends it. */
  async enterShared(): Promise<() => void> {
    // Checked and taken with no await between (another caller could slip in at an await).
    while (this.dropping || this.dropsWaiting > 0) await this.wait()
    this.inside++
    return this.once(() => {
      this.inside--
      this.wake()
    })
  }

  /** An exclusive part that does not fit one body: the call that ends it. */
  async enterExclusive(): Promise<() => void> {
    this.dropsWaiting++
    while (this.dropping || this.inside > 0) await this.wait()
    this.dropsWaiting--
    this.dropping = true
    return this.once(() => {
      this.dropping = false
      this.wake()
    })
  }

  private once(release: () => void): () => void {
    let done = false
    return () => {
      if (!done) release()
      done = true
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

/**
 * The gate as jobs that drop the caches from their worker hold it (the suites that drop): from
 * start to end a job holds a shared part, given up for its drop (begin) and taken again after
 * it (end). Two such jobs side by side thus each see their own drop only, before it nothing.
 */
export class GateSessions {
  private readonly held = new Map<string, { release: () => void; ended: boolean }>()

  constructor(private readonly gate: CacheGate) {}

  /** Runs a job of the lane named by key inside a session. */
  async run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const session = { release: await this.gate.enterShared(), ended: false }
    this.held.set(key, session)
    try {
      return await job()
    } finally {
      session.ended = true
      session.release()
      this.held.delete(key)
    }
  }

  /** The lane's worker asks to drop (begin) or is done dropping (end); outside a session, at once. */
  async step(key: string, step: 'begin' | 'end'): Promise<void> {
    const session = this.held.get(key)
    if (!session) return
    session.release()
    const release = await (step === 'begin' ? this.gate.enterExclusive() : this.gate.enterShared())
    // A job ended (killed) while this waited: what was just taken goes back at once.
    if (session.ended) release()
    else session.release = release
  }
}
