import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { REPORT_USAGE, reportCommand, writeReports } from '../../cli/report-command.ts'
import type { CliEnvironment } from '../../cli/environment.ts'
import { UsageError } from '../../provision/errors.ts'
import { reportHtml } from '../../reports/html/report-html.ts'
import { captureOutput, fixtureResults, fixtureRun, matchGolden, RUN_DIR } from '../helpers/reports-fixtures.ts'

const env: CliEnvironment = { cacheDir: '/nonexistent', instancesDir: '/nonexistent', isCi: false }

/** A copy of the fixture output dir, removed after the test. */
function outDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'limafs-report-'))
  cpSync(RUN_DIR, dir, { recursive: true })
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('limafs report OUT writes results.json, junit.xml, summary.md (goldens) and report.html, and says where', async (t) => {
  const dir = outDir(t)
  const { value, stdout } = await captureOutput(() => reportCommand([dir], env))
  t.equal(value, 0)
  matchGolden(t, readFileSync(join(dir, 'results.json'), 'utf8'), 'results.json')
  matchGolden(t, readFileSync(join(dir, 'junit.xml'), 'utf8'), 'junit.xml')
  matchGolden(t, readFileSync(join(dir, 'summary.md'), 'utf8'), 'summary.md')
  t.equal(readFileSync(join(dir, 'report.html'), 'utf8'), reportHtml(fixtureResults()), 'report.html is the HTML report of the same results')
  t.equal(stdout, [
    '1 security finding, 5 silent (2 known), 3 loud (1 known), 10 ok, 2 skip, 5 crashed in 4 configs',
    `wrote ${join(dir, 'results.json')}`,
    `wrote ${join(dir, 'junit.xml')}`,
    `wrote ${join(dir, 'summary.md')}`,
    `wrote ${join(dir, 'report.html')}`,
    '',
  ].join('\n'))
})

t.test('the summary is appended to the GitHub step summary when there is one', async (t) => {
  const dir = outDir(t)
  const stepSummary = join(dir, 'step-summary.md')
  writeFileSync(stepSummary, 'before\n')
  const { stdout } = await captureOutput(() => reportCommand([dir], { ...env, githubStepSummary: stepSummary }))
  t.equal(readFileSync(stepSummary, 'utf8'), `before\n${readFileSync(join(dir, 'summary.md'), 'utf8')}`)
  t.match(stdout, `appended summary.md to ${stepSummary}`)
})

t.test('writeReports (what the orchestrator calls) takes the same path and returns the results', async (t) => {
  const dir = outDir(t)
  unlinkSync(join(dir, 'run.json'))
  const written = await writeReports(dir, fixtureRun(), env)
  t.same(written.files, ['results.json', 'junit.xml', 'summary.md', 'report.html'].map((f) => join(dir, f)))
  t.equal(written.results.configs.length, 4)
  t.same(written.unlisted, [])
  matchGolden(t, readFileSync(join(dir, 'junit.xml'), 'utf8'), 'junit.xml')
})

t.test('a TAP file run.json does not list is left out, with a warning', async (t) => {
  const dir = outDir(t)
  writeFileSync(join(dir, 'tap', 'stray.tap'), 'TAP version 14\nok 1 - x/y\n1..1\n')
  const { stderr } = await captureOutput(() => reportCommand([dir], env))
  t.equal(stderr, `limafs: ${join(dir, 'tap', 'stray.tap')} is not listed in ${join(dir, 'run.json')}; left out\n`)
  t.notMatch(readFileSync(join(dir, 'results.json'), 'utf8'), 'x/y')
})

t.test('missing or bad inputs are usage errors naming the file', async (t) => {
  const dir = outDir(t)
  await t.rejects(reportCommand([join(dir, 'nope')], env), { name: 'UsageError', message: `${join(dir, 'nope')}: no such directory (expected the output dir of a limafs run)` })
  unlinkSync(join(dir, 'run.json'))
  await t.rejects(reportCommand([dir], env), { name: 'UsageError', message: `${join(dir, 'run.json')}: no such file (expected the run record a limafs run writes into its output dir)` })
  writeFileSync(join(dir, 'run.json'), '{"schema": "limafs-run", "version": 1,')
  await t.rejects(reportCommand([dir], env), { name: 'ResultsFileError', message: `${join(dir, 'run.json')} is not JSON: line 1, column 39: Expected double-quoted property name` })
  cpSync(join(RUN_DIR, 'run.json'), join(dir, 'run.json'))
  unlinkSync(join(dir, 'tap', '9p-none-mmap.tap'))
  await t.rejects(reportCommand([dir], env), { message: /tap\/9p-none-mmap\.tap is missing/ })
  t.notOk(existsSync(join(dir, 'results.json')), 'nothing is written from a broken output dir')
  await t.rejects(reportCommand([], env), UsageError)
  await t.rejects(reportCommand([dir, dir], env), { message: /exactly one output directory/ })
  await t.rejects(reportCommand(['--bogus', dir], env), { message: /Unknown option '--bogus'/ })
})

t.test('--help prints the usage', async (t) => {
  const { value, stdout } = await captureOutput(() => reportCommand(['--help'], env))
  t.equal(value, 0)
  t.equal(stdout, `${REPORT_USAGE}\n`)
  t.match(REPORT_USAGE, /^Usage: limafs report OUT/)
})
