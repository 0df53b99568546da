// `limafs run` when things go wrong: the guest dies mid-run, the user presses Ctrl-C, the
// matrix has a typo. A small matrix (four 9p configurations, the chown suite) keeps it short.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { readEnvironment } from '../../cli/environment.ts'
import { parseResults } from '../../reports/results-schema.ts'
import { buildBundles } from '../helpers/agent-bundle.ts'
import { CLI, limafs, qemuOrVirtiofsdMentioning, REPO } from '../helpers/testbed.ts'

const dir = mkdtempSync(join(tmpdir(), 'limafs-faults-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const matrixFile = join(dir, 'small.yaml')
// startRun spawns bin/limafs.js itself: its bundle from the current sources first.
t.before(buildBundles)
writeFileSync(matrixFile, `backend: testbed
configs:
  - { name: 9p-none-mmap, mountType: 9p, writable: true, 9p: { securityModel: none, cache: mmap } }
  - { name: 9p-mapped-xattr-mmap, mountType: 9p, writable: true, 9p: { securityModel: mapped-xattr, cache: mmap } }
  - { name: 9p-mapped-file-mmap, mountType: 9p, writable: true, 9p: { securityModel: mapped-file, cache: mmap } }
  - { name: 9p-mapped-xattr-none, mountType: 9p, writable: true, 9p: { securityModel: mapped-xattr, cache: none } }
suites: [chown]
expect:
  - { check: "chown/*", config: "9p-none-*", reason: "security_model=none: chown fails EPERM" }
`)

/** Starts `limafs run`, calls `when` on each stderr line until it returns true. */
function startRun(name: string, out: string, when: (line: string, pid: number) => boolean) {
  const child = execa(process.execPath, [CLI, 'run', '--matrix', matrixFile, '--out', out, '--name', name], { cwd: REPO, reject: false, all: false, timeout: 600_000 })
  let fired = false
  let buffer = ''
  child.stderr?.on('data', (d: Buffer) => {
    buffer += d.toString()
    let nl: number
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
      if (!fired && when(line, child.pid!)) fired = true
    }
  })
  return child
}

const instanceDir = (name: string) => join(readEnvironment().instancesDir, name)

t.test('a guest that dies mid-run: the configs in flight are crashed, those done keep their TAP, the rest go on in a fresh boot, exit 2', async (t) => {
  const name = 't-run-crash'
  const out = join(dir, 'crash')
  // The agent works on two lanes: when the third config starts, one of the first two is done
  // (its lane came free) and the other is still in flight; the fourth has not started.
  const doneBefore = new Set<string>()
  const result = await startRun(name, out, (line) => {
    const done = /(\S+): \d+ ok/.exec(line)
    if (done) doneBefore.add(done[1]!)
    if (!/9p-mapped-file-mmap: start/.test(line)) return false
    const state = JSON.parse(readFileSync(join(instanceDir(name), 'state.json'), 'utf8')) as { qemu: { pid: number } }
    process.kill(state.qemu.pid, 'SIGKILL')
    return true
  })
  t.equal(result.exitCode, 2, 'the run could not complete: exit 2')
  t.match(result.stderr, /9p-mapped-file-mmap: CRASHED: the guest died/)
  t.match(result.stderr, /configs go on in a fresh boot/)
  const results = parseResults(readFileSync(join(out, 'results.json'), 'utf8'), 'results.json')
  const status = Object.fromEntries(results.configs.map((c) => [c.name, c.status]))
  const firstTwo = ['9p-none-mmap', '9p-mapped-xattr-mmap']
  t.ok(firstTwo.some((n) => doneBefore.has(n)), `one of the first two was done when the third started (${[...doneBefore].join(', ')})`)
  t.strictSame(status, {
    ...Object.fromEntries(firstTwo.map((n) => [n, doneBefore.has(n) ? 'completed' : 'crashed'])),
    '9p-mapped-file-mmap': 'crashed',
    '9p-mapped-xattr-none': 'completed',
  }, 'the configs in flight crashed; the one done before and the one not started completed')
  for (const n of firstTwo.filter((n) => doneBefore.has(n))) t.ok(readFileSync(join(out, 'tap', `${n}.tap`), 'utf8').includes('chown/call/file'), `the TAP of ${n}, done before the crash, is kept`)
  t.ok(results.configs.find((c) => c.name === '9p-mapped-file-mmap')!.checks.every((c) => c.status === 'crashed'), 'the crashed config\'s checks are crashed')
  t.equal(results.configs.find((c) => c.name === '9p-mapped-xattr-none')!.checks.find((c) => c.id === 'chown/after-restart/file')?.status, 'ok', 'the config not started ran in the fresh boot, restart phase included')
  t.strictSame(qemuOrVirtiofsdMentioning(name), [], 'no QEMU left')
  t.notOk(existsSync(instanceDir(name)), 'no run dir left')
})

t.test('Ctrl-C stops the guest and still writes the reports for what ran', async (t) => {
  const name = 't-run-sigint'
  const out = join(dir, 'sigint')
  const result = await startRun(name, out, (line, pid) => {
    if (!/9p-mapped-xattr-mmap: \d+ ok/.test(line)) return false
    process.kill(pid, 'SIGINT')
    return true
  })
  t.equal(result.exitCode, 2, 'an interrupted run exits 2')
  t.match(result.stderr, /SIGINT: stopping the guest/)
  const results = parseResults(readFileSync(join(out, 'results.json'), 'utf8'), 'results.json')
  t.equal(results.complete, false, 'results.json says the run is incomplete')
  t.ok(results.configs.find((c) => c.name === '9p-mapped-xattr-mmap')!.checks.some((c) => c.status === 'ok'), 'what ran is in the report')
  for (const f of ['junit.xml', 'summary.md', 'run.json']) t.ok(existsSync(join(out, f)), f)
  t.strictSame(qemuOrVirtiofsdMentioning(name), [], 'no QEMU left')
  t.notOk(existsSync(instanceDir(name)), 'no run dir left')
})

t.test('a matrix with a typo is refused with file:line:col before anything boots', async (t) => {
  const bad = join(dir, 'typo.yaml')
  writeFileSync(bad, readFileSync(matrixFile, 'utf8').replace('cache: mmap } }\n  - { name: 9p-mapped-file', 'cache: mmapp } }\n  - { name: 9p-mapped-file'))
  const result = await limafs(['run', '--matrix', bad, '--out', join(dir, 'typo')])
  t.equal(result.exitCode, 64)
  t.match(result.stderr, new RegExp(`${bad.replace(/[.]/g, '\\.')}:4:\\d+: configs\\[1\\]\\.9p\\.cache: must be one of none\\|loose\\|fscache\\|mmap`))
  t.notOk(existsSync(join(dir, 'typo', 'results.json')), 'nothing ran')
})
