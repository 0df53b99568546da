import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { buildBundles } from '../helpers/agent-bundle.ts'
import type { CliEnvironment } from '../../cli/environment.ts'
import { RECOMMEND_USAGE, recommendCommand } from '../../cli/recommend-command.ts'
import { UsageError } from '../../provision/errors.ts'
import { mergeResults } from '../../reports/merge.ts'
import { mergedResultsJson } from '../../reports/results-json.ts'
import { ResultsFileError } from '../../reports/results-file-error.ts'
import { captureOutput, fixture } from '../helpers/reports-fixtures.ts'

const env: CliEnvironment = { cacheDir: '/nonexistent', instancesDir: '/nonexistent', isCi: false }

/** A work dir holding the real run's results as OUT/results.json; returns OUT. */
function runDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'limafs-recommend-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'out'))
  writeFileSync(join(dir, 'out', 'results.json'), fixture('run2/results.json'))
  return join(dir, 'out')
}

t.test('a recommendation: exit 0, the lima.yaml lines and why', async (t) => {
  const out = runDir(t)
  const { value, stdout } = await captureOutput(() => recommendCommand(['--results', out, '--need', 'chown,xattrs'], env))
  t.equal(value, 0)
  t.match(stdout, /^limafs recommend: 9p-mapped-xattr-mmap \(9p mapped-xattr cache=mmap\) meets ownership, xattrs\n/, '--need chown: the earlier name of ownership')
  t.match(stdout, `(${join(out, 'results.json')})`)
  t.match(stdout, '    9p: { securityModel: mapped-xattr, cache: mmap, msize: 128KiB, protocolVersion: 9p2000.L }')
  t.match(stdout, '  - virtiofs (virtiofs): fails xattrs: xattr/size-64k/file fail (silent), xattr/set-get/1b fail (loud EOPNOTSUPP)', 'the silent failure first')
})

t.test('nothing meets the needs: exit 1, what fails', async (t) => {
  const out = runDir(t)
  const { value, stdout } = await captureOutput(() => recommendCommand(['--results', join(out, 'results.json'), '--need', 'chown,symlinks,xattrs'], env))
  t.equal(value, 1)
  t.match(stdout, /^limafs recommend: no measured configuration meets ownership, symlinks, xattrs\n/)
  t.match(stdout, '    symlinks: symlink/host-stored/guest-made fail (silent: file 0600)')
  t.match(stdout, '\nBest compromise: virtiofs (virtiofs) keeps ownership, symlinks; it gives up:\n  xattrs: fails silently: ')
})

t.test('--profile: the needs of a way of working, --need adds to them; the compromise when nothing keeps them all', async (t) => {
  const out = runDir(t)
  const { value, stdout } = await captureOutput(() => recommendCommand(['--results', out, '--profile', 'containers-in-guest'], env))
  t.equal(value, 1, 'nothing measured names/*: no recommendation')
  t.match(stdout, /^limafs recommend: no measured configuration meets ownership, symlinks, xattrs, names \(profile containers-in-guest: containers and their volumes in the guest\)\n/)
  t.match(stdout, '  names: not measured: no check in these results matches names/*')
  const json = await captureOutput(() => recommendCommand(['--results', out, '--profile', 'guest-databases', '--need', 'xattrs', '--json'], env))
  const doc = JSON.parse(json.stdout)
  t.match(doc, { profile: 'guest-databases', needs: ['ownership', 'symlinks', 'xattrs', 'locks', 'open-files', 'space'], exitCode: 1 })
  await t.rejects(recommendCommand(['--results', out, '--profile', 'gaming'], env), { constructor: UsageError, message: /^--profile: unknown profile "gaming"; choose from host-edit-guest-build, / })
})

t.test('--json: everything it rests on, and the exit code', async (t) => {
  const out = runDir(t)
  const { value, stdout } = await captureOutput(() => recommendCommand(['--results', out, '--need', 'chown', '--json'], env))
  t.equal(value, 0)
  const doc = JSON.parse(stdout)
  t.match(doc, { exitCode: 0, needs: ['ownership'], chosen: { config: 'virtiofs', meetsAll: true } })
  t.ok(doc.chosen.needs[0].passed.length > 39, 'every check id (chown/* and modes/*), not just the first few')
})

t.test('without --results: the newest ./limafs-results/*/results.json', async (t) => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'limafs-recommend-cwd-')))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const [run, file] of [['2026-01-01T00-00-00-000Z', 'run2/results.json'], ['2026-02-01T00-00-00-000Z', 'bench/results.json'], ['2026-03-01T00-00-00-000Z', '']] as const) {
    mkdirSync(join(dir, 'limafs-results', run), { recursive: true })
    if (file) writeFileSync(join(dir, 'limafs-results', run, 'results.json'), fixture(file))
  }
  const cwd = process.cwd()
  process.chdir(dir)
  t.teardown(() => process.chdir(cwd))
  const { value, stdout } = await captureOutput(() => recommendCommand(['--need', 'chown'], env))
  t.equal(value, 1, 'the bench-only run measured no chown')
  t.match(stdout, `(${join('limafs-results', '2026-02-01T00-00-00-000Z', 'results.json')})`, 'the newest dir that has a results.json')
  rmSync(join(dir, 'limafs-results'), { recursive: true })
  await t.rejects(recommendCommand([], env), { constructor: UsageError, message: /no --results given and no \.\/limafs-results\/\*\/results\.json here/ })
})

t.test('a merged results.json: --env picks the environment; without it, the labels are listed', async (t) => {
  const out = runDir(t)
  const merged = mergeResults([{ source: 'a', text: fixture('run2/results.json') }, { source: 'b', text: fixture('bench/results.json') }], { labels: { a: 'linux', b: 'mac' } })
  const file = join(out, 'merged.json')
  writeFileSync(file, mergedResultsJson(merged))
  const { value, stdout } = await captureOutput(() => recommendCommand(['--results', file, '--env', 'linux', '--need', 'chown,xattrs'], env))
  t.equal(value, 0)
  t.match(stdout, /^limafs recommend: 9p-mapped-xattr-mmap/)
  await t.rejects(recommendCommand(['--results', file], env), { constructor: UsageError, message: `${file} merges 2 environments; say which with --env: "linux", "mac"` })
  await t.rejects(recommendCommand(['--results', file, '--env', 'win'], env), { message: /--env "win": not in .*; its environments: "linux", "mac"/ })
  await t.rejects(recommendCommand(['--results', out, '--env', 'linux'], env), { message: /holds one run, not a merge; leave --env out/ })
})

t.test('bad input is a usage error (exit 64): unknown need, no such file, not a results.json', async (t) => {
  const out = runDir(t)
  await t.rejects(recommendCommand(['--results', out, '--need', 'chown,fast'], env), { constructor: UsageError, message: '--need: unknown need "fast"; choose from ownership,symlinks,xattrs,host-edits,times,locks,open-files,names,dirs,space,read-only,migrate,speed' })
  await t.rejects(recommendCommand(['--results', out, '--need', ','], env), { message: /--need: empty/ })
  await t.rejects(recommendCommand(['--results', join(out, 'nope.json')], env), { constructor: UsageError, message: /nope\.json: no such file/ })
  writeFileSync(join(out, 'results.json'), '{"schema": "limafs-run", "version": 1}')
  await t.rejects(recommendCommand(['--results', out], env), ResultsFileError)
  await t.rejects(recommendCommand(['extra'], env), { message: /takes no positional arguments/ })
})

t.test('--help prints the usage, which names every need and the check ids behind it', async (t) => {
  const { value, stdout } = await captureOutput(() => recommendCommand(['--help'], env))
  t.equal(value, 0)
  t.equal(stdout, `${RECOMMEND_USAGE}\n`)
  for (const need of ['ownership', 'symlinks', 'xattrs', 'host-edits', 'times', 'locks', 'names', 'speed']) t.match(RECOMMEND_USAGE, new RegExp(`\\n  ${need} +`))
  t.match(RECOMMEND_USAGE, '(also: chown)', 'the earlier need name still works')
  for (const profile of ['host-edit-guest-build', 'guest-databases', 'git-both-sides']) t.match(RECOMMEND_USAGE, new RegExp(`\\n  ${profile} +`))
})

t.test('through the real entry (bin/limafs.js): exit 0, 1 and 64, and the top-level help lists the new commands', async (t) => {
  const out = runDir(t)
  await buildBundles()
  const bin = fileURLToPath(new URL('../../bin/limafs.js', import.meta.url))
  const limafs = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' })
  t.equal(limafs('recommend', '--results', out, '--need', 'chown').status, 0)
  t.equal(limafs('recommend', '--results', out, '--need', 'chown,symlinks,xattrs').status, 1)
  const bad = limafs('recommend', '--results', out, '--need', 'nope')
  t.equal(bad.status, 64)
  t.match(bad.stderr, /^limafs: --need: unknown need "nope"/)
  const help = limafs('--help')
  t.match(help.stdout, /\n  recommend \[--results FILE\|OUT\] \[--profile NAME\] \[--need ownership,symlinks,\.\.\.\]\n/)
  t.match(help.stdout, /\n  report merge A B \.\.\. --out DIR\n/)
})
