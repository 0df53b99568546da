// A check context over ops that answer from a function (no worker, no share): what the check
// API and the suites' own logic are tested with. Paths are under a made-up scratch dir.
import { PointFailure } from '../../agent/check-api.ts'
import type { ContextDeps } from '../../agent/check-context.ts'
import { NO_HOST } from '../../agent/host-bridge.ts'
import type { OpRunner } from '../../agent/op-runner.ts'

export const FAKE_SCRATCH = '/mnt/share/.limafs-abc123'

/** The deps of a context whose ops are `ops`, for a check of `suite`; the rest fixed. */
export function fakeDeps(ops: OpRunner, { suite = 'chown', deadline = Date.now() + 60_000 }: { suite?: string; deadline?: number } = {}): ContextDeps {
  return {
    ops,
    user: { uid: 1000, gid: 1000 },
    other: { uid: 1234, gid: 5678 },
    host: NO_HOST,
    base: `${FAKE_SCRATCH}/${suite}/0-`,
    userBase: `${FAKE_SCRATCH}/user/0-`,
    siblingBase: { missing: 'no sibling share here' },
    scratch: FAKE_SCRATCH,
    deadline,
    opTimeoutMs: 5_000,
  }
}

/** The diagnostics a point ended with, or undefined when it passed. */
export async function failureOf(p: Promise<unknown>): Promise<PointFailure['diagnostics'] | undefined> {
  try {
    await p
    return undefined
  } catch (err) {
    if (err instanceof PointFailure) return err.diagnostics
    throw err
  }
}
