// The answer table: each config x need cell from the checks behind the need (reports/needs.ts),
// judged by what they did: keeps / fails loud / fails silently / not measured. A check that
// did not run never counts as keeping; a known deviation counts by its verdict.
import t from 'tap'
import { answerOf } from '../../reports/answer.ts'
import { countChecks } from '../../reports/counts.ts'
import type { CheckResult, ConfigResult, ConfigStatus } from '../../reports/types.ts'

function check(id: string, status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult {
  return { id, suite: id.slice(0, id.indexOf('/')), status, ...extra }
}

function config(name: string, checks: CheckResult[], status: ConfigStatus = 'completed'): ConfigResult {
  return { name, config: { mountType: '9p', ninep: { securityModel: 'mapped-xattr', cache: 'mmap' } }, status, counts: countChecks(checks), checks, tapFiles: [] }
}

const cells = (configs: ConfigResult[]) => {
  const answer = answerOf({ configs, environment: {} })!
  return Object.fromEntries(answer.rows.map((r) => [r.config, Object.fromEntries(r.cells.map((c) => [c.verdict.need, c.verdict.state]))]))
}

t.test('each cell: any silent failure, else any loud one, else keeps when something ran, else not measured', async (t) => {
  t.same(cells([
    config('a', [check('chown/call/file', 'ok'), check('times/chmod/ctime', 'fail', { class: 'silent' }), check('locks/fcntl/guest', 'fail', { class: 'loud' }), check('locks/flock/guest', 'ok')]),
    config('b', [check('chown/call/file', 'todo', { class: 'silent', reason: 'known' }), check('times/chmod/ctime', 'todo', { todoPassed: true, reason: 'known' }), check('locks/fcntl/guest', 'skip', { reason: 'no python3' })]),
  ]), {
    a: { ownership: 'keeps', times: 'fails-silently', locks: 'fails-loud' },
    b: { ownership: 'fails-silently', times: 'keeps', locks: 'not-measured' },
  }, 'a known deviation counts by what it did; a skipped check is not measured')
})

t.test('columns: the needs this run measures, in the table\'s order; the rest are named as not measured', async (t) => {
  const answer = answerOf({ configs: [config('a', [check('names/nfc-nfd/both', 'ok'), check('xattr/set-get/1b', 'ok'), check('frobs/new-suite/x', 'ok')])], environment: {} })!
  t.same(answer.needs, ['xattrs', 'names'])
  t.ok(answer.unmeasured.includes('ownership') && answer.unmeasured.includes('times'))
  t.notOk(answer.needs.some((n) => (n as string) === 'frobs'), 'a suite no need names stays out of the answer (it is in the matrix and heat map)')
})

t.test('a crash before all of a need\'s checks ran leaves it not measured, whatever passed before', async (t) => {
  const answer = answerOf({ configs: [config('c', [check('chown/call/file', 'ok'), check('chown/after-restart/file', 'crashed')], 'crashed')], environment: {} })!
  t.equal(answer.rows[0]!.cells[0]!.verdict.state, 'not-measured')
  t.match(answer.rows[0]!.cells[0]!.verdict.notMeasured, /crashed before 1 of its checks ran/)
})

t.test('a profile quotes the checks it rests on; nothing meets it: the best compromise and what it gives up', async (t) => {
  const answer = answerOf({ configs: [config('a', [check('coherence/host-edit-in-place/visible', 'ok'), check('symlink/call/guest-made', 'fail', { class: 'loud' }), check('times/chmod/ctime', 'ok'), check('dirs/many/count', 'ok')])], environment: {} })!
  const build = answer.profiles.find((p) => p.profile.name === 'host-edit-guest-build')!.recommendation
  t.equal(build.chosen, undefined)
  t.equal(build.compromise?.verdict.config, 'a')
  t.same(build.compromise?.givesUp.map((n) => [n.need, n.state, n.failed.map((e) => e.id)]), [['symlinks', 'fails-loud', ['symlink/call/guest-made']]])
})
