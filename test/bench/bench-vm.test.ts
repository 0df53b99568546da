// `limafs bench` end to end on the built-in testbed, for three measured configurations
// (mapped-xattr, mapped-file and none, all cache=mmap) and passthrough, which refuses even the
// agent's scratch dir: one guest, no restart phase, a ratio to the guest's tmpfs for every
// config and workload or a SKIP saying why (chown under none, everything under passthrough),
// the table printed, and the guest gone at the end.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { parseResults } from '../../reports/results-schema.ts'
import type { Results } from '../../reports/types.ts'
import { limafs, qemuOrVirtiofsdMentioning, type CliResult } from '../helpers/testbed.ts'

const NAME = 't-bench-vm'
const CONFIGS = ['9p-mapped-xattr-mmap', '9p-mapped-file-mmap', '9p-none-mmap']
const PASSTHROUGH = '9p-passthrough-mmap'
const WORKLOADS = ['create', 'chown', 'chown-R', 'stat', 'readdir', 'xattr', 'write-read', 'unlink', 'git-tree', 'npm-unpack', 'sqlite']
const dir = mkdtempSync(join(tmpdir(), 'limafs-bench-vm-'))
const out = join(dir, 'out')
const matrix = join(dir, 'bench-matrix.yaml')
writeFileSync(matrix, `backend: testbed
configs:
${[...CONFIGS, PASSTHROUGH].map((name) => `  - { name: ${name}, mountType: 9p, writable: true, 9p: { securityModel: ${name.slice(3, -5)}, cache: mmap } }`).join('\n')}
suites: [bench]
`)
let run: CliResult
let results: Results

t.before(async () => {
  run = await limafs(['bench', '--matrix', matrix, '--out', out, '--name', NAME, '--bench-files', '6', '--bench-bytes', String(256 * 1024)], { timeoutMs: 600_000 })
  if (existsSync(join(out, 'results.json'))) results = parseResults(readFileSync(join(out, 'results.json'), 'utf8'), 'results.json')
})
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

t.test('limafs bench completes on one guest without a restart phase and leaves no QEMU behind', async (t) => {
  t.equal(run.exitCode, 0, `exit 0 (stderr tail: ${run.stderr.split('\n').slice(-15).join('\n')})`)
  t.match(run.stderr, /phases: boot [\d.]+ s, provision [\d.]+ s, suites [\d.]+ s, reports [\d.]+ s\n/, 'boot, provision, suites, reports: no restart, no verify')
  t.strictSame(qemuOrVirtiofsdMentioning(NAME), [], 'no QEMU or virtiofsd of the run is left')
  t.ok(results, 'results.json was written')
  t.strictSame(results.matrix.suites, ['bench'], 'the bench suite only')
  t.ok(results.configs.every((c) => c.status === 'completed'), 'every configuration completed')
})

t.test('results.json: a ratio to tmpfs for every config and workload, or a SKIP that says why', async (t) => {
  for (const config of [...CONFIGS, PASSTHROUGH]) {
    const checks = results.configs.find((c) => c.name === config)!.checks.filter((c) => c.suite === 'bench')
    t.equal(checks.length, WORKLOADS.length, `${config}: the ${WORKLOADS.length} bench points`)
    for (const check of checks) {
      const bench = check.diagnostics?.bench
      if (check.status === 'skip') {
        t.ok(check.reason && check.reason.length > 10, `${config} ${check.id}: SKIP with a reason (${check.reason})`)
        continue
      }
      t.equal(check.status, 'ok', `${config} ${check.id}: ok`)
      t.ok(bench && (bench.ratio ?? 0) > 0 && (bench.baselineOpsPerSec ?? 0) > 0 && bench.opsPerSec > 0, `${config} ${check.id}: ratio ${bench?.ratio}, baseline ${bench?.baselineOpsPerSec} ops/s`)
      t.ok(bench && bench.repeats.n >= 3 && bench.p50Ms > 0 && bench.p50Ms <= bench.p99Ms, `${config} ${check.id}: >= 3 repeats, 0 < p50 <= p99`)
    }
    t.notOk(checks.some((c) => c.diagnostics && 'malformed' in c.diagnostics), `${config}: every figure fits the results schema`)
  }
  const status = (config: string, id: string) => results.configs.find((c) => c.name === config)?.checks.find((c) => c.id === id)
  for (const id of ['bench/chown/files', 'bench/chown-r/tree']) {
    t.match(status('9p-none-mmap', id), { status: 'skip', reason: /fails here \(EPERM\): a refusal, not a speed/ }, `security_model=none: ${id} is a SKIP naming EPERM`)
    for (const mapped of CONFIGS.slice(0, 2)) t.equal(status(mapped, id)?.status, 'ok', `${mapped}: ${id} measured`)
  }
  const passthrough = results.configs.find((c) => c.name === PASSTHROUGH)!.checks
  for (const config of CONFIGS) {
    const git = results.configs.find((c) => c.name === config)!.checks.find((c) => c.id === 'bench/git-tree/repo')
    t.strictSame(Object.keys(git?.diagnostics?.bench?.phasesMs ?? {}), ['checkout', 'status', 'read', 'chmod-rename'], `${config}: git-tree's steps, each timed`)
  }
  t.ok(passthrough.every((c) => c.status === 'skip' && /refused the agent's scratch dir \(EPERM\): nothing to measure/.test(c.reason ?? '')), 'passthrough: every workload a SKIP (the share refuses even the scratch dir), not a failure')
  t.equal(results.configs.flatMap((c) => c.checks).filter((c) => c.status === 'ok').length, 31, '11 + 11 + 9 measured points')
})

t.test('the table: machine facts, a column per workload, a row per config, ratios side by side', async (t) => {
  const lines = run.stdout.split('\n')
  t.match(lines[0], /^cpus: host \d+, guest 2 · accelerator: (tcg|kvm)/, 'the CPU count and accelerator first')
  const header = lines.find((l) => l.startsWith('config '))
  t.ok(header, 'a header line')
  t.strictSame(header?.split(/\s+/).slice(1), WORKLOADS, 'a column per workload')
  t.match(run.stdout, /\ntmpfs ops\/s(\s+\S+){11}\n/, 'the baseline\'s own ops/s')
  for (const config of CONFIGS.slice(0, 2)) t.match(run.stdout, new RegExp(`\\n${config}(\\s+\\d[\\d.e+-]*x~?){11}\\n`), `${config}: eleven ratios`)
  t.match(run.stdout, /\n9p-none-mmap\s+\S+x~?\s+skip\s+skip(\s+\S+x~?){8}\n/, '9p-none-mmap: chown and chown -R skipped')
  t.match(run.stdout, /\n9p-passthrough-mmap(\s+skip){11}\n/, 'passthrough: nothing to measure')
  t.match(run.stdout, /\nskip: chown fails here \(EPERM\)/, 'and why')
  const env = JSON.parse(readFileSync(join(out, 'environment.json'), 'utf8'))
  t.match(env, { hostCpus: Number, guestCpus: 2, accelerator: /^(tcg|kvm)$/ }, 'environment.json carries what the table shows')
})
