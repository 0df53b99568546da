// The bench suite's arithmetic as pure functions: percentiles (p50, p99), the median over
// repeats, the spread, the ratio to the tmpfs baseline, and the interleaved round order.
import t from 'tap'
import { benchFigures, median, opsPerSec, percentile, phaseMedians, ratio, round, roundOrder, spread, type Repeat } from '../../suites/bench/figures.ts'

t.test('percentiles interpolate between the closest ranks, as numpy does by default', async (t) => {
  const cases: Array<[number[], number, number]> = [
    [[1, 2, 3, 4], 50, 2.5],
    [[5, 1, 3], 50, 3],
    [[7], 99, 7],
    [[1, 2, 3, 4], 0, 1],
    [[1, 2, 3, 4], 100, 4],
    [Array.from({ length: 100 }, (_, i) => i + 1), 99, 99.01],
    [[10, 20], 99, 19.9],
  ]
  for (const [values, p, wanted] of cases) t.equal(round(percentile(values, p), 10), wanted, `p${p} of [${values.length > 8 ? '1..100' : values.join(', ')}] is ${wanted}`)
  t.throws(() => percentile([], 50), /no values/, 'no values is an error, not NaN')
  t.throws(() => percentile([1], 101), /0\.\.100/, 'a percentile beyond 100 is an error')
})

t.test('the median does not reorder what it is given', async (t) => {
  const values = [9, 1, 5, 3]
  t.equal(median(values), 4)
  t.strictSame(values, [9, 1, 5, 3])
})

t.test('spread is min, median and max of the repeats, and how many', async (t) => {
  t.strictSame(spread([300, 100, 200]), { min: 100, median: 200, max: 300, n: 3 })
  t.strictSame(spread([4, 1, 3, 2]), { min: 1, median: 2.5, max: 4, n: 4 })
})

t.test('ops/s of a repeat is its ops over its whole duration; the ratio is share over baseline', async (t) => {
  t.equal(opsPerSec({ ops: 20, totalMs: 100, latenciesMs: [] }), 200)
  t.equal(opsPerSec({ ops: 1, totalMs: 0, latenciesMs: [] }), Number.POSITIVE_INFINITY, 'a repeat too fast to time is infinitely fast, not a division error')
  t.equal(ratio(50, 1000), 0.05, 'twenty times slower than tmpfs')
  t.equal(ratio(1000, 1000), 1)
})

const repeat = (ops: number, totalMs: number, latenciesMs: number[]): Repeat => ({ ops, totalMs, latenciesMs })

t.test('a workload\'s figures: median ops/s over repeats, p50/p99 over every call, ratio to the baseline\'s median', async (t) => {
  // 10 ops in 100, 50 and 200 ms: 100, 200 and 50 ops/s -> median 100.
  const share = [repeat(10, 100, [1, 2, 3]), repeat(10, 50, [4, 5, 6]), repeat(10, 200, [7, 8, 100])]
  // 10 ops in 10, 5 and 2 ms: 1000, 2000 and 5000 ops/s -> median 2000.
  const baseline = [repeat(10, 10, [0.1]), repeat(10, 5, [0.1]), repeat(10, 2, [0.1])]
  const f = benchFigures('chown', share, baseline)
  t.strictSame(f, {
    workload: 'chown', ops: 10, opsPerSec: 100, p50Ms: 5, p99Ms: round(percentile([1, 2, 3, 4, 5, 6, 7, 8, 100], 99)),
    repeats: { min: 50, median: 100, max: 200, n: 3 }, ratio: 0.05, baselineOpsPerSec: 2000,
  })
  t.ok(f.p99Ms > 90 && f.p99Ms < 100, 'p99 sits near the slowest call')
})

t.test('without a baseline the figures carry no ratio and no baseline rate (not 0, not NaN)', async (t) => {
  const f = benchFigures('stat', [repeat(5, 10, [2]), repeat(5, 10, [2]), repeat(5, 10, [2])])
  t.equal(f.opsPerSec, 500)
  t.notOk('ratio' in f, 'no ratio key')
  t.notOk('baselineOpsPerSec' in f, 'no baselineOpsPerSec key')
  t.strictSame(benchFigures('stat', [repeat(5, 10, [2])], []), benchFigures('stat', [repeat(5, 10, [2])]), 'an empty baseline is no baseline')
  t.throws(() => benchFigures('stat', []), /no repeats/)
})

t.test('figures are rounded to 4 significant digits for the TAP, and zero stays zero', async (t) => {
  t.equal(round(123456.789), 123500)
  t.equal(round(0.000123456), 0.0001235)
  t.equal(round(0), 0)
  t.equal(round(Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY)
})

t.test('rounds interleave the targets, each starting one further, so drift spreads evenly', async (t) => {
  const targets = ['tmpfs', 'a', 'b', 'c']
  const rounds = [0, 1, 2, 3].map((r) => roundOrder(targets, r))
  t.strictSame(rounds[0], ['tmpfs', 'a', 'b', 'c'])
  t.strictSame(rounds[1], ['a', 'b', 'c', 'tmpfs'])
  t.strictSame(rounds[3], ['c', 'tmpfs', 'a', 'b'])
  for (const order of rounds) t.strictSame([...order].sort(), [...targets].sort(), 'every target once per round')
  for (const target of targets) {
    const places = rounds.map((order) => order.indexOf(target)).sort()
    t.strictSame(places, [0, 1, 2, 3], `${target} takes every place once over ${targets.length} rounds`)
  }
  t.strictSame(roundOrder(['only'], 5), ['only'])
})

t.test('an app-like workload\'s steps: each one\'s median over the repeats, in the order they ran; none without steps', async (t) => {
  const steps = (checkout: number, status: number) => ({ ops: 10, totalMs: checkout + status, latenciesMs: [1], phasesMs: { checkout, status } })
  t.strictSame(phaseMedians([steps(100, 30), steps(300, 10), steps(200, 20)]), { checkout: 200, status: 20 })
  t.equal(phaseMedians([repeat(10, 5, [1])]), undefined, 'a plain workload has no steps')
  t.strictSame(benchFigures('git-tree', [steps(100, 30), steps(300, 10), steps(200, 20)]).phasesMs, { checkout: 200, status: 20 }, 'in the figures')
  t.notOk('phasesMs' in benchFigures('create', [repeat(10, 5, [1])]), 'and not in a plain workload\'s')
})
