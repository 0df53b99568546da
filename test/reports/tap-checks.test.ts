import t from 'tap'
import { checksFromTap, suiteOf, worseOf } from '../../reports/tap-checks.ts'
import type { CheckResult } from '../../reports/types.ts'
import { fixture } from '../helpers/reports-fixtures.ts'

const doc = (points: string) => `TAP version 14
# Subtest: /mnt/limafs/x
    # Subtest: s
${points.replace(/^/gm, '        ').trimEnd()}
        1..9
    ok 1 - s
    1..1
ok 1 - /mnt/limafs/x
1..1
`

const statusOf = (checks: CheckResult[]) => checks.map((c) => [c.id, c.status, c.class ?? '-', c.reason ?? '-'])

t.test('every leaf point of the example TAP becomes a check with its status, class and reason', async (t) => {
  const checks = checksFromTap(fixture('run/tap/9p-none-mmap.tap'), { crashed: false })
  t.same(statusOf(checks), [
    ['chown/call/file', 'fail', 'loud', '-'],
    ['chown/non-root/file', 'ok', '-', '-'],
    ['chown/after-remount/file', 'skip', '-', 'remount needs root'],
    ['symlink/host-made/readlink', 'todo', 'loud', 'QEMU < 11 ELOOP'],
    ['coherence/host-edit-in-place/at-once', 'ok', '-', '-'],
    ['times/chmod/ctime', 'todo', 'silent', '9p: ctime does not move on chmod'],
    ['host-side/atomic-replace/mode', 'todo', 'silent', "security_model=none: the host's new file shows the guest's setuid bit"],
  ])
  t.same(checks.map((c) => c.suite), ['chown', 'chown', 'chown', 'symlink', 'coherence', 'times', 'host-side'], 'the suite is the id\'s first segment, not the TAP subtest')
  t.same(checks[0]!.diagnostics, { op: 'lchown', args: ['obj-file', 1234, 5678], wanted: '0', found: 'EPERM', errno: 'EPERM', stage: 'call', class: 'loud' })
  t.same(checks[4]!.diagnostics?.latencyMs, 12, 'an ok point keeps its measurements')
  t.equal(checks[6]!.diagnostics?.security, 'a file the host wrote shows the setuid bit the guest set on the file it replaced', 'a security finding keeps its why')
})

t.test('a failure without a class is loud when it has an errno, else silent', async (t) => {
  const checks = checksFromTap(doc(`not ok 1 - s/errno
  ---
  op: open
  args: [f]
  wanted: "0"
  found: EACCES
  errno: EACCES
  ...
not ok 2 - s/no-errno
  ---
  op: read
  wanted: a
  found: b
  ...
not ok 3 - s/no-diagnostics
not ok 4 - s/agent-says-silent
  ---
  errno: EIO
  class: silent
  ...`), { crashed: false })
  t.same(checks.map((c) => [c.id, c.class]), [['s/errno', 'loud'], ['s/no-errno', 'silent'], ['s/no-diagnostics', 'silent'], ['s/agent-says-silent', 'silent']])
})

t.test('TODO and SKIP directives: a passing TODO is noted, a skip never fails', async (t) => {
  const checks = checksFromTap(doc(`ok 1 - s/todo-passes # TODO known
not ok 2 - s/todo-fails # TODO known
ok 3 - s/todo-no-reason # TODO
not ok 4 - s/skip-not-ok # SKIP no root
ok 5 - s/skip-no-reason # SKIP`), { crashed: false })
  t.same(statusOf(checks), [
    ['s/todo-passes', 'todo', '-', 'known'],
    ['s/todo-fails', 'todo', 'silent', 'known'],
    ['s/todo-no-reason', 'todo', '-', '-'],
    ['s/skip-not-ok', 'skip', '-', 'no root'],
    ['s/skip-no-reason', 'skip', '-', '-'],
  ])
  t.same(checks.map((c) => c.todoPassed ?? false), [true, false, true, false, false])
})

t.test('the verify pass after a restart (a second top-level subtest) adds its checks', async (t) => {
  const checks = checksFromTap(fixture('run/tap/9p-mapped-xattr-mmap.tap'), { crashed: false })
  t.equal(checks.length, 9)
  t.same(statusOf(checks).at(-1), ['chown/after-restart/file', 'fail', 'silent', '-'])
})

t.test('a crashed TAP: points before the crash are kept, the unclosed YAML is salvaged and marked cut off', async (t) => {
  const text = fixture('run/tap/9p-passthrough-loose.tap')
  t.notOk(text.endsWith('\n'), 'the fixture stops mid-line, as a dying guest leaves it')
  const checks = checksFromTap(text, { crashed: true })
  t.same(statusOf(checks), [
    ['chown/call/file', 'ok', '-', '-'],
    ['chown/non-root/file', 'ok', '-', '-'],
    ['chown/after-remount/file', 'skip', '-', 'remount needs root'],
    ['symlink/host-made/readlink', 'fail', 'loud', '-'],
  ])
  const last = checks[3]!
  t.equal(last.cutOff, true)
  t.same(last.diagnostics, { op: 'readlink', args: ['host-link'], wanted: 'target', found: 'ELOOP', errno: 'ELOOP' }, 'the half-written "stage: ca" line is not read as a value')
})

t.test('a crashed TAP cut inside a point line does not invent a check with half a name', async (t) => {
  const text = 'TAP version 14\n# Subtest: /m\n    # Subtest: s\n        ok 1 - s/whole\n        not ok 2 - s/ha'
  t.same(checksFromTap(text, { crashed: true }).map((c) => c.id), ['s/whole'])
  t.same(checksFromTap(`${text}lf\n`, { crashed: true }).map((c) => c.id), ['s/whole', 's/half'], 'a terminated last line is read')
})

t.test('a check id met twice keeps the worse result', async (t) => {
  const checks = checksFromTap(doc(`ok 1 - s/a
not ok 2 - s/a
  ---
  errno: EIO
  ...
not ok 3 - s/b
  ---
  class: silent
  ...
not ok 4 - s/b
  ---
  class: loud
  ...
ok 5 - s/c # SKIP first
ok 6 - s/c`), { crashed: false })
  t.same(statusOf(checks), [['s/a', 'fail', 'loud', '-'], ['s/b', 'fail', 'silent', '-'], ['s/c', 'ok', '-', '-']])
})

t.test('YAML-typed scalars become text again; a known field of the wrong type moves under malformed', async (t) => {
  const [check] = checksFromTap(doc(`not ok 1 - s/typed
  ---
  op: chmod
  args: [f, 0755, true, null]
  wanted: 0
  found: 1
  class: noisy
  stage: before-lunch
  latencyMs: fast
  extra: kept
  ...`), { crashed: false })
  t.same(check!.diagnostics, {
    op: 'chmod',
    args: ['f', 755, 'true', 'null'],
    wanted: '0',
    found: '1',
    extra: 'kept',
    malformed: { class: 'noisy', stage: 'before-lunch', latencyMs: 'fast' },
  })
  t.equal(check!.class, 'silent', 'an unknown class is not trusted: no errno, so silent')
})

t.test('an escaped # in a point name is part of the check id', async (t) => {
  t.same(checksFromTap('TAP version 14\nok 1 - s/a\\#b\n1..1\n', { crashed: false }).map((c) => c.id), ['s/a#b'])
})

t.test('suiteOf and worseOf', async (t) => {
  t.equal(suiteOf('chown/after-remount/file'), 'chown')
  t.equal(suiteOf('lonely'), 'lonely')
  const ok: CheckResult = { id: 'x', suite: 'x', status: 'ok' }
  const loud: CheckResult = { id: 'x', suite: 'x', status: 'fail', class: 'loud' }
  const silent: CheckResult = { id: 'x', suite: 'x', status: 'fail', class: 'silent' }
  t.equal(worseOf(ok, loud), loud)
  t.equal(worseOf(silent, loud), silent)
  t.equal(worseOf(ok, { ...ok }), ok, 'the first wins a tie')
})

t.test('a subtest\'s closing point is not a check, even when it disagrees with its plan or children', async (t) => {
  const text = 'TAP version 14\n# Subtest: /m\n    # Subtest: s\n        ok 1 - s/a\n        1..2\n    ok 1 - s\n    # Subtest: empty\n        1..0\n    ok 2 - empty # SKIP not here\n    1..2\nok 1 - /m\n1..1\n'
  t.same(checksFromTap(text, { crashed: false }).map((c) => c.id), ['s/a'])
})
