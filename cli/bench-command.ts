// `limafs bench`: `limafs run` with the bench suite only and no restart phase, then the ratio of
// each configuration's speed to the guest's tmpfs, per workload, printed as a table. The output
// dir is the usual one (results.json with the figures in each bench point's diagnostics.bench).
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { UsageError } from '../provision/errors.ts'
import { parseResults } from '../reports/results-schema.ts'
import { resultsExitCode } from '../reports/results-exit-code.ts'
import { BENCH_FLAGS_USAGE } from './bench-flags.ts'
import { benchTableText } from './bench-table.ts'
import type { CliEnvironment } from './environment.ts'
import { RESULTS_FILE } from './output-files.ts'
import { runCommand } from './run-command.ts'

const BENCH_USAGE = `Usage: limafs bench [options]

Measures how fast each share configuration of the matrix does everyday work, beside the
guest's own tmpfs: create small files, chown each, chown -R the tree, stat them, list the dir,
set and get an xattr on each, write then read one large file, unlink them. Every share and the
tmpfs are measured in the same guest run, their repeats interleaved. A workload a share refuses
(chown under security_model=none, xattrs on virtiofs) is a SKIP, not a speed. Prints the ratio
of each share's median ops/s to the tmpfs's, per workload (columns) and configuration (rows).

Options:
${BENCH_FLAGS_USAGE}
  --out DIR          where results go (default: ./limafs-results/bench-<timestamp>)
  every other option of \`limafs run\` but --suite and --no-restart (see limafs run --help):
  --matrix FILE, --name NAME, --keep, --accel MODE, --cpus N, --memory MIB ...
  -h, --help         this help

Output (in --out): what \`limafs run\` writes; each bench point's figures (ops/s, p50/p99 ms,
spread over the repeats, ratio, the tmpfs's ops/s) are under diagnostics.bench in results.json.
Exit codes: 0 the bench ran (SKIPs and failed workloads show in the table), 2 the run could
not complete, 64 usage or matrix error.`

/** run's flags bench decides itself. */
const FIXED = ['--suite', '--no-restart']

/** The value of --out DIR or --out=DIR, if given. */
function outOf(argv: readonly string[]): string | undefined {
  for (const [i, a] of argv.entries()) {
    if (a === '--out') return argv[i + 1]
    if (a.startsWith('--out=')) return a.slice('--out='.length)
  }
  return undefined
}

export async function benchCommand(argv: string[], env: CliEnvironment): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${BENCH_USAGE}\n`)
    return 0
  }
  const fixed = argv.find((a) => FIXED.some((f) => a === f || a.startsWith(`${f}=`)))
  if (fixed) throw new UsageError(`bench runs the bench suite only, without a restart: ${fixed.split('=')[0]} is not an option here\n\n${BENCH_USAGE}`)
  const given = outOf(argv)
  const outDir = resolve(given ?? join('limafs-results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}`))
  const code = await runCommand([...argv, ...(given === undefined ? ['--out', outDir] : []), '--suite', 'bench', '--no-restart'], env)
  const resultsFile = join(outDir, RESULTS_FILE)
  if (!existsSync(resultsFile)) return 2
  const results = parseResults(readFileSync(resultsFile, 'utf8'), resultsFile)
  process.stdout.write(benchTableText(results, results.environment))
  return code === 2 || resultsExitCode(results) === 2 ? 2 : 0
}
