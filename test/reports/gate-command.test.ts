import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { CliEnvironment } from '../../cli/environment.ts'
import { GATE_USAGE, gateCommand } from '../../cli/gate-command.ts'
import { resultsJson } from '../../reports/results-json.ts'
import type { Results } from '../../reports/types.ts'
import { captureOutput, fixtureResults } from '../helpers/reports-fixtures.ts'

const env: CliEnvironment = { cacheDir: '/nonexistent', instancesDir: '/nonexistent', isCi: false }

function workDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'limafs-gate-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Writes results as DIR/NAME/results.json; returns that file. */
function save(dir: string, name: string, results: Results): string {
  mkdirSync(join(dir, name), { recursive: true })
  const file = join(dir, name, 'results.json')
  writeFileSync(file, resultsJson(results))
  return file
}

/** The fixture results with one check of one config changed. */
function withCheck(config: string, id: string, change: Partial<Results['configs'][number]['checks'][number]>): Results {
  const results = fixtureResults()
  const check = results.configs.find((c) => c.name === config)!.checks.find((c) => c.id === id)!
  Object.assign(check, change)
  if (!('class' in change)) delete check.class
  return results
}

t.test('same results: exit 0 and an OK verdict', async (t) => {
  const dir = workDir(t)
  const a = save(dir, 'a', fixtureResults())
  const { value, stdout } = await captureOutput(() => gateCommand(['--baseline', a, '--current', a], env))
  t.equal(value, 0)
  t.match(stdout, /verdict: OK \(exit 0\)/)
})

t.test('a regression: exit 1, the check named with old -> new', async (t) => {
  const dir = workDir(t)
  const a = save(dir, 'a', fixtureResults())
  const b = save(dir, 'b', withCheck('9p-none-mmap', 'chown/non-root/file', { status: 'fail', class: 'silent' }))
  const { value, stdout } = await captureOutput(() => gateCommand(['--baseline', a, '--current', b], env))
  t.equal(value, 1)
  t.match(stdout, `limafs gate: baseline ${a}\n             current  ${b}`)
  t.match(stdout, /9p-none-mmap\n {2}regressions:\n {4}chown\/non-root\/file\s+ok -> fail \(silent\)/)
})

t.test('an improvement only: exit 0, listed', async (t) => {
  const dir = workDir(t)
  const { value, stdout } = await captureOutput(() =>
    gateCommand(['--baseline', save(dir, 'a', fixtureResults()), '--current', save(dir, 'b', withCheck('9p-none-mmap', 'chown/call/file', { status: 'ok' }))], env))
  t.equal(value, 0)
  t.match(stdout, /improvements:\n {4}chown\/call\/file\s+fail \(loud\) -> ok/)
})

t.test('an output dir stands for its results.json; --json prints the report with its exit code', async (t) => {
  const dir = workDir(t)
  save(dir, 'a', fixtureResults())
  save(dir, 'b', { ...fixtureResults(), complete: false })
  const { value, stdout } = await captureOutput(() => gateCommand(['--baseline', join(dir, 'a'), '--current', join(dir, 'b'), '--json'], env))
  t.equal(value, 2)
  t.match(JSON.parse(stdout), { incomparable: ['the current run did not complete'], exitCode: 2 })
})

t.test('the comparison is appended to the GitHub step summary when there is one', async (t) => {
  const dir = workDir(t)
  const a = save(dir, 'a', fixtureResults())
  const stepSummary = join(dir, 'summary.md')
  const { stdout } = await captureOutput(() => gateCommand(['--baseline', a, '--current', a], { ...env, githubStepSummary: stepSummary }))
  t.equal(readFileSync(stepSummary, 'utf8'), `## limafs gate\n\n\`\`\`\n${stdout}\`\`\`\n`)
})

t.test('missing options, missing files and foreign files are usage errors naming the file', async (t) => {
  const dir = workDir(t)
  const a = save(dir, 'a', fixtureResults())
  await t.rejects(gateCommand(['--baseline', a], env), { name: 'UsageError', message: /^gate needs both --baseline and --current \(missing --current\)/ })
  await t.rejects(gateCommand([], env), { name: 'UsageError', message: /^gate needs both --baseline and --current\n/ })
  await t.rejects(gateCommand(['--baseline', a, '--current', a, 'extra'], env), { message: /no positional arguments/ })
  const missing = join(dir, 'b', 'results.json')
  await t.rejects(gateCommand(['--baseline', a, '--current', missing], env), {
    name: 'UsageError',
    message: `${missing}: no such file (expected a results.json written by limafs run or limafs report)`,
  })
  const foreign = join(dir, 'package.json')
  writeFileSync(foreign, '{"name": "x"}')
  await t.rejects(gateCommand(['--baseline', foreign, '--current', a], env), {
    name: 'ResultsFileError',
    message: `${foreign} is not a limafs results.json (schema field is missing; a results.json has "schema": "limafs-results")`,
  })
})

t.test('--help prints the usage', async (t) => {
  const { value, stdout } = await captureOutput(() => gateCommand(['-h'], env))
  t.equal(value, 0)
  t.equal(stdout, `${GATE_USAGE}\n`)
})
