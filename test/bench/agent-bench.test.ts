// The bench suite through the real agent bundle, as root on a local dir with /dev/shm as the
// tmpfs baseline: every declared point is there and measured (ops/s, p50/p99, a ratio, >= 3
// repeats), and nothing is left in the dir or on the tmpfs. Also the flags' usage errors.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import { mountOf, parseMountinfo } from '../../agent/mountinfo.ts'
import { listedChecks, parseTap, runAgent, tempDir } from '../helpers/agent-bundle.ts'

t.setTimeout(0)
const isRoot = process.getuid?.() === 0
const FILES = 8
const BYTES = 256 * 1024
const SHM = '/dev/shm'
const shmIsTmpfs = mountOf(parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')), SHM)?.fsType === 'tmpfs'

/**
 * ops per run of each workload with FILES files and BYTES bytes (readdir: 5 passes; chown-R: the dir too; xattr: set + get);
 * the app-like ones at --bench-scale 1: git-tree 3 mkdir + 4 writes + 3 listings + 4 lstat + 4 reads + 1 chmod + 1 rename,
 * npm-unpack 1 + 2 x (2 mkdir + 3 writes + 1 chmod) + 1 mkdir + 2 symlinks + 2 readlinks, sqlite open + 4 inserts.
 */
const OPS: Record<string, number> = {
  create: FILES, chown: FILES, 'chown-R': FILES + 1, stat: FILES, readdir: 5 * FILES, xattr: 2 * FILES, 'write-read': 2 * BYTES, unlink: FILES,
  'git-tree': 20, 'npm-unpack': 18, sqlite: 5,
}
/** The app-like workloads' steps, each timed (diagnostics.bench.phasesMs). */
const STEPS: Record<string, string[]> = { 'git-tree': ['checkout', 'status', 'read', 'chmod-rename'], 'npm-unpack': ['extract', 'link', 'verify'], sqlite: ['open', 'inserts'] }
const hasSqlite = (await import('node:child_process')).spawnSync('python3', ['-c', 'import sqlite3']).status === 0

t.test('run --suite bench on a local dir as root: every declared point measured against /dev/shm, nothing left behind', { skip: !isRoot ? 'needs root' : !shmIsTmpfs ? '/dev/shm is not a tmpfs here' : false }, async (t) => {
  const dir = tempDir(t)
  const declared = (await listedChecks({})).filter((c) => c.suite === 'bench').map((c) => c.id)
  t.equal(declared.length, 11, 'eleven workloads declared: eight micro, three app-like')
  const r = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--suite', 'bench', '--baseline-dir', SHM, '--bench-files', String(FILES), '--bench-bytes', String(BYTES), '--bench-repeats', '3'])
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr })
  const baselineScratch = /bench baseline: (\/dev\/shm\/\.limafs-\w+)/.exec(r.stderr)?.[1]
  t.ok(baselineScratch, 'the agent names its scratch dir on the tmpfs', { stderr: r.stderr })
  const { leaves, parseErrors } = parseTap(r.stdout)
  t.strictSame(parseErrors, [], 'the TAP parses')
  t.strictSame(leaves.map((l) => l.name), declared, 'every declared bench point, once, in order')
  for (const leaf of leaves) {
    const bench = (leaf.diag as { bench?: Record<string, any> } | null)?.bench
    const workload = leaf.name === 'bench/chown-r/tree' ? 'chown-R' : leaf.name.split('/')[1]!
    if (workload === 'sqlite' && !hasSqlite) {
      t.match(leaf.skip, /sqlite3/, 'sqlite: a SKIP naming the missing sqlite3 module')
      continue
    }
    t.ok(leaf.ok && leaf.skip === false && leaf.todo === false, `${leaf.name}: ok, measured`, { diag: leaf.diag })
    t.match(bench, { workload, ops: OPS[workload], repeats: { n: 3 } }, `${leaf.name}: its workload, ${OPS[workload]} ops per repeat, 3 repeats`)
    t.ok(bench?.opsPerSec > 0 && bench?.baselineOpsPerSec > 0 && bench?.ratio > 0, `${leaf.name}: positive ops/s, baseline ops/s and ratio`)
    t.ok(bench?.repeats.min <= bench?.repeats.median && bench?.repeats.median <= bench?.repeats.max, `${leaf.name}: min <= median <= max`)
    t.equal(bench?.opsPerSec, bench?.repeats.median, `${leaf.name}: ops/s is the median over the repeats`)
    t.ok(bench?.p50Ms > 0 && bench?.p50Ms <= bench?.p99Ms, `${leaf.name}: 0 < p50 <= p99`)
    const steps = STEPS[workload]
    if (steps) t.strictSame(Object.keys(bench?.phasesMs ?? {}), steps, `${leaf.name}: the time of each step (${steps.join(', ')})`)
    else t.notOk(bench && 'phasesMs' in bench, `${leaf.name}: one step, no phases`)
  }
  t.strictSame(readdirSync(dir), [], 'nothing left in the dir (no .limafs-*)')
  t.notOk(baselineScratch && existsSync(baselineScratch), 'the tmpfs scratch dir is gone')
})

t.test('--bench-scale sizes the app-like workloads and nothing else', { skip: !isRoot ? 'needs root' : !shmIsTmpfs ? '/dev/shm is not a tmpfs here' : false }, async (t) => {
  const dir = tempDir(t)
  const r = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--suite', 'bench', '--grep', 'bench/(git-tree|npm-unpack|create)/', '--baseline-dir', SHM, '--bench-files', String(FILES), '--bench-bytes', String(BYTES), '--bench-scale', '3'])
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr })
  const ops = Object.fromEntries(parseTap(r.stdout).leaves.map((l) => [l.name, (l.diag as { bench?: { ops?: number } } | null)?.bench?.ops]))
  // git-tree: 7 dirs, 12 files (3 chmod, 3 renamed); npm-unpack: 6 packages
  t.strictSame(ops, { 'bench/create/files': FILES, 'bench/git-tree/repo': 7 + 12 + 7 + 12 + 12 + 3 + 3, 'bench/npm-unpack/packages': 1 + 6 * 6 + 1 + 6 + 6 }, 'three times the packages and modules; create unchanged')
  t.strictSame(readdirSync(dir), [], 'nothing left in the dir')
  const bad = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--suite', 'bench', '--bench-scale', '0'])
  t.equal(bad.exitCode, 64, '--bench-scale 0 is a usage error')
  t.match(bad.stderr, /--bench-scale: expected an integer >= 1, got 0/)
})

t.test('bench flags: a baseline that is not a tmpfs and fewer than 3 repeats are usage errors', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const dir = tempDir(t)
  const notTmpfs = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--suite', 'bench', '--baseline-dir', dir])
  t.equal(notTmpfs.exitCode, 64, 'exit 64')
  t.match(notTmpfs.stderr, new RegExp(`--baseline-dir ${dir}: it is on \\S+ \\(.*\\), not a tmpfs`))
  const twoRepeats = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--suite', 'bench', '--bench-repeats', '2'])
  t.equal(twoRepeats.exitCode, 64)
  t.match(twoRepeats.stderr, /--bench-repeats: expected an integer >= 3, got 2/)
  const missing = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--suite', 'bench', '--baseline-dir', `${dir}/no-such-dir`])
  t.equal(missing.exitCode, 64)
  t.match(missing.stderr, /no such directory/)
  t.strictSame(readdirSync(dir), [], 'a refused run makes nothing')
})
