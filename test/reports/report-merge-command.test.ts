import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { CliEnvironment } from '../../cli/environment.ts'
import { reportCommand } from '../../cli/report-command.ts'
import { REPORT_MERGE_USAGE } from '../../cli/report-merge-command.ts'
import { UsageError } from '../../provision/errors.ts'
import { mergedSummaryMarkdown } from '../../reports/merged-summary-markdown.ts'
import { parseMergedResults } from '../../reports/results-schema.ts'
import { ResultsFileError } from '../../reports/results-file-error.ts'
import { captureOutput, fixture } from '../helpers/reports-fixtures.ts'

const env: CliEnvironment = { cacheDir: '/nonexistent', instancesDir: '/nonexistent', isCi: false }

/** Two job output dirs (a/ and b/, each with a results.json) and an empty place for the merge. */
function jobs(t: Test): { dir: string; a: string; b: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'limafs-merge-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const [name, file] of [['a', 'coherence/results.json'], ['b', 'bench/results.json']] as const) {
    mkdirSync(join(dir, name))
    writeFileSync(join(dir, name, 'results.json'), fixture(file))
  }
  return { dir, a: join(dir, 'a'), b: join(dir, 'b', 'results.json'), out: join(dir, 'merged') }
}

t.test('limafs report merge A B --out DIR writes the merged results.json, summary.md and report.html', async (t) => {
  const { a, b, out } = jobs(t)
  const { value, stdout } = await captureOutput(() => reportCommand(['merge', a, b, '--out', out, '--label', `${a}=linux-qemu-7.2`], env))
  t.equal(value, 0)
  const merged = parseMergedResults(readFileSync(join(out, 'results.json'), 'utf8'), 'merged')
  t.same(merged.environments.map((e) => [e.label, e.source]), [['linux-qemu-7.2', join(a, 'results.json')], ['Darwin 24.5.0 arm64 · Lima 2.2.0 · QEMU 10.0.2', b]])
  t.equal(readFileSync(join(out, 'summary.md'), 'utf8'), mergedSummaryMarkdown(merged))
  t.match(readFileSync(join(out, 'report.html'), 'utf8'), /^<!DOCTYPE html>[^]*E1<\/b> = linux-qemu-7\.2/)
  t.equal(stdout, [
    `merged 2 environments: "linux-qemu-7.2" (${join(a, 'results.json')}), "Darwin 24.5.0 arm64 · Lima 2.2.0 · QEMU 10.0.2" (${b})`,
    ...['results.json', 'summary.md', 'report.html'].map((f) => `wrote ${join(out, f)}`),
    '',
  ].join('\n'))
})

t.test('limafs report DIR on a merge\'s output dir writes its summary.md and report.html again', async (t) => {
  const { a, b, out } = jobs(t)
  await captureOutput(() => reportCommand(['merge', a, b, '--out', out], env))
  rmSync(join(out, 'report.html'))
  writeFileSync(join(out, 'summary.md'), 'stale')
  const { value, stdout } = await captureOutput(() => reportCommand([out], env))
  t.equal(value, 0)
  t.ok(existsSync(join(out, 'report.html')))
  t.match(readFileSync(join(out, 'summary.md'), 'utf8'), /^# limafs: \d+ silent \(\d+ known\) · .* · 2 environments side by side\n/)
  t.match(stdout, /^2 environments \(a merge\): wrote .*summary\.md, wrote .*report\.html\n$/)
})

t.test('sources of different schema versions are refused, each file and version named', async (t) => {
  const { a, b, out } = jobs(t)
  writeFileSync(b, fixture('bench/results.json').replace('"version": 1', '"version": 2'))
  await t.rejects(captureOutput(() => reportCommand(['merge', a, b, '--out', out], env)), {
    constructor: ResultsFileError,
    message: `cannot merge results of different schema versions:\n  ${join(a, 'results.json')}: limafs-results version 1\n  ${b}: limafs-results version 2\n` +
      'this limafs reads results version 1: rebuild the others from their TAP with the same limafs (`limafs report OUT`), then merge them',
  })
  t.notOk(existsSync(out), 'nothing written')
})

t.test('usage errors: no files, no --out, a bad or unknown --label, a file twice, a missing file', async (t) => {
  const { a, b, out } = jobs(t)
  await t.rejects(reportCommand(['merge', '--out', out], env), { constructor: UsageError, message: /needs the results.json files to merge/ })
  await t.rejects(reportCommand(['merge', a, b], env), { constructor: UsageError, message: /needs --out DIR/ })
  await t.rejects(reportCommand(['merge', a, b, '--out', out, '--label', 'oops'], env), { message: /--label "oops": expected SOURCE=LABEL/ })
  await t.rejects(reportCommand(['merge', a, b, '--out', out, '--label', 'x.json=L'], env), { message: /x\.json is not one of the files to merge/ })
  await t.rejects(reportCommand(['merge', a, a, '--out', out], env), { message: /a file is named twice/ })
  await t.rejects(reportCommand(['merge', a, join(a, 'nope.json'), '--out', out], env), { message: /nope\.json: no such file/ })
})

t.test('--help prints the usage, which documents the merged schema', async (t) => {
  const { value, stdout } = await captureOutput(() => reportCommand(['merge', '--help'], env))
  t.equal(value, 0)
  t.equal(stdout, `${REPORT_MERGE_USAGE}\n`)
  t.match(REPORT_MERGE_USAGE, /schema "limafs-merged-results" version 1/)
})
