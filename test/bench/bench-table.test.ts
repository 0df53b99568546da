// What `limafs bench` prints (a pure function of results.json and environment.json), and the
// bench size flags `limafs run|bench` pass on to the agent.
import t from 'tap'
import type { BenchFigures } from '../../agent/diagnostics.ts'
import { benchAgentFlags } from '../../cli/bench-flags.ts'
import { benchTableText, compact } from '../../cli/bench-table.ts'
import { UsageError } from '../../provision/errors.ts'
import type { CheckResult, ConfigResult, Results } from '../../reports/types.ts'

const figures = (workload: string, ratio: number | undefined, baselineOpsPerSec = 52000) => ({
  workload, ops: 20, opsPerSec: 1000, p50Ms: 0.9, p99Ms: 3, repeats: { min: 900, median: 1000, max: 1100, n: 3 },
  ...(ratio === undefined ? {} : { ratio, baselineOpsPerSec }),
})
// Without a tmpfs baseline the agent leaves ratio and baselineOpsPerSec out, which BenchFigures
// (agent/diagnostics.ts) does not allow for yet: hence the cast.
const ok = (id: string, ratio: number | undefined, note?: string): CheckResult => ({
  id, suite: 'bench', status: 'ok', diagnostics: { op: 'bench-workload', args: [], stage: 'call', bench: figures(id.split('/')[1]!, ratio) as BenchFigures, ...(note ? { note } : {}) },
})
const skip = (id: string, reason: string): CheckResult => ({ id, suite: 'bench', status: 'skip', reason })
const config = (name: string, checks: CheckResult[]): ConfigResult => ({
  name, config: {}, status: 'completed', checks, tapFiles: [], counts: { ok: 0, fail: 0, todo: 0, skip: 0, crashed: 0, silent: 0, loud: 0 },
})
const results = (configs: ConfigResult[]): Results => ({
  schema: 'limafs-results', version: 1, startedAt: '', finishedAt: '', complete: true,
  matrix: { suites: ['bench'], configs: configs.map((c) => c.name) }, environment: {}, configs, phases: [],
})

t.test('the table: the machine above, tmpfs ops/s, a row per config, a column per workload, and why a cell is no ratio', async (t) => {
  const text = benchTableText(results([
    config('9p-mapped-xattr-mmap', [ok('bench/create/files', 0.0743), ok('bench/chown/files', 0.016)]),
    config('9p-none-mmap', [ok('bench/create/files', 0.076), skip('bench/chown/files', 'chown fails here (EPERM): a refusal, not a speed')]),
    config('virtiofs', [ok('bench/create/files', undefined, 'no ratio: no tmpfs baseline: none of /dev/shm, /tmp is a tmpfs'), { id: 'bench/chown/files', suite: 'bench', status: 'fail', diagnostics: { found: 'EIO' } }]),
  ]), { hostCpus: 2, guestCpus: 2, accelerator: 'tcg', guestKernel: '6.1.0-56-amd64' })
  const lines = text.split('\n')
  t.equal(lines[0], 'cpus: host 2, guest 2 · accelerator: tcg · guest kernel 6.1.0-56-amd64', 'CPU count and accelerator first')
  t.match(lines[1], /^ratio of each share's median ops\/s to the guest's tmpfs \(over 3 interleaved repeats/)
  t.match(lines[4], /^config\s+create\s+chown$/, 'a column per workload')
  t.match(lines[5], /^tmpfs ops\/s\s+52k\s+52k$/, 'the baseline\'s own ops/s above the ratios')
  t.match(lines[6], /^9p-mapped-xattr-mmap\s+0\.074x\s+0\.016x$/, 'ratios side by side')
  t.match(lines[7], /^9p-none-mmap\s+0\.076x\s+skip$/)
  t.match(lines[8], /^virtiofs\s+no ratio\s+FAIL$/)
  t.match(text, /\nskip: chown fails here \(EPERM\): a refusal, not a speed \(chown on 9p-none-mmap\)\n/, 'each reason once, with where')
  t.match(text, /\nno ratio: no tmpfs baseline[^\n]*\(create on virtiofs\)\n/)
  t.match(text, /\nFAIL: found EIO \(chown on virtiofs\)\n/)
  t.notMatch(text, /~/, 'repeats that agree carry no ~')
})

t.test('the app-like workloads are columns like the others, named by their workload', async (t) => {
  const text = benchTableText(results([
    config('9p-mapped-xattr-mmap', [ok('bench/create/files', 0.07), ok('bench/git-tree/repo', 0.012), ok('bench/npm-unpack/packages', 0.009), ok('bench/sqlite/inserts', 0.05)]),
    config('9p-none-mmap', [ok('bench/create/files', 0.06), ok('bench/git-tree/repo', 0.011), ok('bench/npm-unpack/packages', 0.008), skip('bench/sqlite/inserts', 'python3 in the guest has no sqlite3 module (No module named \'_sqlite3\')')]),
  ]), {})
  t.match(text, /\nconfig\s+create\s+git-tree\s+npm-unpack\s+sqlite\n/, 'a column each')
  t.match(text, /\n9p-mapped-xattr-mmap\s+0\.070x\s+0\.012x\s+0\.0090x\s+0\.050x\n/)
  t.match(text, /\n9p-none-mmap\s+0\.060x\s+0\.011x\s+0\.0080x\s+skip\n/)
  t.match(text, /\nskip: python3 in the guest has no sqlite3 module[^\n]*\(sqlite on 9p-none-mmap\)\n/, 'and why sqlite is not measured there')
})

t.test('a ratio whose repeats differ more than 2x is marked ~, with a line saying what that means', async (t) => {
  const shaky = ok('bench/stat/files', 0.02)
  shaky.diagnostics!.bench = { ...shaky.diagnostics!.bench!, repeats: { min: 100, median: 300, max: 900, n: 3 } }
  const text = benchTableText(results([config('9p-none-mmap', [shaky, ok('bench/unlink/files', 0.03)])]), {})
  t.match(text, /\n9p-none-mmap\s+0\.020x~\s+0\.030x\n/)
  t.match(text, /\n~: its repeats differ more than 2x \(a busy machine\): rerun, or raise --bench-repeats\n/)
})

t.test('without bench points the table says so; unknown machine facts show as ?', async (t) => {
  t.equal(benchTableText(results([config('a', [])]), {}), 'cpus: host ?, guest ? · accelerator: ?\nno bench figures: no configuration ran the bench suite\n')
})

t.test('compact numbers for the baseline row', async (t) => {
  const cases: Array<[number, string]> = [[52000, '52k'], [1234, '1.2k'], [4.8e9, '4.8G'], [2.5e6, '2.5M'], [1.2e8, '120M'], [320, '320'], [12.5, '13'], [0.5, '0.50']]
  for (const [x, wanted] of cases) t.equal(compact(x), wanted, `${x} -> ${wanted}`)
})

t.test('bench sizes pass on to the agent only when given, and are checked before anything boots', async (t) => {
  t.strictSame(benchAgentFlags({}), [], 'none given: the agent\'s defaults')
  t.strictSame(benchAgentFlags({ 'bench-files': '8', 'bench-bytes': '262144', 'bench-repeats': '5' }), ['--bench-files', '8', '--bench-bytes', '262144', '--bench-repeats', '5'])
  t.strictSame(benchAgentFlags({ 'bench-repeats': '3' }), ['--bench-repeats', '3'])
  t.strictSame(benchAgentFlags({ 'bench-scale': '750' }), ['--bench-scale', '750'], 'the app-like workloads\' size')
  t.throws(() => benchAgentFlags({ 'bench-scale': '0' }), /--bench-scale: expected an integer >= 1/)
  t.throws(() => benchAgentFlags({ 'bench-repeats': '2' }), UsageError, 'fewer than 3 repeats: no median and spread worth the name')
  t.throws(() => benchAgentFlags({ 'bench-files': '0' }), /--bench-files: expected an integer >= 1/)
  t.throws(() => benchAgentFlags({ 'bench-bytes': '1MiB' }), /--bench-bytes: expected an integer/)
})
