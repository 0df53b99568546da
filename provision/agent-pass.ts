// One run of the agent in the guest over ssh: its TAP goes to the per-config splitter, its
// host-bridge requests to the bridge (answers back on its stdin, through a channel that holds
// the guest back rather than buffer for it), its progress lines to the caller. Which mount it
// was on when the connection dropped tells who crashed. Every line from the guest is read with
// a bound: a longer one is dropped as it streams by, never held whole.
import { BRIDGE_MARK } from '../agent/host-bridge.ts'
import { BoundedLines } from './bounded-lines.ts'
import { BridgeChannel, MAX_REQUEST_LINE_BYTES } from './host-bridge/channel.ts'
import type { BridgeServer } from './host-bridge/server.ts'
import { shellJoin } from './shell-quote.ts'
import type { RemoteProcess, SshConnection } from './ssh.ts'
import type { TapSplitter } from './tap-split.ts'

/** Longest TAP line taken from the agent (its diagnostics are clipped far below this). */
const MAX_TAP_LINE_BYTES = 2 * 1024 * 1024

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

const dropped = (what: string, prefix: string, bytes: number) => `(${what} of ${bytes} bytes dropped unread: ${JSON.stringify(prefix.slice(0, 80))}...)`

/** What the agent's run looks like from here: its two output streams and its stdin. */
export type AgentStreams = Pick<RemoteProcess, 'stdout' | 'stderr' | 'write'>

/**
 * Reads the agent's TAP (stdout) and its stderr (bridge requests, progress) with bounded lines,
 * serves the requests through a channel that pauses both streams while answers back up.
 */
export function serveAgentStreams(proc: AgentStreams, o: { bridge: BridgeServer; tap: (line: string) => void; progress: (line: string) => void; note: (line: string) => void }): BridgeChannel {
  const tap = new BoundedLines(MAX_TAP_LINE_BYTES, { line: o.tap, overlong: (prefix, bytes) => o.note(dropped('a TAP line', prefix, bytes)) })
  const channel = new BridgeChannel(o.bridge, {
    write: (answer) => proc.write(answer),
    pause: () => {
      proc.stdout.pause()
      proc.stderr.pause()
    },
    resume: () => {
      proc.stdout.resume()
      proc.stderr.resume()
    },
  })
  const stderr = new BoundedLines(MAX_REQUEST_LINE_BYTES, {
    line: (line) => (line.startsWith(BRIDGE_MARK) ? channel.request(line.slice(BRIDGE_MARK.length)) : o.progress(line)),
    overlong: (prefix, bytes) => (prefix.startsWith(BRIDGE_MARK) ? channel.overlong(prefix.slice(BRIDGE_MARK.length), bytes) : o.note(dropped('a line', prefix, bytes))),
  })
  proc.stdout.on('data', (chunk: Buffer) => tap.push(chunk))
  proc.stdout.on('end', () => tap.end())
  proc.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
  proc.stderr.on('end', () => stderr.end())
  return channel
}

export async function runAgentPass(o: AgentPassOptions): Promise<AgentPassResult> {
  const command = shellJoin([...(o.sudo ? ['sudo', '-n'] : []), 'node', ...o.agentArgs])
  const proc = await o.ssh.spawn(command)
  const started: string[] = []
  const finished: string[] = []
  const kept: string[] = []
  const progress = (line: string) => {
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
  }
  const channel = serveAgentStreams(proc, { bridge: o.bridge, tap: (line) => o.splitter.line(line), progress, note: o.onAgentLine })
  try {
    const { code } = await proc.done
    await channel.idle()
    return { code, started, finished, kept }
  } catch (err) {
    return { code: null, lost: err as Error, started, finished, kept }
  }
}
