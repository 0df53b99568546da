import t from 'tap'
import { classify, PERSIST_STAGES, pointIds, suite, type CheckSpec, type HostSide } from '../../agent/check-api.ts'
import { Context, judge, render } from '../../agent/check-context.ts'
import type { OpOutcome } from '../../agent/op-runner.ts'
import { failureOf, fakeDeps } from '../helpers/fake-context.ts'

const STAT = { uid: 1234, gid: 5678, mode: '0640', type: 'file', size: 0, nlink: 2, ino: 7 }

t.test('render shows values as checks compare them: fields, lists, nothing', async (t) => {
  const table: Array<[unknown, string | undefined, string]> = [
    [STAT, 'uid,gid', '1234,5678'],
    [STAT, 'uid,gid,mode,nlink', '1234,5678,0640,2'],
    [STAT, 'type', 'file'],
    [['user.a', 'user.b'], undefined, 'user.a,user.b'],
    [[], undefined, ''],
    ['text\n', undefined, 'text\n'],
    [42, undefined, '42'],
    [undefined, undefined, ''],
    [null, undefined, ''],
    [undefined, 'uid,gid', ''],
  ]
  for (const [value, fields, want] of table) t.equal(render(value, fields), want, `${JSON.stringify(value)} with fields ${fields}`)
})

t.test('judge compares WANTED (0, an errno name, a value or fields) with what the op did', async (t) => {
  const ok = (value?: unknown): OpOutcome => (value === undefined ? { ok: true } : { ok: true, value })
  const err = (errno: string): OpOutcome => ({ ok: false, errno, message: `${errno} message` })
  const table: Array<[string, Parameters<typeof judge>[0], OpOutcome, string | undefined, { matched: boolean; found: string }]> = [
    ['0 wanted, the call worked', 0, ok(), undefined, { matched: true, found: '0' }],
    ['0 wanted, the call worked and returned something', 0, ok('x'), undefined, { matched: true, found: '0' }],
    ['0 wanted, the call failed', 0, err('EPERM'), undefined, { matched: false, found: 'EPERM' }],
    ['an errno wanted and got', 'EPERM', err('EPERM'), undefined, { matched: true, found: 'EPERM' }],
    ['an errno wanted, another got', 'EPERM', err('EACCES'), undefined, { matched: false, found: 'EACCES' }],
    ['an errno wanted, the call worked with nothing', 'EPERM', ok(), undefined, { matched: false, found: '0' }],
    ['an errno wanted, the call worked with fields', 'EACCES', ok(STAT), 'uid,gid', { matched: false, found: '1234,5678' }],
    ['fields wanted and found', '1234,5678', ok(STAT), 'uid,gid', { matched: true, found: '1234,5678' }],
    ['fields wanted, others found', '0,0', ok(STAT), 'uid,gid', { matched: false, found: '1234,5678' }],
    ['a value wanted, the call failed', 'secret\n', err('EACCES'), undefined, { matched: false, found: 'EACCES' }],
    ['a list wanted and found', 'user.a', ok(['user.a']), undefined, { matched: true, found: 'user.a' }],
    ['an empty list wanted and found', '', ok([]), undefined, { matched: true, found: '' }],
    ['a timeout is found "timeout", never matched', 0, { ok: false, errno: 'TIMEOUT', message: 'late' }, undefined, { matched: false, found: 'timeout' }],
    ['a timeout does not match an errno wanted', 'EPERM', { ok: false, errno: 'TIMEOUT', message: 'late' }, undefined, { matched: false, found: 'timeout' }],
  ]
  for (const [name, wanted, outcome, fields, want] of table) t.strictSame(judge(wanted, outcome, fields), want, name)
})

t.test('classify: an errno the caller saw is loud, a call that said OK wrongly is silent', async (t) => {
  t.equal(classify({ ok: false }, false), 'loud', 'the call failed')
  t.equal(classify({ ok: true }, false), 'silent', 'the call worked but the effect is wrong')
  t.equal(classify({ ok: true }, true), 'loud', 'a later stage of a call that already failed loud')
  t.equal(classify({ ok: false }, true), 'loud', 'both')
})

/** A context over ops that answer from a table (no worker, no share). */
function contextWith(answers: Record<string, OpOutcome>, { stage = 'call', callFailedLoud = false, deadline = Date.now() + 60_000, sibling, host }: { stage?: 'call' | 'after-remount'; callFailedLoud?: boolean; deadline?: number; sibling?: string; host?: HostSide } = {}) {
  const calls: Array<{ op: string; args: unknown[]; timeoutMs: number }> = []
  const deps = fakeDeps({
    call: async (op, args, timeoutMs) => {
      calls.push({ op, args, timeoutMs })
      return answers[op] ?? { ok: true }
    },
  }, { deadline })
  if (sibling) deps.siblingBase = { base: `${sibling}/chown/0-`, scratch: sibling }
  if (host) deps.host = host
  const ctx = new Context(deps, { persisted: [], notes: [], callFailedLoud }, deps.ops, stage)
  return { ctx, calls }
}

t.test('a failed expectation ends the point with {op, args, wanted, found, errno, stage, class}, paths relative to the scratch dir', async (t) => {
  const { ctx, calls } = contextWith({ lchown: { ok: false, errno: 'EPERM', message: 'Operation not permitted' } })
  const f = ctx.path('file')
  const d = await failureOf(ctx.expect(0, 'lchown', f, 1234, 5678))
  t.strictSame(d, { op: 'lchown', args: ['chown/0-file', 1234, 5678], wanted: '0', found: 'EPERM', errno: 'EPERM', stage: 'call', class: 'loud' }, 'the diagnostics')
  t.strictSame(calls[0]?.args, [f, 1234, 5678], 'the op itself got the absolute path')
  t.equal(ctx.state.callFailedLoud, true, 'a failed call makes its later stages loud')
})

t.test('stat fields are asked for as the last argument and not passed to the op', async (t) => {
  const { ctx, calls } = contextWith({ lstat: { ok: true, value: { ...STAT, uid: 0, gid: 0 } } })
  const d = await failureOf(ctx.expect('1234,5678', 'lstat', ctx.path('file'), 'uid,gid'))
  t.strictSame(calls[0]?.args, [ctx.path('file')], 'the op got the path alone')
  t.strictSame(d, { op: 'lstat', args: ['chown/0-file', 'uid,gid'], wanted: '1234,5678', found: '0,0', stage: 'call', class: 'silent' }, 'the fields found, silent: the call said ok')
  t.equal(await failureOf(contextWith({ lstat: { ok: true, value: STAT } }).ctx.expect('1234,5678', 'lstat', '/x', 'uid,gid')), undefined, 'matching fields pass')
})

t.test('a timeout is found "timeout", without an errno, with a note that the worker was replaced', async (t) => {
  const { ctx } = contextWith({ read: { ok: false, errno: 'TIMEOUT', message: 'read did not return within 5000 ms' } })
  const d = await failureOf(ctx.expect('data', 'read', ctx.path('fifo')))
  t.equal(d?.found, 'timeout', 'found: timeout')
  t.notOk(d && 'errno' in d, 'no errno field')
  t.equal(d?.class, 'loud', 'a timeout is loud')
  t.match(d?.note, /did not return within 5000 ms.*killed and replaced/, 'the note says the op was abandoned')
})

t.test('a helper process that died is EHELPER, with a note that says how it ended', async (t) => {
  const { ctx } = contextWith({ 'child-go': { ok: false, errno: 'EHELPER', message: 'python3 helper ended (SIGBUS)' } })
  const d = await failureOf(ctx.expect('SIGBUS', 'child-go', 42))
  t.match(d, { found: 'EHELPER', errno: 'EHELPER', class: 'loud', note: 'python3 helper ended (SIGBUS)' })
})

t.test('a path on the sibling share reads sibling:REL in diagnostics', async (t) => {
  const { ctx } = contextWith({ write: { ok: false, errno: 'ENOSPC', message: 'No space left on device' } }, { sibling: '/mnt/sib/.limafs-def456' })
  const d = await failureOf(ctx.expect(0, 'write', ctx.siblingPath('filler'), 'x'))
  t.strictSame(d?.args, ['sibling:chown/0-filler', 'x'])
})

t.test('at a later stage, a check whose call failed loud stays loud; one whose call worked is silent', async (t) => {
  const wrong = { lstat: { ok: true, value: STAT } as OpOutcome }
  t.equal((await failureOf(contextWith(wrong, { stage: 'after-remount', callFailedLoud: true }).ctx.expect('0,0', 'lstat', '/x', 'uid,gid')))?.class, 'loud', 'loud call: loud later')
  const later = await failureOf(contextWith(wrong, { stage: 'after-remount' }).ctx.expect('0,0', 'lstat', '/x', 'uid,gid'))
  t.equal(later?.class, 'silent', 'ok call: silent later')
  t.equal(later?.stage, 'after-remount', 'the stage is named')
})

t.test('an op past the check deadline is not even sent: it is a timeout', async (t) => {
  const { ctx, calls } = contextWith({}, { deadline: Date.now() - 1 })
  t.equal((await failureOf(ctx.expect(0, 'create', ctx.path('f'))))?.found, 'timeout', 'found: timeout')
  t.equal(calls.length, 0, 'no op sent')
})

t.test('pointIds gives one id per stage for a staged check, else the id itself', async (t) => {
  const staged: CheckSpec = { id: 'chown/{stage}/file', title: 't', stages: PERSIST_STAGES, run: async () => {} }
  t.strictSame(pointIds(staged), PERSIST_STAGES.map((s) => `chown/${s}/file`), 'one per stage, in stage order')
  t.strictSame(pointIds({ id: 'chown/new-owner/root', title: 't', run: async () => {} }), ['chown/new-owner/root'], 'a check without stages: its id')
  t.strictSame(pointIds({ ...staged, stages: ['call', 'after-restart'] }), ['chown/call/file', 'chown/after-restart/file'], 'only the stages the check has')
})

t.test('suite() refuses ids outside the suite and {stage} without stages (or stages without {stage})', async (t) => {
  const run = async () => {}
  t.throws(() => suite('chown', 't', [{ id: 'modes/x/file', title: 't', run }]), /check modes\/x\/file does not start with its suite name chown\//)
  t.throws(() => suite('chown', 't', [{ id: 'chownx/y/file', title: 't', run }]), /does not start with its suite name/)
  t.throws(() => suite('chown', 't', [{ id: 'chown/{stage}/file', title: 't', run }]), /\{stage\} in the id exactly when stages are given/)
  t.throws(() => suite('chown', 't', [{ id: 'chown/x/file', title: 't', stages: ['call'], run }]), /\{stage\} in the id exactly when stages are given/)
  const ok = suite('chown', 'title', [{ id: 'chown/{stage}/file', title: 't', stages: ['call'], run }, { id: 'chown/x/file', title: 't', run }])
  t.equal(ok.checks.length, 2, 'a valid suite keeps its checks')
})

t.test('hostSetup: the host\'s answer when it acts; its refusal ends the point at setup, loud, as host-VERB', async (t) => {
  const asked: unknown[] = []
  const host = (answer: { ok: boolean; value?: unknown; error?: string }): HostSide => ({
    look: async () => undefined,
    act: async (verb, path, args) => (asked.push([verb, path, args]), answer),
  })
  const made = contextWith({}, { host: host({ ok: true, value: 'made' }) }).ctx
  const f = made.path('file')
  t.equal(await made.hostSetup('replace', f, { content: 'x' }), 'made')
  t.strictSame(asked, [['replace', f, { content: 'x' }]], 'the host was asked with the absolute path and the args')
  const refused = contextWith({}, { host: host({ ok: false, error: 'refused by the host: outside the share' }) }).ctx
  const d = await failureOf(refused.hostSetup('truncate', refused.path('file'), { size: 0 }))
  t.strictSame(d, { op: 'host-truncate', args: ['chown/0-file'], wanted: '0', found: 'refused by the host: outside the share', stage: 'setup', class: 'loud' })
})
