// `limafs run`: the main job. With no arguments it runs the built-in default matrix on the
// built-in testbed and writes results.json, junit.xml, summary.md, environment.json, run.json
// and one TAP file per configuration into ./limafs-results/<timestamp>/.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { InfraError, UsageError } from '../provision/errors.ts'
import { loadDefaultMatrix, loadMatrix } from '../provision/matrix/load-matrix.ts'
import { run } from '../provision/process.ts'
import { runMatrix, type RunProgress } from '../provision/run-matrix.ts'
import { DEFAULT_QEMU_UID } from '../provision/testbed/instance.ts'
import { TestbedBackend } from '../provision/testbed/testbed-backend.ts'
import { resultsExitCode } from '../reports/results-exit-code.ts'
import { runJson } from '../reports/results-json.ts'
import { choiceOption, intOption, parse } from './args.ts'
import type { CliEnvironment } from './environment.ts'
import { instanceDirFor } from './testbed-command.ts'
import { writeReports } from './report-command.ts'
import { progressReporter } from './run-progress.ts'

export const AGENT_BUNDLE = resolve(import.meta.dirname, '../dist/limafs-agent.mjs')

export const RUN_USAGE = `Usage: limafs run [options]

Brings up a guest with one share per configuration of the matrix, runs the agent's suites on
every share (the host side answered through the host bridge), restarts the guest and checks
what had to persist, then writes the reports. Without options: the built-in matrix (16 9p
configurations + virtiofs) on the built-in QEMU testbed.

Options:
  --matrix FILE      the matrix (YAML, Lima's vocabulary); default: the built-in one
                     (see \`limafs matrix print\`)
  --out DIR          where results go (default: ./limafs-results/<timestamp>)
  --suite A,B        run only these suites (default: the matrix's)
  --no-restart       skip the VM restart and the after-restart checks
  --keep             leave the guest running at the end, for inspection
  --name NAME        testbed instance name (default: run-<pid>)
  --cache-dir DIR    testbed cache (default: $XDG_CACHE_HOME/limafs)
  --uid N, --gid N   the user QEMU runs as when started as root (default: ${DEFAULT_QEMU_UID})
  --accel MODE       auto|kvm|tcg (default: auto)
  --cpus N           guest CPUs (default: 2)
  --memory MIB       guest memory (default: 1024)
  --boot-timeout S   seconds to wait for the guest's ssh (default: 60)
  --kernel-deb FILE  boot this linux-image .deb instead of apt's current one
  -h, --help         this help

Output (in --out): results.json, junit.xml, summary.md (also appended to
$GITHUB_STEP_SUMMARY when set), environment.json, run.json, tap/<config>.tap (written live).
Exit codes: 0 every check ok (known deviations are TODO), 1 failed checks, 2 the run could not
complete (a config crashed or did not mount, Ctrl-C, infrastructure), 64 usage or matrix error.`

const options = {
  matrix: { type: 'string' },
  out: { type: 'string' },
  suite: { type: 'string' },
  'no-restart': { type: 'boolean' },
  keep: { type: 'boolean' },
  name: { type: 'string' },
  'cache-dir': { type: 'string' },
  uid: { type: 'string' },
  gid: { type: 'string' },
  accel: { type: 'string' },
  cpus: { type: 'string' },
  memory: { type: 'string' },
  'boot-timeout': { type: 'string' },
  'kernel-deb': { type: 'string' },
} as const

/** Every check id the agent can emit for these suites (asked of the bundle itself). */
async function declaredChecks(suites: string[]): Promise<{ ids: string[]; known: string[] }> {
  const listed = await run(process.execPath, [AGENT_BUNDLE, 'list', '--json'])
  if (listed.failed) throw new InfraError(`the agent bundle could not list its checks: ${listed.stderr.trim()}`, { hint: 'rebuild it: npm run build' })
  const rows = JSON.parse(listed.stdout) as Array<{ id: string; suite: string }>
  const known = suites.filter((s) => rows.some((r) => r.suite === s))
  return { ids: rows.filter((r) => known.includes(r.suite)).map((r) => r.id), known }
}

export async function runCommand(argv: string[], env: CliEnvironment): Promise<number> {
  const { values, positionals } = parse(argv, options, RUN_USAGE)
  if (values.help) {
    process.stdout.write(`${RUN_USAGE}\n`)
    return 0
  }
  if (positionals.length) throw new UsageError(`run takes no positional arguments (got ${positionals.join(' ')})\n\n${RUN_USAGE}`)
  const matrix = values.matrix ? loadMatrix(values.matrix) : loadDefaultMatrix()
  if (matrix.backend !== 'testbed') throw new UsageError(`backend ${matrix.backend} (in ${matrix.file}): only the testbed backend is available in this version`)
  if (!existsSync(AGENT_BUNDLE)) throw new InfraError(`the agent bundle ${AGENT_BUNDLE} is missing`, { hint: 'build it: npm run build' })
  const wanted = values.suite ? values.suite.split(',').map((s) => s.trim()).filter(Boolean) : matrix.suites
  const { ids, known } = await declaredChecks(wanted)
  const reporter = progressReporter({ live: !!process.stderr.isTTY && !env.isCi })
  for (const s of wanted.filter((w) => !known.includes(w))) reporter({ type: 'log', line: `suite ${s}: this agent has no such suite yet; skipped` })
  if (!known.length) throw new UsageError(`none of the suites ${wanted.join(', ')} is known to the agent`)

  const outDir = resolve(values.out ?? join('limafs-results', new Date().toISOString().replace(/[:.]/g, '-')))
  mkdirSync(outDir, { recursive: true })
  const name = values.name ?? `run-${process.pid}`
  const uid = intOption(values.uid, '--uid', DEFAULT_QEMU_UID, 1)
  const backend = new TestbedBackend({
    name,
    instanceDir: instanceDirFor(env, name),
    cacheDir: values['cache-dir'] ?? env.cacheDir,
    accel: choiceOption(values.accel, '--accel', ['auto', 'kvm', 'tcg'] as const, 'auto'),
    cpus: intOption(values.cpus, '--cpus', 2, 1),
    memoryMiB: intOption(values.memory, '--memory', 1024, 256),
    uid,
    gid: intOption(values.gid, '--gid', uid, 1),
    bootTimeoutMs: intOption(values['boot-timeout'], '--boot-timeout', 60, 1) * 1000,
    ...(values['kernel-deb'] ? { kernelDeb: values['kernel-deb'] } : {}),
  })

  const abort = new AbortController()
  const onSignal = (signal: string) => {
    reporter({ type: 'log', line: `${signal}: stopping the guest; the reports will cover what ran` })
    abort.abort()
  }
  process.once('SIGINT', () => onSignal('SIGINT'))
  process.once('SIGTERM', () => onSignal('SIGTERM'))

  const record = await runMatrix({
    matrix, backend, outDir, agentBundle: AGENT_BUNDLE, suites: known, declaredChecks: ids,
    restartPhase: !values['no-restart'], keepGuest: !!values.keep, signal: abort.signal, onProgress: reporter,
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
