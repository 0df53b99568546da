// Carries bridge requests from the agent to the bridge and answers back, with memory bounded
// whatever the guest sends: at most MAX_IN_FLIGHT requests are being served or have an answer
// that has not drained into the channel yet; past that, reading from the agent pauses (its
// stdout too: both share one ssh window, so the guest is held back, not buffered) until answers
// drain. A request line over MAX_REQUEST_LINE_BYTES is dropped as it streams by (../bounded-lines.ts)
// and answered from its first bytes.
import type { BridgeServer } from './server.ts'

/** Longest request line (a write's content is at most 1 MiB, JSON-escaped). */
export const MAX_REQUEST_LINE_BYTES = 2 * 1024 * 1024
/** Requests served at once or waiting for their answer to drain. */
const MAX_IN_FLIGHT = 16

export interface ChannelIo {
  /** Writes an answer line; resolves once the channel has taken it (after 'drain' when full). */
  write(answer: string): Promise<void>
  /** Stops reading what the agent sends; resume() reads again. */
  pause(): void
  resume(): void
}

export class BridgeChannel {
  private active = 0
  /** Requests read in the same chunk as the one that filled the pipeline (bounded by a chunk). */
  private readonly queue: string[] = []
  private paused = false
  private waiting: Array<() => void> = []

  constructor(
    private readonly bridge: BridgeServer,
    private readonly io: ChannelIo,
  ) {}

  request(json: string): void {
    this.queue.push(json)
    this.pump()
  }

  /** A request line over the bound, seen only by its first bytes: refused, answered if they name an id. */
  overlong(prefix: string, bytes: number): void {
    this.active++
    void this.send(this.bridge.refuseOverlong(prefix, bytes))
  }

  /** Resolves when every request read so far has been answered. */
  idle(): Promise<void> {
    if (!this.active && !this.queue.length) return Promise.resolve()
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  private pump(): void {
    while (this.active < MAX_IN_FLIGHT && this.queue.length) {
      this.active++
      void this.bridge.handle(this.queue.shift()!).then((answer) => this.send(answer), () => this.send(''))
    }
    const full = this.active >= MAX_IN_FLIGHT
    if (full && !this.paused) {
      this.paused = true
      this.io.pause()
    } else if (!full && this.paused) {
      this.paused = false
      this.io.resume()
    }
    if (!this.active && !this.queue.length) for (const resolve of this.waiting.splice(0)) resolve()
  }

  private async send(answer: string): Promise<void> {
    try {
      if (answer) await this.io.write(answer)
    } finally {
      this.active--
      this.pump()
    }
  }
}
