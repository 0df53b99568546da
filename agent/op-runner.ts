// Where a check's ops run. In a worker, root's ops run right there (no message per op); the
// ordinary user's ops and host-bridge requests are relayed through the agent.
import type { OpResult } from './worker/protocol.ts'

export type OpOutcome = OpResult | { ok: false; errno: 'TIMEOUT'; message: string }

export interface OpRunner {
  call(op: string, args: unknown[], timeoutMs: number): Promise<OpOutcome>
}
