import t from 'tap'
import { countChecks } from '../../reports/counts.ts'
import { environmentLabel, environmentResults, mergeResults, type MergeSource } from '../../reports/merge.ts'
import { mergedSummaryMarkdown } from '../../reports/merged-summary-markdown.ts'
import { mergedResultsJson, resultsJson } from '../../reports/results-json.ts'
import { parseAnyResults, parseMergedResults, parseResults } from '../../reports/results-schema.ts'
import { ResultsFileError } from '../../reports/results-file-error.ts'
import type { Results } from '../../reports/types.ts'
import { fixture, matchGolden, resultsFixture } from '../helpers/reports-fixtures.ts'

const source = (name: string, results: Results): MergeSource => ({ source: name, text: resultsJson(results) })

/** Two runs of the same matrix on other hosts: the coherence fixture as measured, and as a "macOS" job saw it. */
function twoJobs(): MergeSource[] {
  const linux = resultsFixture('coherence/results.json')
  const mac: Results = JSON.parse(JSON.stringify(linux))
  mac.environment = { hostOs: 'Darwin 24.5.0 arm64', backend: 'lima', limaVersion: '2.2.0', qemuVersion: '10.0.2', accelerator: 'hvf', guestKernel: '6.14.0-24-generic' }
  const loose = mac.configs.find((c) => c.name === '9p-none-loose')!
  const check = loose.checks.find((c) => c.id === 'coherence/host-delete/visible')!
  Object.assign(check, { status: 'ok', diagnostics: { op: 'lstat', found: 'ENOENT', latencyMs: 180 } })
  delete check.class
  loose.counts = countChecks(loose.checks)
  return [source('linux/results.json', linux), source('mac/results.json', mac)]
}

t.test('each source becomes an environment, labelled from its environment, in the order given', async (t) => {
  const merged = mergeResults(twoJobs())
  t.match(merged, { schema: 'limafs-merged-results', version: 1, resultsVersion: 1 })
  t.same(merged.environments.map((e) => [e.label, e.source]), [
    ['linux 6.18.44-fc-v657 · QEMU 7.2.22', 'linux/results.json'],
    ['Darwin 24.5.0 arm64 · Lima 2.2.0 · QEMU 10.0.2', 'mac/results.json'],
  ])
  t.equal(merged.environments[0]!.configs.length, 5, 'per environment, its configs and their checks')
})

t.test('labels: --label wins; derived ones that clash get the guest kernel, then the start time', async (t) => {
  const [a, b] = twoJobs()
  t.same(mergeResults([a!, b!], { labels: { 'mac/results.json': 'macos-15' } }).environments.map((e) => e.label), ['linux 6.18.44-fc-v657 · QEMU 7.2.22', 'macos-15'])
  const again = { source: 'linux-again/results.json', text: a!.text }
  t.same(mergeResults([a!, again]).environments.map((e) => e.label), [
    'linux 6.18.44-fc-v657 · QEMU 7.2.22 · guest 6.1.0-56-amd64 · 2026-11-25T19:32:33.249Z',
    'linux 6.18.44-fc-v657 · QEMU 7.2.22 · guest 6.1.0-56-amd64 · 2026-11-25T19:32:33.249Z #2',
  ], 'the same run twice: numbered at last')
  t.throws(() => mergeResults([a!, b!], { labels: { 'linux/results.json': 'x', 'mac/results.json': 'x' } }), { message: 'two environments are labelled "x" (linux/results.json and mac/results.json): labels must be unique' })
  t.throws(() => mergeResults([a!], { labels: { 'nope.json': 'x' } }), { message: /--label "nope.json": not among the files to merge/ })
  t.equal(environmentLabel({}, 'some/results.json'), 'some/results.json', 'nothing recorded: the file')
})

t.test('mixing schema versions is refused, every file and its version named (exit 64)', async (t) => {
  const [a, b] = twoJobs()
  const v2 = { source: 'new/results.json', text: b!.text.replace('"version": 1', '"version": 2') }
  try {
    mergeResults([a!, v2])
    t.fail('merged')
  } catch (err) {
    t.type(err, ResultsFileError, 'a ResultsFileError: the CLI exits 64')
    t.equal((err as Error).message, [
      'cannot merge results of different schema versions:',
      '  linux/results.json: limafs-results version 1',
      '  new/results.json: limafs-results version 2',
      'this limafs reads results version 1: rebuild the others from their TAP with the same limafs (`limafs report OUT`), then merge them',
    ].join('\n'))
  }
})

t.test('a merged file merges again (its environments kept), and reads back as it was written', async (t) => {
  const merged = mergeResults(twoJobs())
  const text = mergedResultsJson(merged)
  t.same(parseMergedResults(text, 'm.json'), merged)
  t.same(parseAnyResults(text, 'm.json'), merged, 'told apart from one run by its schema field')
  const bench = { source: 'bench/results.json', text: fixture('bench/results.json') }
  const again = mergeResults([{ source: 'm.json', text }, bench])
  t.same(again.environments.map((e) => e.source), ['linux/results.json', 'mac/results.json', 'bench/results.json'])
  t.equal(again.environments[2]!.label, 'Darwin 24.5.0 arm64 · Lima 2.2.0 · QEMU 10.0.2 · guest 6.14.0-24-generic', 'clashing with a kept label: refined')
})

t.test('one environment back out as a run\'s results (what recommend --env reads)', async (t) => {
  const merged = mergeResults(twoJobs())
  const mac = environmentResults(merged, 'Darwin 24.5.0 arm64 · Lima 2.2.0 · QEMU 10.0.2')
  t.same(parseResults(resultsJson(mac), 'x'), mac, 'a valid results.json')
  t.equal(mac.environment.hostOs, 'Darwin 24.5.0 arm64')
  t.throws(() => environmentResults(merged, 'nope'), { message: 'no environment "nope" in this merge' })
})

t.test('a merged results.json is not taken for a run: `gate` says what it is', async (t) => {
  t.throws(() => parseResults(mergedResultsJson(mergeResults(twoJobs())), 'm.json'), {
    message: /m\.json is not a limafs results\.json \(schema field is "limafs-merged-results"; .*: it is the merge of several runs \(limafs report merge\); pass one of its source runs' results\.json/,
  })
})

t.test('summary.md of a merge: environments side by side, the checks that differ (golden)', async (t) => {
  const markdown = mergedSummaryMarkdown(mergeResults(twoJobs()))
  const lines = markdown.split('\n')
  t.match(lines[0], /^# limafs: 39 silent \(16 known\) · 14 loud \(0 known\) · .* · 2 environments side by side$/, 'the verdict first, known deviations counted in')
  t.ok(lines.includes('| config | linux 6.18.44-fc-v657 · QEMU 7.2.22 | Darwin 24.5.0 arm64 · Lima 2.2.0 · QEMU 10.0.2 |'), 'a column per environment')
  t.match(markdown, '## Checks that differ between environments (1)')
  t.match(markdown, '| 9p-none-loose | `coherence/host-delete/visible` | **fail (silent)** | ok |')
  matchGolden(t, markdown, 'summary-merged.md')
})
