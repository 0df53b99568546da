import t from 'tap'
import { buildResults } from '../../reports/build-results.ts'
import { resultsExitCode } from '../../reports/results-exit-code.ts'
import { resultsJson } from '../../reports/results-json.ts'
import { ResultsFileError } from '../../reports/results-file-error.ts'
import type { RunRecord } from '../../reports/types.ts'
import { fixtureResults, fixtureRun, fixtureTap, matchGolden } from '../helpers/reports-fixtures.ts'

t.test('the fixture run gives the golden results.json', async (t) => {
  matchGolden(t, resultsJson(fixtureResults()), 'results.json')
})

t.test('a completed config has the checks of its TAP and their counts', async (t) => {
  const config = fixtureResults().configs.find((c) => c.name === '9p-mapped-xattr-mmap')!
  t.equal(config.status, 'completed')
  t.equal(config.checks.length, 9, 'both passes: 8 points before the restart, 1 after')
  t.same(config.counts, { ok: 5, fail: 3, todo: 1, skip: 0, crashed: 0, silent: 3, loud: 0 })
  t.notOk(config.checks.some((c) => c.status === 'crashed'), 'declared checks that did not run are not crashed in a completed config')
})

t.test('a crashed config: what its TAP says, then every declared check without a point as crashed', async (t) => {
  const config = fixtureResults().configs.find((c) => c.name === '9p-passthrough-loose')!
  t.equal(config.status, 'crashed')
  t.match(config.error, /ssh to the guest dropped/)
  t.same(config.checks.map((c) => `${c.id}=${c.status}`), [
    'chown/call/file=ok',
    'chown/non-root/file=ok',
    'chown/after-remount/file=skip',
    'symlink/host-made/readlink=fail',
    'chown/after-restart/file=crashed',
    'symlink/guest-made/lstat=crashed',
    'xattr/user/roundtrip=crashed',
    'coherence/host-edit-in-place/at-once=crashed',
    'coherence/host-edit-in-place/after-drop-caches=crashed',
  ])
  t.same(config.counts, { ok: 2, fail: 1, todo: 0, skip: 1, crashed: 5, silent: 0, loud: 1 })
})

t.test('an infra-failed config has no checks; its error says why', async (t) => {
  const config = fixtureResults().configs.find((c) => c.name === 'virtiofs')!
  t.equal(config.status, 'infra-failed')
  t.same(config.checks, [])
  t.match(config.error, /unknown filesystem type/)
})

t.test('a crashed config that died before writing any TAP: every declared check crashed', async (t) => {
  const run: RunRecord = { ...fixtureRun(), declaredChecks: ['a/x', 'b/y'] }
  run.configs = [{ name: 'c', config: {}, status: 'crashed', error: 'boom', tapFiles: ['tap/c.tap'] }]
  const results = buildResults(run, () => undefined)
  t.same(results.configs[0]!.checks, [
    { id: 'a/x', suite: 'a', status: 'crashed' },
    { id: 'b/y', suite: 'b', status: 'crashed' },
  ])
})

t.test('a completed config whose TAP file is missing is an error naming the file', async (t) => {
  const run: RunRecord = { ...fixtureRun() }
  run.configs = [{ name: 'c', config: {}, status: 'completed', tapFiles: ['tap/c.tap'] }]
  t.throws(() => buildResults(run, fixtureTap), { name: 'ResultsFileError', message: /tap\/c\.tap is missing.*config c/ })
  t.throws(() => buildResults(run, fixtureTap), ResultsFileError)
})

t.test('a config with two TAP files merges them, a check in both keeping the worse result', async (t) => {
  const run: RunRecord = { ...fixtureRun(), declaredChecks: [] }
  run.configs = [{ name: 'c', config: {}, status: 'completed', tapFiles: ['one.tap', 'two.tap'] }]
  const tap: Record<string, string> = {
    'one.tap': 'TAP version 14\nok 1 - s/a\nok 2 - s/b\n1..2\n',
    'two.tap': 'TAP version 14\nnot ok 1 - s/a\n  ---\n  errno: EIO\n  ...\nok 2 - s/c\n1..2\n',
  }
  const [config] = buildResults(run, (f) => tap[f]).configs
  t.same(config!.checks.map((c) => `${c.id}=${c.status}`), ['s/a=fail', 's/b=ok', 's/c=ok'])
})

t.test('the run record\'s times, matrix, environment and phases pass through', async (t) => {
  const results = fixtureResults()
  const run = fixtureRun()
  t.same(
    { startedAt: results.startedAt, finishedAt: results.finishedAt, complete: results.complete, matrix: results.matrix, environment: results.environment, phases: results.phases },
    { startedAt: run.startedAt, finishedAt: run.finishedAt, complete: run.complete, matrix: run.matrix, environment: run.environment, phases: run.phases },
  )
  t.equal(results.schema, 'limafs-results')
  t.equal(results.version, 1)
})

t.test('resultsExitCode: 2 when the run or a config did not complete, else 1 on a failed check, else 0', async (t) => {
  const results = fixtureResults()
  t.equal(resultsExitCode(results), 2, 'the fixture has a crashed and an infra-failed config')
  const completed = { ...results, configs: results.configs.filter((c) => c.status === 'completed') }
  t.equal(resultsExitCode(completed), 1)
  const onlyTodoAndSkip = { ...completed, configs: completed.configs.map((c) => ({ ...c, counts: { ...c.counts, fail: 0, loud: 0, silent: 0 } })) }
  t.equal(resultsExitCode(onlyTodoAndSkip), 0, 'TODO and SKIP do not fail a run')
  t.equal(resultsExitCode({ ...onlyTodoAndSkip, complete: false }), 2)
})
