// `limafs run`: the main job. With no arguments it runs the built-in default matrix on the
// built-in testbed and writes results.json, junit.xml, summary.md, report.html, environment.json, run.json
// and one TAP file per configuration into ./limafs-results/<timestamp>/.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { InfraError, UsageError } from '../provision/errors.ts'
import { loadDefaultMatrix, loadMatrix } from '../provision/matrix/load-matrix.ts'
import { run } from '../provision/process.ts'
import { DEFAULT_LIMA_IMAGE } from '../provision/lima/image-spec.ts'
import { runGroups } from '../provision/run-groups.ts'
import type { RunProgress } from '../provision/run-matrix.ts'
import { DEFAULT_QEMU_UID } from '../provision/testbed/instance.ts'
import { resultsExitCode } from '../reports/results-exit-code.ts'
import { runJson } from '../reports/results-json.ts'
import { parse } from './args.ts'
import { BENCH_FLAG_OPTIONS, BENCH_FLAGS_USAGE, benchAgentFlags } from './bench-flags.ts'
import { chooseBackend, DEFAULT_LIMA_TIMEOUT_S } from './backend-factory.ts'
import type { CliEnvironment } from './environment.ts'
import { writeReports } from './report-command.ts'
import { progressReporter } from './run-progress.ts'

/** The agent bundle: dist/limafs-agent.mjs, whether this module runs from cli/ (sources) or from dist/ (the CLI bundle). */
export const AGENT_BUNDLE = resolve(import.meta.dirname, '../dist/limafs-agent.mjs')

export const RUN_USAGE = `Usage: limafs run [options]

Brings up a guest with one share per configuration of the matrix, runs the agent's suites on
every share (the host side answered through the host bridge: python3 on the host, acting only
inside the run's scratch dirs), restarts the guest and checks what had to persist, then writes
the reports. Without options: the built-in matrix (16 9p configurations, virtiofs,
reverse-sshfs, mountInotify, read-only ones) on the built-in QEMU testbed.

Options:
  --matrix FILE      the matrix (YAML, Lima's vocabulary); default: the built-in one
                     (see \`limafs matrix print\`)
  --out DIR          where results go (default: ./limafs-results/<timestamp>)
  --suite A,B        run only these suites (default: the matrix's)
  --backend B        testbed|lima|ssh: where the shares come from (default: the matrix's
                     \`backend:\`, testbed when it says nothing)
  --no-restart       skip the VM restart and the after-restart checks
  --profile          the agent prints where its time went (per suite, stage and mount: file
                     system calls, host bridge, waits, JS, IPC); npm run bench:run uses it
${BENCH_FLAGS_USAGE}
  --keep             leave the guest (testbed) or the instances (lima) running at the end
  --name NAME        testbed instance name (default: run-<pid>); lima: instance name prefix,
                     instances NAME-9p, NAME-virtiofs, NAME-reverse-sshfs, NAME-9p-inotify...
                     (default: limafs-run-<pid>)
  --cpus N           guest CPUs (default: 2)
  --memory MIB       guest memory (testbed default: 1024; lima: MiB or a size, default 2GiB)
  -h, --help         this help

Testbed options (backend testbed: a Lima-faithful QEMU guest on this Linux host):
  --cache-dir DIR    testbed cache (default: $XDG_CACHE_HOME/limafs)
  --uid N, --gid N   the user QEMU runs as when started as root (default: ${DEFAULT_QEMU_UID})
  --accel MODE       auto|kvm|tcg (default: auto)
  --boot-timeout S   seconds to wait for the guest's ssh (default: 60)
  --kernel-deb FILE  boot this linux-image .deb instead of apt's current one

Lima options (backend lima: limactl on PATH, Lima >= 1.1; one instance per mount type (and
per mountInotify): 9p and reverse-sshfs with vmType qemu, virtiofs with vz on macOS and qemu +
virtiofsd on Linux; checked first with \`limactl info\` and \`limactl validate\`, booted one after
the other and deleted at the end; a failed one's logs are kept in OUT/lima-logs/):
  --image NAME       a Lima image template (default: ${DEFAULT_LIMA_IMAGE}, i.e. template:_images/${DEFAULT_LIMA_IMAGE},
                     which moves with each Lima release), or pinned image files, one per arch:
  --image URL|PATH[,digest=sha256:HEX][,arch=x86_64|aarch64]   (repeatable)
  --lima-timeout S   seconds limactl create/start may take (default: ${DEFAULT_LIMA_TIMEOUT_S}; TCG is slow)
  --accept-overrides test a share as Lima filled it in when ~/.lima/_config/{default,override}.yaml
                     changed its settings (default: such configurations are refused, with the
                     difference; environment.json records it either way)
  --instance NAME    test this running instance instead, on its own mounts (read-only ones too);
                     it is not created, changed or deleted, and not restarted unless:
  --restart-existing with --instance: restart it (limactl stop + start) for the after-restart checks

ssh options (backend ssh: any VM whose shares are already mounted; it is never restarted):
  --ssh USER@HOST[:PORT]        the VM (port 22 by default); the agent runs through sudo -n
                                unless USER is root
  --identity KEY                the private key to log in with
  --mount GUESTPATH[=HOSTPATH]  a share to test, named after GUESTPATH (repeatable); without
                                =HOSTPATH the host-side checks are skipped, with that reason

Output (in --out): results.json, junit.xml, summary.md (also appended to
$GITHUB_STEP_SUMMARY when set), report.html (one self-contained page), environment.json,
run.json, tap/<config>.tap (written live).
Exit codes: 0 every check ok (known deviations are TODO), 1 failed checks (the log's last
lines name each, "not known: CONFIG CHECK (silent|loud): found ..."), 2 the run could not
complete (a config crashed or did not mount, a guest did not come up, Ctrl-C), 64 usage or
matrix error.`

const options = {
  matrix: { type: 'string' },
  out: { type: 'string' },
  suite: { type: 'string' },
  'no-restart': { type: 'boolean' },
  keep: { type: 'boolean' },
  profile: { type: 'boolean' },
  name: { type: 'string' },
  'cache-dir': { type: 'string' },
  uid: { type: 'string' },
  gid: { type: 'string' },
  accel: { type: 'string' },
  cpus: { type: 'string' },
  memory: { type: 'string' },
  'boot-timeout': { type: 'string' },
  'kernel-deb': { type: 'string' },
  backend: { type: 'string' },
  image: { type: 'string', multiple: true },
  'accept-overrides': { type: 'boolean' },
  instance: { type: 'string' },
  'restart-existing': { type: 'boolean' },
  'lima-timeout': { type: 'string' },
  ssh: { type: 'string' },
  identity: { type: 'string' },
  mount: { type: 'string', multiple: true },
  ...BENCH_FLAG_OPTIONS,
} as const

/** Every check id the agent can emit for these suites (asked of the bundle itself), and whether any needs a sibling share. */
async function declaredChecks(suites: string[]): Promise<{ ids: string[]; known: string[]; siblings: boolean }> {
  const listed = await run(process.execPath, [AGENT_BUNDLE, 'list', '--json'])
  if (listed.failed) throw new InfraError(`the agent bundle could not list its checks: ${listed.stderr.trim()}`, { hint: 'rebuild it: npm run build' })
  const rows = JSON.parse(listed.stdout) as Array<{ id: string; suite: string; needs: string[] }>
  const known = suites.filter((s) => rows.some((r) => r.suite === s))
  const wanted = rows.filter((r) => known.includes(r.suite))
  return { ids: wanted.map((r) => r.id), known, siblings: wanted.some((r) => r.needs.includes('sibling')) }
}

export async function runCommand(argv: string[], env: CliEnvironment): Promise<number> {
  const { values, positionals } = parse(argv, options, RUN_USAGE)
  if (values.help) {
    process.stdout.write(`${RUN_USAGE}\n`)
    return 0
  }
  if (positionals.length) throw new UsageError(`run takes no positional arguments (got ${positionals.join(' ')})\n\n${RUN_USAGE}`)
  const agentFlags = [...benchAgentFlags(values), ...(values.profile ? ['--profile'] : [])]
  const loaded = values.matrix ? loadMatrix(values.matrix) : loadDefaultMatrix()
  if (!existsSync(AGENT_BUNDLE)) throw new InfraError(`the agent bundle ${AGENT_BUNDLE} is missing`, { hint: 'build it: npm run build' })
  const wanted = values.suite ? values.suite.split(',').map((s) => s.trim()).filter(Boolean) : loaded.suites
  const { ids, known, siblings } = await declaredChecks(wanted)
  const reporter = progressReporter({ live: !!process.stderr.isTTY && !env.isCi })
  for (const s of wanted.filter((w) => !known.includes(w))) reporter({ type: 'log', line: `suite ${s}: this agent has no such suite yet; skipped` })
  if (!known.length) throw new UsageError(`none of the suites ${wanted.join(', ')} is known to the agent`)

  const outDir = resolve(values.out ?? join('limafs-results', new Date().toISOString().replace(/[:.]/g, '-')))
  mkdirSync(outDir, { recursive: true })
  const { backend, matrix, restart, note } = await chooseBackend(values, loaded, env, { outDir, log: (line) => reporter({ type: 'log', line }) })
  if (note) reporter({ type: 'log', line: note })
  if (!restart.enabled) reporter({ type: 'log', line: `no restart phase: ${restart.reason}` })

  const abort = new AbortController()
  const onSignal = (signal: string) => {
    reporter({ type: 'log', line: `${signal}: stopping the guest; the reports will cover what ran` })
    abort.abort()
  }
  process.once('SIGINT', () => onSignal('SIGINT'))
  process.once('SIGTERM', () => onSignal('SIGTERM'))

  const record = await runGroups({
    matrix, backend, outDir, agentBundle: AGENT_BUNDLE, suites: known, declaredChecks: ids,
    restartPhase: restart.enabled, keepGuest: !!values.keep, agentFlags, siblings, signal: abort.signal, onProgress: reporter,
  })
  const t0 = Date.now()
  writeFileSync(join(outDir, 'run.json'), runJson(record))
  writeFileSync(join(outDir, 'environment.json'), `${JSON.stringify(record.environment, null, 2)}\n`)
  const { results, files } = await writeReports(outDir, record, env)
  const reportSeconds = (Date.now() - t0) / 1000
  record.phases.push({ name: 'reports', seconds: reportSeconds })
  writeFileSync(join(outDir, 'run.json'), runJson(record))
  reporter({ type: 'phase', name: 'reports', state: 'done', seconds: reportSeconds })
  reporter({ type: 'summary', results, files: [...files, join(outDir, 'environment.json'), join(outDir, 'run.json')] })
  return resultsExitCode(results)
}

export type { RunProgress }
