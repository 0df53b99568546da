// Where a run's time goes (agent `--profile`; `npm run bench:run` prints it). The worker clocks
// the wall time during which at least one call of a kind is in flight: file system calls (ops,
// the python3 helper's included), host-bridge requests (ssh and the host's act), ops relayed as
// the ordinary user, and waits (observation windows). Overlapping calls of a shared suite count
// once, so the kinds and "other" (the checks' own JS) add up to the job's wall time. The agent
// adds what the job cost it beyond the worker's wall time: IPC, scheduling, the worker's start.
// It counts the calls too (file system and bridge): with ms/call, what a cut of calls would save.
export const PROFILE_KINDS = ['fs', 'bridge', 'user', 'wait'] as const
export type ProfileKind = (typeof PROFILE_KINDS)[number]

/** One job's figures from the worker: times in ms, and how many file system calls and host-bridge requests it made. */
export type JobFigures = { wallMs: number; fsCalls: number; bridgeCalls: number } & Record<ProfileKind, number>

/** The figures that add up over jobs (all of them). */
const SUMMED = ['wallMs', 'fsCalls', 'bridgeCalls', ...PROFILE_KINDS] as const

/** In the worker: clocks each kind's in-flight wall time over one job. */
export class InFlightClock {
  private readonly inFlight = new Map<ProfileKind, number>()
  private readonly since = new Map<ProfileKind, number>()
  private readonly totals = new Map<ProfileKind, number>()
  private readonly calls = new Map<ProfileKind, number>()
  private started = performance.now()

  async time<T>(kind: ProfileKind, call: () => Promise<T>): Promise<T> {
    const n = this.inFlight.get(kind) ?? 0
    if (n === 0) this.since.set(kind, performance.now())
    this.inFlight.set(kind, n + 1)
    this.calls.set(kind, (this.calls.get(kind) ?? 0) + 1)
    try {
      return await call()
    } finally {
      const left = this.inFlight.get(kind)! - 1
      this.inFlight.set(kind, left)
      if (left === 0) this.totals.set(kind, (this.totals.get(kind) ?? 0) + performance.now() - this.since.get(kind)!)
    }
  }

  /** The job's figures so far; the clock starts again from zero. */
  take(): JobFigures {
    const now = performance.now()
    const figures = { wallMs: now - this.started, fsCalls: this.calls.get('fs') ?? 0, bridgeCalls: this.calls.get('bridge') ?? 0 } as JobFigures
    for (const kind of PROFILE_KINDS) {
      const open = (this.inFlight.get(kind) ?? 0) > 0 ? now - this.since.get(kind)! : 0
      figures[kind] = (this.totals.get(kind) ?? 0) + open
      if (open) this.since.set(kind, now)
    }
    this.totals.clear()
    this.calls.clear()
    this.started = now
    return figures
  }
}

/** The worker process's clock (one job at a time runs there); never used in the agent. */
export const workerClock = new InFlightClock()

/** A wait that is part of a check (an observation window), clocked as such. */
export const waitMs = (ms: number): Promise<void> => workerClock.time('wait', () => new Promise((r) => setTimeout(r, ms)))

interface Row {
  jobs: number
  /** The job as the agent saw it: post to done. */
  agentMs: number
  worker: JobFigures
}

const zero = (): JobFigures => ({ wallMs: 0, fsCalls: 0, bridgeCalls: 0, fs: 0, bridge: 0, user: 0, wait: 0 })

/** In the agent: every job's figures, by suite (or stage) and by mount; agent ops by name. */
export class RunProfile {
  private readonly bySuite = new Map<string, Row>()
  private readonly byMount = new Map<string, Row>()
  private readonly agentOps = new Map<string, { calls: number; ms: number }>()

  addJob(suite: string, mounts: readonly string[], agentMs: number, worker: JobFigures | undefined): void {
    const add = (map: Map<string, Row>, key: string, share: number) => {
      const row = map.get(key) ?? { jobs: 0, agentMs: 0, worker: zero() }
      row.jobs += 1
      row.agentMs += agentMs * share
      for (const k of SUMMED) row.worker[k] += (worker?.[k] ?? 0) * share
      map.set(key, row)
    }
    add(this.bySuite, suite, 1)
    // A shared job's time is split evenly over its mounts: what one mount cost is not separable.
    for (const m of mounts) add(this.byMount, m, 1 / mounts.length)
  }

  addAgentOp(op: string, ms: number): void {
    const o = this.agentOps.get(op) ?? { calls: 0, ms: 0 }
    o.calls += 1
    o.ms += ms
    this.agentOps.set(op, o)
  }

  /** The table, a line each: by suite, by mount, the agent's own ops, the total. */
  lines(): string[] {
    const s = (ms: number) => (ms / 1000).toFixed(1).padStart(7)
    const head = `${'wall s'.padStart(7)} ${'fs s'.padStart(7)} ${'bridge s'.padStart(8)} ${'user s'.padStart(7)} ${'wait s'.padStart(7)} ${'js s'.padStart(7)} ${'ipc s'.padStart(7)} ${'fs calls'.padStart(8)} ${'ms/call'.padStart(7)} ${'bridge n'.padStart(8)}`
    // A shared job's calls are split over its mounts too: a mount's count may be a fraction, shown rounded.
    const n = (x: number) => String(Math.round(x)).padStart(8)
    const row = (name: string, r: Row) => {
      const w = r.worker
      const js = Math.max(0, w.wallMs - w.fs - w.bridge - w.user - w.wait)
      const ipc = Math.max(0, r.agentMs - w.wallMs)
      const perCall = w.fsCalls ? (w.fs / w.fsCalls).toFixed(1) : '-'
      return `${name.padEnd(28)} ${s(r.agentMs)} ${s(w.fs)} ${s(w.bridge).padStart(8)} ${s(w.user)} ${s(w.wait)} ${s(js)} ${s(ipc)} ${n(w.fsCalls)} ${perCall.padStart(7)} ${n(w.bridgeCalls)}`
    }
    const total: Row = { jobs: 0, agentMs: 0, worker: zero() }
    for (const r of this.bySuite.values()) {
      total.jobs += r.jobs
      total.agentMs += r.agentMs
      for (const k of SUMMED) total.worker[k] += r.worker[k]
    }
    const out = [`profile: ${'by suite or stage'.padEnd(28)} ${head}`]
    for (const [name, r] of [...this.bySuite].sort((a, b) => b[1].agentMs - a[1].agentMs)) out.push(`profile: ${row(name, r)}`)
    out.push(`profile: ${row('total', total)}`)
    out.push(`profile: ${'by mount'.padEnd(28)} ${head}`)
    for (const [name, r] of this.byMount) out.push(`profile: ${row(name.split('/').pop() ?? name, r)}`)
    const ops = [...this.agentOps].sort((a, b) => b[1].ms - a[1].ms)
    if (ops.length) out.push(`profile: agent's own ops: ${ops.map(([op, o]) => `${op} ${(o.ms / 1000).toFixed(1)} s (${o.calls})`).join(', ')}`)
    return out
  }
}
