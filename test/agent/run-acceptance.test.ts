// The acceptance test ("The guest agent and the ownership suites"): on a local dir as
// root, `run --mount DIR --allow-any-fs` passes, cleans up after itself and touches nothing else.
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { countLeaves, parseTap, runAgent, tempDir } from '../helpers/agent-bundle.ts'

t.setTimeout(0)
const isRoot = process.getuid?.() === 0
/** The bar: at least this many checks really run and pass on a plain local dir. */
const MIN_OK_POINTS = 40

t.test('run on a local dir as root: >= 40 ok, 0 not ok, exit 0, nothing left, the file beside untouched', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const dir = tempDir(t)
  const beside = join(dir, 'keep-me.txt')
  writeFileSync(beside, 'a user file beside the scratch dir\n')
  const past = new Date('2020-02-02T02:02:02Z')
  utimesSync(beside, past, past)
  const before = statSync(beside)

  const r = await runAgent(['run', '--mount', dir, '--allow-any-fs'])
  const { leaves, parseErrors, bailout } = parseTap(r.stdout)
  const counts = countLeaves(leaves)
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr })
  t.strictSame(parseErrors, [], 'the TAP parses without errors')
  t.equal(bailout, false, 'no bail out')
  t.ok(counts.ok >= MIN_OK_POINTS, `${counts.ok} ok points (at least ${MIN_OK_POINTS})`)
  t.equal(counts.notOk, 0, 'no not ok point', { failed: leaves.filter((l) => !l.ok && l.todo === false).map((l) => ({ name: l.name, diag: l.diag })) })
  t.ok(leaves.filter((l) => l.skip !== false).every((l) => typeof l.skip === 'string' && l.skip.length > 0), 'every SKIP says why')
  t.match(r.stdout, /^TAP version 14\n# limafs-agent \S+ run: node v\d+/, 'TAP 14 with the agent header')

  t.strictSame(readdirSync(dir), ['keep-me.txt'], 'nothing left in the dir (no .limafs-*)')
  const after = statSync(beside)
  t.equal(readFileSync(beside, 'utf8'), 'a user file beside the scratch dir\n', 'the file beside is unchanged')
  t.equal(after.mtimeMs, before.mtimeMs, 'its mtime too')
  t.equal(after.mode, before.mode, 'its mode too')
  t.equal(`${after.uid}:${after.gid}`, `${before.uid}:${before.gid}`, 'its owner too')
})
