// `limafs gate --baseline A/results.json --current B/results.json`: does the candidate Lima/QEMU
// (current) regress on the one in use (baseline)? Prints the comparison; the exit code decides.
import { appendFile } from 'node:fs/promises'
import { UsageError } from '../provision/errors.ts'
import { gate, gateExitCode } from '../reports/gate.ts'
import { gateText } from '../reports/gate-text.ts'
import { parseResults } from '../reports/results-schema.ts'
import type { Results } from '../reports/types.ts'
import { parse } from './args.ts'
import type { CliEnvironment } from './environment.ts'
import { readInputFile, resultsPathOf } from './input-file.ts'

export const GATE_USAGE = `Usage: limafs gate --baseline A/results.json --current B/results.json [--json]

Compare two runs per config and check. A regression is: ok -> fail, ok -> crashed, a loud
failure turned silent, or a config that completed in the baseline and now crashed or could not
be set up. Improvements (fail -> ok, silent -> loud, crashed -> ran, infra-failed -> completed)
and other changes (TODO and SKIP moves, checks only on one side) are listed, and do not fail.

Options:
  --baseline FILE    results.json of the run to compare against (or its output dir)
  --current FILE     results.json of the candidate run (or its output dir)
  --json             print the comparison as JSON instead of text
  -h, --help         this help

Exit codes: 0 no regression, 1 regressions, 2 not comparable (either run incomplete, or the
two matrices differ in configs or suites), 64 usage error or an unreadable results.json.`

const options = {
  baseline: { type: 'string' },
  current: { type: 'string' },
  json: { type: 'boolean' },
} as const

export async function gateCommand(argv: string[], env: CliEnvironment): Promise<number> {
  const { values, positionals } = parse(argv, options, GATE_USAGE)
  if (values.help) {
    process.stdout.write(`${GATE_USAGE}\n`)
    return 0
  }
  if (positionals.length) throw new UsageError(`gate takes no positional arguments (got ${positionals.join(' ')})\n\n${GATE_USAGE}`)
  if (!values.baseline || !values.current) {
    throw new UsageError(`gate needs both --baseline and --current${values.baseline || values.current ? ` (missing ${values.baseline ? '--current' : '--baseline'})` : ''}\n\n${GATE_USAGE}`)
  }
  const [baselineFile, baseline] = await readResults(values.baseline)
  const [currentFile, current] = await readResults(values.current)
  const report = gate(baseline, current)
  const code = gateExitCode(report)
  const text = gateText(report, { baseline: baselineFile, current: currentFile })
  process.stdout.write(values.json ? `${JSON.stringify({ ...report, exitCode: code }, null, 2)}\n` : text)
  if (env.githubStepSummary) await appendFile(env.githubStepSummary, `## limafs gate\n\n\`\`\`\n${text}\`\`\`\n`)
  return code
}

async function readResults(path: string): Promise<[string, Results]> {
  const file = await resultsPathOf(path)
  return [file, parseResults(await readInputFile(file, 'a results.json written by limafs run or limafs report'), file)]
}
