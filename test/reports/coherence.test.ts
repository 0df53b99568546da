import t from 'tap'
import { coherenceCell, coherenceEventLabel, coherenceTable, dropCachesIdOf } from '../../reports/coherence.ts'
import { summaryMarkdown } from '../../reports/summary-markdown.ts'
import type { CheckResult } from '../../reports/types.ts'
import { matchGolden, resultsFixture } from '../helpers/reports-fixtures.ts'

const VISIBLE = 'coherence/host-edit-in-place/visible'
const DROPPED = 'coherence/host-edit-in-place/after-drop-caches'
const ok = (id: string, diagnostics: CheckResult['diagnostics'] = {}): CheckResult => ({ id, suite: 'coherence', status: 'ok', diagnostics })
const stale = (id: string, found = 'stale after 2000 ms: v1'): CheckResult => ({
  id, suite: 'coherence', status: 'fail', class: 'silent', diagnostics: { op: 'read', found, stage: 'at-once', class: 'silent' },
})

t.test('each cell says how soon the change showed, or how it stayed stale (table)', async (t) => {
  const cases: Array<[string, CheckResult, CheckResult | undefined, string, string]> = [
    ['ok and seen at the first look', ok(VISIBLE, { latencyMs: 203, note: 'seen at the first look' }), undefined, 'at-once', 'at once'],
    ['ok later: the latency', ok('coherence/guest-write-close/host-sees', { latencyMs: 3220 }), undefined, 'later', '3220 ms'],
    ['ok without a latency', ok(VISIBLE), undefined, 'ok', 'ok'],
    ['stale, then seen after drop_caches', stale(VISIBLE), ok(DROPPED, { latencyMs: 2870 }), 'stale-until-drop-caches', 'stale until drop_caches'],
    ['stale, still after drop_caches', stale(VISIBLE), stale(DROPPED, 'still stale after drop_caches: v1'), 'stale-after-drop-caches', 'stale even after drop_caches'],
    ['stale, drop_caches skipped (not root): just stale', stale(VISIBLE), { id: DROPPED, suite: 'coherence', status: 'skip', reason: 'needs root' }, 'stale', 'stale'],
    ['stale with no drop_caches look (inotify)', stale('coherence/inotify/host-change', 'stale after 2000 ms: no events'), undefined, 'stale', 'stale'],
    ['a loud failure: its errno', { id: 'coherence/guest-mmap-write/host-sees', suite: 'coherence', status: 'fail', class: 'loud', diagnostics: { found: 'EINVAL', errno: 'EINVAL' } }, undefined, 'error', 'error EINVAL'],
    ['a silent failure that is not staleness', { id: VISIBLE, suite: 'coherence', status: 'fail', class: 'silent', diagnostics: { found: 'garbage' } }, undefined, 'wrong', 'wrong'],
    ['a failing TODO is marked', { ...stale(VISIBLE), status: 'todo', reason: 'cache=loose' }, ok(DROPPED), 'stale-until-drop-caches', 'stale until drop_caches (TODO)'],
    ['a passing TODO says so', { ...ok(VISIBLE, { latencyMs: 5, note: 'seen at the first look' }), status: 'todo', todoPassed: true }, undefined, 'at-once', 'at once (TODO passes)'],
    ['skip', { id: VISIBLE, suite: 'coherence', status: 'skip', reason: 'no host bridge' }, undefined, 'skip', 'skip'],
    ['crashed', { id: VISIBLE, suite: 'coherence', status: 'crashed' }, undefined, 'crashed', 'crashed'],
  ]
  for (const [name, check, dropCaches, state, text] of cases) {
    const cell = coherenceCell(check, dropCaches)
    t.same([cell.state, cell.text], [state, text], name)
  }
})

t.test('only a /visible point is qualified by drop_caches (an open descriptor is not looked at again)', async (t) => {
  t.equal(dropCachesIdOf(VISIBLE), DROPPED)
  t.equal(dropCachesIdOf('coherence/host-edit-in-place/open-fd'), undefined)
  t.equal(dropCachesIdOf('coherence/host-edit/guest-mmap-sees'), undefined)
  t.equal(coherenceEventLabel(VISIBLE), 'host-edit-in-place')
  t.equal(coherenceEventLabel('coherence/inotify/host-change'), 'inotify/host-change')
})

t.test('the table over a real run: a column per event (no after-drop-caches columns), cells read from the points', async (t) => {
  const table = coherenceTable(resultsFixture('coherence/results.json').configs)!
  t.notOk(table.events.some((e) => e.endsWith('/after-drop-caches')))
  t.equal(table.events.length, 21)
  t.equal(table.windowMs, 2000)
  const row = (config: string) => Object.fromEntries(table.rows.find((r) => r.config === config)!.cells.map((c, i) => [coherenceEventLabel(table.events[i]!), c?.text]))
  t.match(row('9p-none-loose'), {
    'host-edit-in-place': 'stale until drop_caches (TODO)',
    'host-append': 'stale even after drop_caches (TODO)',
    'host-delete': 'stale until drop_caches',
    'host-create': 'at once',
    'guest-write-close/host-sees': '3220 ms (TODO passes)',
  })
  t.match(row('9p-none-none'), { 'host-edit-in-place': 'at once', 'guest-mmap-write/host-sees': 'error EINVAL', 'inotify/host-change': 'stale' })
  t.match(row('9p-passthrough-mmap'), { 'host-edit-in-place': 'error EPERM', 'host-append': undefined })
})

t.test('a run without coherence points has no coherence table or section', async (t) => {
  const bench = resultsFixture('bench/results.json')
  t.equal(coherenceTable(bench.configs), undefined)
  t.notMatch(summaryMarkdown(bench), /Cache coherence/)
})

t.test('summary.md of the coherence run: the golden', async (t) => {
  matchGolden(t, summaryMarkdown(resultsFixture('coherence/results.json')), 'summary-coherence.md')
})
