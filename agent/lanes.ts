// Two lanes of work in the guest: the testbed's guest has 2 vCPUs (QEMU runs each on a host
// thread, under TCG too) and a worker does its file system calls one at a time, so a second
// root worker lets two suites, or two mounts, go at once. What runs on the lanes at the same
// time must not change each other's verdicts: drop_caches is felt by every mount, so it never
// runs beside an at-once point (see main.ts: which suites share the lanes, and the barrier
// between the per-mount suites and their later stages).
import type { AgentRun } from './mount-run.ts'

/** Runs each item on the first lane that comes free, in order; resolves when all are done. */
export async function onLanes<T>(lanes: readonly AgentRun[], items: readonly T[], body: (item: T, lane: AgentRun) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(lanes.map(async (lane) => {
    while (next < items.length) await body(items[next++]!, lane)
  }))
}
