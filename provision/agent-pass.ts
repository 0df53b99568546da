// One run of the agent in the guest over ssh: its TAP goes to the per-config splitter, its
// host-bridge requests to the bridge server (answers back on its stdin), its progress lines
// to the caller. Which mount it was on when the connection dropped tells who crashed.
import { createInterface } from 'node:readline'
import { BRIDGE_MARK } from '../agent/host-bridge.ts'
import type { BridgeServer } from './host-bridge/server.ts'
import { shellJoin } from './shell-quote.ts'
import type { SshConnection } from './ssh.ts'
import type { TapSplitter } from './tap-split.ts'

export interface AgentPassOptions {
  ssh: SshConnection
  /** argv of the agent in the guest, from `node` on (sudo is added when needed). */
  agentArgs: string[]
  sudo: boolean
  bridge: BridgeServer
  splitter: TapSplitter
  /** The agent's own progress lines (stderr, without bridge requests). */
  onAgentLine: (line: string) => void
  onMountStart: (mountPath: string) => void
  onMountDone: (mountPath: string, summary: string) => void
}

export interface AgentPassResult {
  /** The agent's exit code (null when the connection dropped first). */
  code: number | null
  /** Set when the connection or the guest went away mid-run. */
  lost?: Error
  started: string[]
  finished: string[]
  /** Mounts whose scratch dir the agent kept for `verify` (run --keep). */
  kept: string[]
}

export async function runAgentPass(o: AgentPassOptions): Promise<AgentPassResult> {
  const command = shellJoin([...(o.sudo ? ['sudo', '-n'] : []), 'node', ...o.agentArgs])
  const proc = await o.ssh.spawn(command)
  const started: string[] = []
  const finished: string[] = []
  const kept: string[] = []
  createInterface({ input: proc.stdout }).on('line', (line) => o.splitter.line(line))
  const answers: Array<Promise<void>> = []
  createInterface({ input: proc.stderr }).on('line', (line) => {
    if (line.startsWith(BRIDGE_MARK)) {
      answers.push(o.bridge.handle(line.slice(BRIDGE_MARK.length)).then((answer) => {
        if (answer) proc.write(answer)
      }))
      return
    }
    const start = /^limafs-agent: start (\S+)/.exec(line)
    const done = /^limafs-agent: done (\S+): (.*)$/.exec(line)
    const keptScratch = /^limafs-agent: kept (\S+)\/\.limafs-\w+ for verify/.exec(line)
    if (keptScratch) kept.push(keptScratch[1]!)
    if (start) {
      started.push(start[1]!)
      o.onMountStart(start[1]!)
    } else if (done) {
      finished.push(done[1]!)
      o.onMountDone(done[1]!, done[2]!)
    } else o.onAgentLine(line)
  })
  try {
    const { code } = await proc.done
    await Promise.all(answers)
    return { code, started, finished, kept }
  } catch (err) {
    return { code: null, lost: err as Error, started, finished, kept }
  }
}
