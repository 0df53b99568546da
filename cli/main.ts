// limafs: the CLI entry. It dispatches subcommands and is the only place that maps errors to
// exit codes: 0 pass, 1 failed checks or regressions, 2 incomplete run, 64 usage or config.
// A command's module (and what it pulls in: the testbed, ssh, YAML, zod, the reports) is loaded
// only when that command runs, so `limafs --help` starts at once.
import { InfraError, UsageError } from '../provision/errors.ts'
import { ResultsFileError } from '../reports/results-file-error.ts'
import { readEnvironment, type CliEnvironment } from './environment.ts'

type Command = (argv: string[], env: CliEnvironment) => Promise<number>

const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run-command.ts')).runCommand,
  bench: async () => (await import('./bench-command.ts')).benchCommand,
  testbed: async () => (await import('./testbed-command.ts')).testbedCommand,
  matrix: async () => (await import('./matrix-command.ts')).matrixCommand,
  report: async () => (await import('./report-command.ts')).reportCommand,
  gate: async () => (await import('./gate-command.ts')).gateCommand,
  recommend: async () => (await import('./recommend-command.ts')).recommendCommand,
  migrate: async () => (await import('./migrate-command.ts')).migrateCommand,
}

export const USAGE = `Usage: limafs <command> [options]

Tells whether the host-directory shares of a Lima VM keep file ownership, symlinks, xattrs and
cache coherence, for every mount configuration (9p security model x cache mode, virtiofs).

Commands:
  run              the main job: every configuration of a matrix on a guest, then the reports
                   (no options: the built-in matrix on the built-in testbed; see: limafs run --help)
  bench            how fast each configuration is, as a ratio to the guest's tmpfs, per workload
                   (create, chown, chown -R, stat, readdir, xattr, a large file, unlink)
  testbed up|status|exec|stop|start|restart|remount|down
                   the built-in Lima-faithful QEMU guest (see: limafs testbed --help)
  matrix print     show a matrix with Lima's defaults filled in (the built-in one without --matrix)
  report OUT       write results.json, junit.xml, summary.md and report.html again from
                   OUT's saved TAP
  report merge A B ... --out DIR
                   several runs' results side by side (macOS, Lima, QEMU versions, hosts)
  gate --baseline A --current B
                   compare two runs' results.json: exit 1 on regressions, 2 when not comparable
  recommend [--results FILE|OUT] [--profile NAME] [--need ownership,symlinks,...]
                   the lima.yaml mount settings to use here, from measured results; when
                   nothing meets every need, the best compromise and what it gives up (exit 1)
  migrate --from MODEL --to MODEL DIR [--apply]
                   convert a share's host dir from one security model's form to another's
                   (dry run unless --apply; a manifest to --undo; refuses while a VM has it)

Run \`limafs <command> --help\` for a command's options.
Exit codes: 0 ok, 1 failed checks or regressions, 2 the run could not complete, 64 usage error.`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  const env = readEnvironment()
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`)
      return command === undefined ? 64 : 0
    default: {
      const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined
      if (!load) throw new UsageError(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`)
      return (await load())(rest, env)
    }
  }
}

function report(err: unknown): number {
  if (err instanceof UsageError || err instanceof ResultsFileError) {
    process.stderr.write(`limafs: ${err.message}\n`)
    return 64
  }
  if (err instanceof InfraError) {
    process.stderr.write(`limafs: ${err.message}\n`)
    if (err.details.hint) process.stderr.write(`  what to do: ${err.details.hint}\n`)
    return 2
  }
  process.stderr.write(`limafs: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  return 2
}

const code = await main(process.argv.slice(2)).catch(report)
// Output to a pipe is written asynchronously and process.exit drops what the pipe has not taken
// (`limafs matrix print --json | jq` got the first 64 KiB): exit once both streams have drained.
await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((done) => s.write('', () => done()))))
process.exit(code)
