// The agent's side of the host bridge. Run through `limafs run`, the agent can ask the host to
// act on or look at its side of a share: requests go out on stderr as one marked JSON line,
// answers come back on stdin, one JSON line each. Run by hand (no --bridge) there is no host.
// The host acts only inside scratch dirs the agent claimed (verb `claim`, path = the dir's
// name, sent as soon as the dir is made); the verbs are listed in provision/host-bridge/verbs/.
import { createInterface } from 'node:readline'
import type { HostSide } from './check-api.ts'

/** Marks a request line on stderr; every other stderr line is progress. */
export const BRIDGE_MARK = '@@limafs-bridge '

export interface BridgeRequest {
  id: number
  verb: string
  /** The --mount path the orchestrator gave, which the path is relative to (the host knows its host dir). */
  mount: string
  /** Path relative to the mount point: its first component is a claimed scratch dir. */
  path: string
  args?: Record<string, unknown>
}

export interface BridgeResponse {
  id: number
  ok: boolean
  value?: unknown
  error?: string
}

/** How long the host may take to answer one request. */
const BRIDGE_TIMEOUT_MS = 30_000

export class BridgeClient {
  private nextId = 1
  private pending = new Map<number, (r: BridgeResponse) => void>()

  constructor(
    input: NodeJS.ReadableStream,
    private readonly write: (line: string) => void,
  ) {
    createInterface({ input }).on('line', (line) => {
      let response: BridgeResponse
      try {
        response = JSON.parse(line) as BridgeResponse
      } catch {
        return
      }
      this.pending.get(response.id)?.(response)
      this.pending.delete(response.id)
    })
  }

  request(verb: string, mount: string, path: string, args?: Record<string, unknown>): Promise<BridgeResponse> {
    const id = this.nextId++
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        resolve({ id, ok: false, error: `the host did not answer ${verb} within ${BRIDGE_TIMEOUT_MS / 1000} s` })
      }, BRIDGE_TIMEOUT_MS)
      timer.unref()
      this.pending.set(id, (r) => {
        clearTimeout(timer)
        resolve(r)
      })
      this.write(`${BRIDGE_MARK}${JSON.stringify({ id, verb, mount, path, ...(args ? { args } : {}) } satisfies BridgeRequest)}\n`)
    })
  }

}

/** No host to ask (the agent run by hand): checks that need one are skipped before they run. */
export const NO_HOST: HostSide = {
  look: async () => undefined,
  act: async () => ({ ok: false, error: 'no host bridge' }),
}
