// Splits the agent's TAP stream (a top-level subtest per mount) into one TAP 14 document per
// configuration, written line by line as it arrives, so a crash loses nothing already seen.
// The agent may run twice (the verify pass after a restart): each pass appends a subtest.

export interface TapSink {
  append(config: string, text: string): void
}

export class TapSplitter {
  private current?: string
  /** Top-level subtests written per config (their closing points are renumbered per file). */
  private readonly counts = new Map<string, number>()

  constructor(
    private readonly configForMount: (mountPath: string) => string | undefined,
    private readonly sink: TapSink,
  ) {}

  line(line: string): void {
    const subtest = /^# Subtest: (.*)$/.exec(line)
    if (subtest) {
      const config = this.configForMount(subtest[1]!)
      this.current = config
      if (!config) return
      if (!this.counts.has(config)) {
        this.counts.set(config, 0)
        this.sink.append(config, 'TAP version 14\n')
      }
      this.sink.append(config, `${line}\n`)
      return
    }
    if (!this.current) return
    const closing = /^(not ok|ok) \d+ - (.*)$/.exec(line)
    if (closing && !line.startsWith(' ')) {
      const n = this.counts.get(this.current)! + 1
      this.counts.set(this.current, n)
      this.sink.append(this.current, `${closing[1]} ${n} - ${closing[2]}\n`)
      this.current = undefined
      return
    }
    if (line.startsWith('    ') || line.trim() === '') this.sink.append(this.current, `${line}\n`)
  }

  /** Closes every document with its plan. */
  finish(): void {
    for (const [config, n] of this.counts) this.sink.append(config, `1..${n}\n`)
  }
}
