// Progress lines on stderr, each with the seconds since the command started. Machine output
// (TAP, JSON, exec output) goes to stdout only.

export type Log = (line: string) => void

export function stderrLog(started = Date.now()): Log {
  return (line) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}\n`)
}
