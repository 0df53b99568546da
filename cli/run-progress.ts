// Progress of `limafs run` on stderr: one line per phase and per configuration start/finish,
// with the seconds since the start. On a terminal the running configuration also shows a
// live line with its elapsed time; in CI (or piped) only plain lines are written.
import type { Results } from '../reports/types.ts'
import { runVerdictCounts, verdictCountsText } from '../reports/verdicts.ts'
import type { RunProgress } from '../provision/run-matrix.ts'

export type RunReport = RunProgress | { type: 'summary'; results: Results; files: string[] }

export function progressReporter({ live, write = (s: string) => void process.stderr.write(s) }: { live: boolean; write?: (s: string) => void }) {
  const started = Date.now()
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`
  let running: { config: string; since: number } | undefined
  let ticker: NodeJS.Timeout | undefined
  const clearLive = () => live && write('\r\x1b[K')
  const line = (text: string) => {
    clearLive()
    write(`${stamp()} ${text}\n`)
    if (live && running) write(`${stamp()} … ${running.config} (${((Date.now() - running.since) / 1000).toFixed(0)} s)`)
  }
  return (e: RunReport): void => {
    switch (e.type) {
      case 'phase':
        if (e.state === 'start') line(`${e.name} …`)
        else line(`${e.name} done in ${e.seconds?.toFixed(1)} s`)
        break
      case 'config-start':
        running = { config: e.config, since: Date.now() }
        line(`${e.config}: start`)
        if (live) {
          clearInterval(ticker)
          ticker = setInterval(() => running && (clearLive(), write(`${stamp()} … ${running.config} (${((Date.now() - running.since) / 1000).toFixed(0)} s)`)), 1000)
          ticker.unref()
        }
        break
      case 'config-done': {
        running = undefined
        clearInterval(ticker)
        // The agent's own "(2.6 s: chown 0.3 s, ...)": its per-suite seconds go after ours.
        const m = / \([\d.]+ s(?:: (.*))?\)$/.exec(e.summary)
        line(`${e.config}: ${m ? e.summary.slice(0, m.index) : e.summary} in ${e.seconds.toFixed(1)} s${m?.[1] ? ` (${m[1]})` : ''}`)
        break
      }
      case 'config-crashed':
        running = undefined
        line(`${e.config}: CRASHED: ${e.error}`)
        break
      case 'config-infra-failed':
        line(`${e.config}: INFRA-FAILED: ${e.error}`)
        break
      case 'log':
        line(e.line)
        break
      case 'summary': {
        clearInterval(ticker)
        const notCompleted = e.results.configs.filter((c) => c.status !== 'completed')
        line(`${runSummaryLine(e.results)}${notCompleted.length ? `; not completed: ${notCompleted.map((c) => `${c.name} (${c.status})`).join(', ')}` : ''}`)
        for (const l of unknownFailureLines(e.results)) line(l)
        line(`phases: ${e.results.phases.map((p) => `${p.name} ${p.seconds.toFixed(1)} s`).join(', ')}`)
        for (const f of e.files) line(`wrote ${f}`)
      }
    }
  }
}

/** "123 silent (123 known), 799 loud (799 known), 1379 ok, 45 skip, 0 crashed in 17 configs": the verdict first, as summary.md's first line. */
export function runSummaryLine(results: Pick<Results, 'configs'>): string {
  const n = results.configs.length
  return `${verdictCountsText(runVerdictCounts(results.configs), { zeros: true, separator: ', ' })} in ${n} config${n === 1 ? '' : 's'}`
}

/**
 * The failures no known deviation explains and the crashed points (what makes the run exit 1),
 * one line each, so that the end of the log says which: "not known: CONFIG CHECK (silent): found ..." 
 */
export function unknownFailureLines(results: Pick<Results, 'configs'>, max = 20): string[] {
  const lines = results.configs.flatMap((c) =>
    c.checks
      .filter((x) => x.status === 'fail' || x.status === 'crashed')
      .map((x) => {
        const found = x.diagnostics?.found
        const text = found === undefined ? '' : `: found ${JSON.stringify(found)}`
        return `${x.status === 'crashed' ? 'crashed' : 'not known'}: ${c.name} ${x.id}${x.class ? ` (${x.class})` : ''}${text.length > 160 ? `${text.slice(0, 160)}…` : text}`
      }),
  )
  return lines.length > max ? [...lines.slice(0, max), `and ${lines.length - max} more (results.json)`] : lines
}
