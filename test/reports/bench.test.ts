// The bench suite is written elsewhere; these read the shape it promises (agent/diagnostics.ts
// BenchFigures on diagnostics.bench of points in suite `bench`) from a small hand-made fixture.
import t from 'tap'
import { benchTable, geometricMean, ratioOf, ratioText } from '../../reports/bench.ts'
import { parseResults } from '../../reports/results-schema.ts'
import { summaryMarkdown } from '../../reports/summary-markdown.ts'
import { checksFromTap } from '../../reports/tap-checks.ts'
import { fixture, fixtureResults, matchGolden, resultsFixture } from '../helpers/reports-fixtures.ts'

t.test('ratios print with two significant digits and an x', async (t) => {
  t.same([0.0283, 0.12, 1, 1.04, 12.3, 0].map(ratioText), ['0.028x', '0.12x', '1.0x', '1.0x', '12x', '0x'])
})

t.test('the geometric mean of ratios; nothing usable gives undefined', async (t) => {
  t.equal(geometricMean([0.5, 2]), 1)
  t.equal(geometricMean([]), undefined)
  t.equal(geometricMean([0, Number.NaN]), undefined)
})

t.test('the bench table: workloads in the order met, a config without a workload gets a hole', async (t) => {
  const table = benchTable(resultsFixture('bench/results.json').configs)!
  t.same(table.workloads, ['create', 'stat', 'write-read'])
  t.same(table.rows.map((r) => [r.config, ...r.figures.map((f) => f?.ratio)]), [
    ['9p-mapped-xattr-mmap', 0.0279, 0.0239, 0.1211],
    ['9p-mapped-xattr-loose', 0.0404, 0.2146, 0.4789],
    ['virtiofs', 0.1212, 0.1488, undefined],
  ])
  t.equal(benchTable(fixtureResults().configs), undefined, 'no bench figures, no table')
})

t.test('summary.md gets a bench section with the ratios (golden)', async (t) => {
  const markdown = summaryMarkdown(resultsFixture('bench/results.json'))
  t.match(markdown, '| 9p-mapped-xattr-loose | 0.040x | 0.21x | 0.48x |')
  t.match(markdown, '| virtiofs | 0.12x | 0.15x | – |')
  matchGolden(t, markdown, 'summary-bench.md')
})

t.test('bench figures in a point\'s TAP diagnostics are read and validated like any known field', async (t) => {
  const tap = [
    'TAP version 14',
    'ok 1 - bench/create/share',
    '  ---',
    '  op: create',
    '  bench:',
    '    workload: create',
    '    ops: 1000',
    '    opsPerSec: 1450',
    '    p50Ms: 0.69',
    '    p99Ms: 1.1',
    '    repeats: { min: 1300, median: 1450, max: 1500, n: 5 }',
    '    ratio: 0.0279',
    '    baselineOpsPerSec: 52000',
    '  ...',
    'ok 2 - bench/stat/share',
    '  ---',
    '  bench: { workload: stat, ratio: fast }',
    '  ...',
    '1..2',
    '',
  ].join('\n')
  const [good, bad] = checksFromTap(tap, { crashed: false })
  t.equal(good!.diagnostics?.bench?.ratio, 0.0279)
  t.equal(bad!.diagnostics?.bench, undefined, 'a malformed bench block is not taken for figures')
  t.match(bad!.diagnostics?.malformed, { bench: { workload: 'stat', ratio: 'fast' } }, 'it is kept under malformed')
})

t.test('figures without a tmpfs baseline (no ratio) are read, shown as ops/s, and never taken for a ratio', async (t) => {
  const results = resultsFixture('bench/results.json')
  const figures = results.configs[2]!.checks[0]!.diagnostics!.bench!
  delete (figures as Partial<typeof figures>).ratio
  delete (figures as Partial<typeof figures>).baselineOpsPerSec
  const reread = parseResults(JSON.stringify(results), 'b.json')
  t.equal(reread.configs[2]!.checks[0]!.diagnostics?.bench?.opsPerSec, 6300, 'valid without them')
  t.match(summaryMarkdown(reread), '| virtiofs | 6300 ops/s | 0.15x | – |')
  t.equal(ratioOf(figures), undefined)
})

t.test('results.json with malformed bench figures is refused with the field named', async (t) => {
  const doc = JSON.parse(fixture('bench/results.json'))
  doc.configs[0].checks[0].diagnostics.bench.ratio = 'fast'
  t.throws(() => parseResults(JSON.stringify(doc), 'b.json'), { message: /configs\[0\]\.checks\[0\]\.diagnostics\.bench\.ratio: expected number/ })
})
