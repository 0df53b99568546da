// The orchestrator's end of the host bridge: request lines (marked, on the agent's stderr) in,
// answer lines (on the agent's stdin) out. Refusals are answered and logged, never executed.
import type { BridgeRequest, BridgeResponse } from '../../agent/host-bridge.ts'
import { serve } from './serve.ts'
import { validateRequest, type ShareDirs } from './validate.ts'

export interface BridgeLog {
  refused(reason: string, request: string): void
}

export class BridgeServer {
  /** Requests served and refused, for the run's log. */
  readonly stats = { served: 0, refused: 0 }

  constructor(
    private readonly shares: ShareDirs,
    private readonly log: BridgeLog,
  ) {}

  /** Handles one request (the JSON after the marker); resolves with the answer line. */
  async handle(json: string): Promise<string> {
    let request: Partial<BridgeRequest>
    try {
      request = JSON.parse(json) as Partial<BridgeRequest>
    } catch {
      this.stats.refused++
      this.log.refused('not JSON', json.slice(0, 200))
      return ''
    }
    const id = typeof request.id === 'number' ? request.id : -1
    const answer = (r: Omit<BridgeResponse, 'id'>) => `${JSON.stringify({ id, ...r })}\n`
    const valid = validateRequest(request, this.shares)
    if (!valid.ok) {
      this.stats.refused++
      this.log.refused(valid.reason, json.slice(0, 200))
      return answer({ ok: false, error: `refused by the host: ${valid.reason}` })
    }
    const result = await serve(valid, String(request.path))
    if (!result.ok && /resolves outside|is a symlink/.test(result.error)) {
      this.stats.refused++
      this.log.refused(result.error, json.slice(0, 200))
    } else this.stats.served++
    return answer(result.ok ? { ok: true, ...(result.value !== undefined ? { value: result.value } : {}) } : { ok: false, error: result.error })
  }
}
