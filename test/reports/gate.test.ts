import t from 'tap'
import { countChecks } from '../../reports/counts.ts'
import { checkChangeKind, configChangeKind, gate, gateExitCode, stateLabel, type CheckState } from '../../reports/gate.ts'
import { gateText } from '../../reports/gate-text.ts'
import type { CheckResult, ConfigStatus, Results } from '../../reports/types.ts'
import { matchGolden } from '../helpers/reports-fixtures.ts'

/** A check state from its short label: ok, fail/loud, fail/silent, todo, todo/loud, todo/passes, skip, crashed. */
function state(label: string): CheckState {
  const [status, detail] = label.split('/') as [CheckState['status'], string | undefined]
  if (detail === 'passes') return { status, todoPassed: true }
  return detail ? { status, class: detail as 'loud' | 'silent' } : { status }
}

interface ConfigSpec {
  status?: ConfigStatus
  error?: string
  checks?: Record<string, string>
}

/** Results with the given configs (checks by id -> short label); suites come from the check ids. */
function results(configs: Record<string, ConfigSpec>, extra: Partial<Results> = {}): Results {
  const built = Object.entries(configs).map(([name, spec]) => {
    const checks: CheckResult[] = Object.entries(spec.checks ?? {}).map(([id, label]) => ({ id, suite: id.split('/')[0]!, ...state(label) }))
    return { name, config: {}, status: spec.status ?? 'completed', ...(spec.error ? { error: spec.error } : {}), counts: countChecks(checks), checks, tapFiles: [] }
  })
  return {
    schema: 'limafs-results',
    version: 1,
    startedAt: '2025-06-01T10:00:00.000Z',
    finishedAt: '2025-06-01T10:05:00.000Z',
    complete: true,
    matrix: { suites: ['chown', 'symlink'], configs: Object.keys(configs) },
    environment: {},
    configs: built,
    phases: [],
    ...extra,
  }
}

t.test('each check transition is classified', async (t) => {
  const table: Array<[string | null, string | null, string | undefined]> = [
    ['ok', 'ok', undefined],
    ['ok', 'fail/loud', 'regression'],
    ['ok', 'fail/silent', 'regression'],
    ['ok', 'crashed', 'regression'],
    ['fail/loud', 'fail/silent', 'regression'],
    ['fail/loud', 'ok', 'improvement'],
    ['fail/silent', 'ok', 'improvement'],
    ['fail/silent', 'fail/loud', 'improvement'],
    ['crashed', 'ok', 'improvement'],
    ['crashed', 'fail/silent', 'improvement'],
    ['fail/loud', 'fail/loud', undefined],
    ['ok', 'todo/loud', 'changed'],
    ['ok', 'skip', 'changed'],
    ['todo/loud', 'todo/passes', 'changed'],
    ['todo/loud', 'todo/silent', 'changed'],
    ['todo/loud', 'fail/loud', 'changed'],
    ['skip', 'fail/silent', 'changed'],
    ['skip', 'ok', 'changed'],
    ['fail/loud', 'crashed', 'changed'],
    ['crashed', 'skip', 'changed'],
    [null, 'fail/silent', 'changed'],
    ['ok', null, 'changed'],
    [null, 'crashed', undefined],
    ['crashed', null, undefined],
  ]
  for (const [from, to, kind] of table) {
    t.equal(checkChangeKind(from === null ? null : state(from), to === null ? null : state(to)), kind, `${from ?? 'absent'} -> ${to ?? 'absent'}: ${kind ?? 'no change'}`)
  }
})

t.test('each config status transition is classified', async (t) => {
  const table: Array<[ConfigStatus, ConfigStatus, string]> = [
    ['completed', 'crashed', 'regression'],
    ['completed', 'infra-failed', 'regression'],
    ['crashed', 'completed', 'improvement'],
    ['infra-failed', 'completed', 'improvement'],
    ['crashed', 'infra-failed', 'changed'],
    ['infra-failed', 'crashed', 'changed'],
  ]
  for (const [from, to, kind] of table) t.equal(configChangeKind(from, to), kind, `${from} -> ${to}: ${kind}`)
})

t.test('state labels name the class of a failure and how a TODO went', async (t) => {
  t.same(['ok', 'fail/loud', 'fail/silent', 'todo', 'todo/loud', 'todo/passes', 'skip', 'crashed'].map((l) => stateLabel(state(l))), [
    'ok', 'fail (loud)', 'fail (silent)', 'todo', 'todo (fails loud)', 'todo (passes)', 'skip', 'crashed',
  ])
  t.equal(stateLabel(null), 'absent')
})

t.test('exit codes: 0 without regressions (improvements listed), 1 with one, 2 when not comparable', async (t) => {
  const base = results({ a: { checks: { 'chown/x': 'ok', 'chown/y': 'fail/loud' } } })
  const same = gate(base, base)
  t.equal(gateExitCode(same), 0)
  t.same(same.configs, [], 'nothing changed, nothing listed')

  const better = gate(base, results({ a: { checks: { 'chown/x': 'ok', 'chown/y': 'ok' } } }))
  t.equal(gateExitCode(better), 0)
  t.same(better.totals, { regression: 0, improvement: 1, changed: 0 })

  const worse = gate(base, results({ a: { checks: { 'chown/x': 'fail/silent', 'chown/y': 'ok' } } }))
  t.equal(gateExitCode(worse), 1)
  t.same(worse.configs[0]!.checks.map((c) => [c.kind, c.id]), [['regression', 'chown/x'], ['improvement', 'chown/y']])

  const incompleteBaseline = gate({ ...base, complete: false }, base)
  t.equal(gateExitCode(incompleteBaseline), 2)
  t.same(incompleteBaseline.incomparable, ['the baseline run did not complete'])
  const incompleteCurrent = gate(base, { ...results({ a: { checks: { 'chown/x': 'fail/loud' } } }), complete: false })
  t.equal(gateExitCode(incompleteCurrent), 2, 'not comparable wins over a regression')
  t.same(incompleteCurrent.incomparable, ['the current run did not complete'])
})

t.test('different matrices are not comparable, and the report says which configs and suites are on one side', async (t) => {
  const base = results({ a: {}, b: {} })
  const current = results({ a: {}, c: {} }, { matrix: { suites: ['chown', 'xattr'], configs: ['a', 'c'] } })
  const report = gate(base, current)
  t.equal(gateExitCode(report), 2)
  t.same(report.matrix, { configsOnlyInBaseline: ['b'], configsOnlyInCurrent: ['c'], suitesOnlyInBaseline: ['symlink'], suitesOnlyInCurrent: ['xattr'] })
  t.same(report.incomparable, [
    'configs only in the baseline: b',
    'configs only in the current run: c',
    'suites only in the baseline: symlink',
    'suites only in the current run: xattr',
  ])
  t.equal(gateExitCode(gate(base, results({ b: {}, a: {} }))), 0, 'the order of configs does not matter')
  const lost = { ...base, configs: base.configs.slice(0, 1) }
  t.same(gate(base, lost).incomparable, ['the current run has no results for b'], 'a config of the matrix without results is not skipped quietly')
})

t.test('a config that completed and now crashed or failed its infrastructure is a regression', async (t) => {
  const base = results({ a: { checks: { 'chown/x': 'ok', 'chown/y': 'fail/loud' } }, b: { checks: { 'chown/x': 'ok' } } })
  const report = gate(base, results({
    a: { status: 'crashed', error: 'ssh dropped', checks: { 'chown/x': 'ok', 'chown/y': 'crashed' } },
    b: { status: 'infra-failed', error: 'mount failed' },
  }))
  t.equal(gateExitCode(report), 1)
  t.same(report.configs.map((c) => [c.name, c.status]), [
    ['a', { kind: 'regression', from: 'completed', to: 'crashed', error: 'ssh dropped' }],
    ['b', { kind: 'regression', from: 'completed', to: 'infra-failed', error: 'mount failed' }],
  ])
  t.same(report.configs[0]!.checks.map((c) => [c.kind, c.id]), [['changed', 'chown/y']], 'fail -> crashed is a change; the config regression already counts')
  t.same(report.configs[1]!.checks, [], 'an infra-failed side has no checks to compare')
})

t.test('a config that now completes is an improvement, whatever its checks', async (t) => {
  const report = gate(
    results({ a: { status: 'infra-failed' }, b: { status: 'crashed', checks: { 'chown/x': 'ok', 'chown/y': 'crashed' } } }),
    results({ a: { checks: { 'chown/x': 'fail/silent' } }, b: { checks: { 'chown/x': 'ok', 'chown/y': 'fail/silent' } } }),
  )
  t.equal(gateExitCode(report), 0)
  t.same(report.configs.map((c) => [c.name, c.status?.kind, c.checks.map((k) => `${k.id}:${k.kind}`)]), [
    ['a', 'improvement', []],
    ['b', 'improvement', ['chown/y:improvement']],
  ])
})

t.test('checks only on one side are other changes, except absent <-> crashed', async (t) => {
  const report = gate(
    results({ a: { status: 'crashed', checks: { 'chown/old': 'ok', 'chown/gone': 'crashed' } } }),
    results({ a: { status: 'crashed', checks: { 'chown/new': 'fail/silent' } } }),
  )
  t.equal(gateExitCode(report), 0)
  t.same(report.configs[0]!.checks.map((c) => `${c.id}: ${stateLabel(c.from)} -> ${stateLabel(c.to)} (${c.kind})`), [
    'chown/new: absent -> fail (silent) (changed)',
    'chown/old: ok -> absent (changed)',
  ])
})

t.test('the text lists per config regressions, then improvements, then other changes, then a verdict', async (t) => {
  const crashedChecks = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`symlink/c${i}`, 'ok']))
  const base = results({
    '9p-none-mmap': { checks: { 'chown/call/file': 'fail/loud', 'chown/after-remount/file': 'fail/loud', 'symlink/host-made/readlink': 'todo/loud', 'chown/non-root/file': 'ok' } },
    '9p-mapped-xattr-mmap': { checks: { 'chown/call/file': 'ok', ...crashedChecks } },
    virtiofs: { status: 'infra-failed', error: 'no virtiofs' },
  })
  const current = results({
    '9p-none-mmap': { checks: { 'chown/call/file': 'ok', 'chown/after-remount/file': 'fail/silent', 'symlink/host-made/readlink': 'todo/passes', 'chown/non-root/file': 'fail/loud' } },
    '9p-mapped-xattr-mmap': { status: 'crashed', error: 'guest kernel panic', checks: { 'chown/call/file': 'ok', ...Object.fromEntries(Object.keys(crashedChecks).map((id) => [id, 'crashed'])) } },
    virtiofs: { checks: { 'chown/call/file': 'ok' } },
  })
  const report = gate(base, current)
  t.equal(gateExitCode(report), 1)
  const text = gateText(report, { baseline: 'old/results.json', current: 'new/results.json' })
  matchGolden(t, text, 'gate-regressed.txt')
  const block = text.split('\n\n').find((b) => b.startsWith('9p-none-mmap'))!
  t.ok(block.indexOf('regressions:') < block.indexOf('improvements:') && block.indexOf('improvements:') < block.indexOf('other changes:'), 'regressions, improvements, other changes, in that order')
  t.match(text, /chown\/after-remount\/file\s+fail \(loud\) -> fail \(silent\)/)
  t.match(text, /\.\.\. and 3 more ok -> crashed/, 'a crashed config\'s checks are counted past five')
  t.match(text.trimEnd().split('\n').at(-1), /^verdict: REGRESSED \(exit 1\): 11 regressions in 2 configs, 2 improvements, 1 other change$/)
})

t.test('the text of runs that cannot be compared says why', async (t) => {
  const report = gate(results({ a: { checks: { 'chown/x': 'ok' } } }, { complete: false }), results({ a: { checks: { 'chown/x': 'fail/loud' } }, b: {} }))
  const text = gateText(report, { baseline: 'old', current: 'new' })
  matchGolden(t, text, 'gate-not-comparable.txt')
  t.match(text, /not comparable:\n {2}- the baseline run did not complete\n {2}- configs only in the current run: b/)
  t.match(text, /verdict: NOT COMPARABLE \(exit 2\)/)
})

t.test('the text of an unchanged run is one verdict', async (t) => {
  const base = results({ a: { checks: { 'chown/x': 'ok' } } })
  t.equal(gateText(gate(base, base), { baseline: 'old', current: 'new' }).trimEnd().split('\n').at(-1), 'verdict: OK (exit 0): 0 regressions, 0 improvements, 0 other changes')
})
