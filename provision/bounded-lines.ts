// Splits a byte stream into lines without ever holding more than `max` bytes of one: a longer
// line is dropped as it streams by (only its first bytes are kept, for the log), never buffered
// whole. For what the guest sends (the agent's stderr: bridge requests and progress; its TAP),
// where readline would hold a 200 MiB line in memory before anyone could refuse it.

/** How much of an over-long line is kept to say what it was. */
export const OVERLONG_PREFIX_BYTES = 200

export interface LineSink {
  line(line: string): void
  /** A line over the bound: its first bytes and its whole length. */
  overlong(prefix: string, bytes: number): void
}

export class BoundedLines {
  private parts: Buffer[] = []
  private held = 0
  /** Bytes of the current line seen so far while it is being dropped (-1: not dropping). */
  private dropped = -1
  private prefix = ''

  constructor(
    private readonly max: number,
    private readonly sink: LineSink,
  ) {}

  push(chunk: Buffer): void {
    let start = 0
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start)
      const end = nl === -1 ? chunk.length : nl
      this.take(chunk.subarray(start, end))
      if (nl === -1) return
      this.finishLine()
      start = nl + 1
    }
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (this.held || this.dropped >= 0) this.finishLine()
  }

  private take(piece: Buffer): void {
    if (!piece.length) return
    if (this.dropped >= 0) {
      this.dropped += piece.length
      return
    }
    if (this.held + piece.length > this.max) {
      this.prefix = Buffer.concat([...this.parts, piece.subarray(0, OVERLONG_PREFIX_BYTES)]).subarray(0, OVERLONG_PREFIX_BYTES).toString('utf8')
      this.dropped = this.held + piece.length
      this.parts = []
      this.held = 0
      return
    }
    this.parts.push(Buffer.from(piece))
    this.held += piece.length
  }

  private finishLine(): void {
    if (this.dropped >= 0) {
      this.sink.overlong(this.prefix, this.dropped)
      this.dropped = -1
      this.prefix = ''
      return
    }
    let text = Buffer.concat(this.parts).toString('utf8')
    if (text.endsWith('\r')) text = text.slice(0, -1)
    this.parts = []
    this.held = 0
    this.sink.line(text)
  }
}
