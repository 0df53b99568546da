// A call that never returns costs one check, not the run: the worker (and its helpers) is
// killed, the point is `not ok` with found: timeout, and the next call gets a fresh worker.
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { Worker } from '../../agent/worker-client.ts'
import { alive, bundleCopy, countLeaves, parseTap, processesWith, runAgent, SCRATCH_PREFIX, tempDir, waitFor } from '../helpers/agent-bundle.ts'

t.setTimeout(0)
const isRoot = process.getuid?.() === 0
const OP_TIMEOUT_MS = 1_000

t.test('Worker.call: an op blocked on a FIFO times out, its worker is killed, the next call gets a fresh one', async (t) => {
  const bundle = await bundleCopy(t)
  const dir = tempDir(t)
  const worker = new Worker({ script: bundle, mountPaths: [dir], xattrTool: 'tools', label: 'test' })
  t.teardown(() => worker.kill())

  const made = await worker.call('scratch-create', [dir], 10_000)
  t.ok(made.ok, 'scratch-create through the worker', { made })
  const scratch = String(made.ok && made.value)
  worker.adopt(scratch)
  const fifo = join(scratch, 'fifo')
  t.strictSame(await worker.call('mkfifo', [fifo, 0o644], 10_000), { ok: true }, 'mkfifo (the mkfifo tool)')
  const [first, ...others] = processesWith(bundle)
  t.ok(first && others.length === 0, `one worker process (${first})`)

  const started = Date.now()
  const read = await worker.call('read', [fifo], OP_TIMEOUT_MS)
  const took = Date.now() - started
  t.equal(read.ok ? 'ok' : read.errno, 'TIMEOUT', 'opening a FIFO with no writer never returns: TIMEOUT')
  t.match(read.ok ? '' : read.message, `read did not return within ${OP_TIMEOUT_MS} ms`)
  t.ok(took >= OP_TIMEOUT_MS && took < OP_TIMEOUT_MS + 2_000, `within the time given (${took} ms)`)

  // At once, as the agent does: the killed worker's exit must not fail its replacement's call.
  const lstat = await worker.call('lstat', [fifo], 10_000)
  t.equal(lstat.ok ? (lstat.value as { type: string }).type : lstat.errno, 'fifo', 'the next call works, in the scratch dir the old worker was given')
  t.ok(await waitFor(() => !alive(first!), 3_000), 'the hung worker is gone')
  const fresh = processesWith(bundle)
  t.equal(fresh.length, 1, 'one worker again')
  t.not(fresh[0], first, 'a fresh one')

  t.strictSame(await worker.call('scratch-remove', [scratch], 10_000), { ok: true }, 'scratch-remove')
  t.notOk(existsSync(scratch), 'cleaned up')
  worker.kill()
  t.ok(await waitFor(() => processesWith(bundle).length === 0, 3_000), 'no worker left')
})

t.test('a check that hangs is not ok with found: timeout, its helpers die with it, and the run goes on', { skip: isRoot ? false : 'needs root (xattr checks run as root)' }, async (t) => {
  // A python3 that never answers: the worker's xattr helper hangs, without touching the share code.
  const bin = tempDir(t, 'limafs-fake-bin-')
  const pids = join(bin, 'pids')
  writeFileSync(join(bin, 'python3'), `#!/bin/sh\necho $$ >> ${pids}\nexec sleep 600\n`)
  chmodSync(join(bin, 'python3'), 0o755)
  const bundle = await bundleCopy(t)
  const dir = tempDir(t)
  const hanging = ['xattr/set-get/1b', 'xattr/list/fresh']
  const after = 'modes/umask/file'
  const grep = `^(${[...hanging, after].join('|')})$`

  const r = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--suite', 'xattr,modes', '--grep', grep, '--timeout', String(OP_TIMEOUT_MS / 1000)], {
    bundle,
    env: { PATH: `${bin}:${process.env.PATH}` },
  })
  t.equal(r.exitCode, 1, 'exit 1: failed checks, but a complete run', { stderr: r.stderr })
  t.match(r.stdout, /xattr via python3/, 'the fake python3 was taken for the xattr helper')
  const { leaves, parseErrors } = parseTap(r.stdout)
  t.strictSame(parseErrors, [], 'the TAP parses')
  t.strictSame(leaves.map((l) => l.name), [...hanging, after], 'every selected check has its point, in order')
  for (const id of hanging) {
    const leaf = leaves.find((l) => l.name === id)
    t.equal(leaf?.ok, false, `${id} is not ok`)
    t.match(leaf?.diag, { op: 'check', found: 'timeout', wanted: `done within ${OP_TIMEOUT_MS / 1000} s`, stage: 'call', class: 'loud', note: /killed and replaced/ }, `${id}: found timeout`)
  }
  t.equal(leaves.find((l) => l.name === after)?.ok, true, 'the check after the hung ones ran and passed')
  t.equal(countLeaves(leaves).notOk, hanging.length, 'only the hung checks failed')
  t.match(r.stderr, /xattr\/set-get\/1b did not finish within 1000 ms: killed it, going on/, 'the progress says which check hung')

  t.strictSame(readdirSync(dir).filter((n) => n.startsWith(SCRATCH_PREFIX)), [], 'the scratch dir is removed')
  const helperPids = readFileSync(pids, 'utf8').split('\n').filter(Boolean).map(Number)
  t.ok(helperPids.length >= hanging.length, `a hung helper per worker (${helperPids.length})`)
  t.ok(await waitFor(() => helperPids.every((p) => !alive(p)), 3_000), 'every hung helper was killed with its worker')
  t.ok(await waitFor(() => processesWith(bundle).length === 0, 3_000), 'no worker left')
})
