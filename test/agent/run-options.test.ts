// The agent's command line on a local dir: refusals (exit 64), --grep, leftovers and --clean,
// run --keep then verify.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { mountOf, parseMountinfo } from '../../agent/mountinfo.ts'
import { countLeaves, listedChecks, parseTap, runAgent, SCRATCH_PREFIX, tempDir } from '../helpers/agent-bundle.ts'

t.setTimeout(0)
const isRoot = process.getuid?.() === 0
const asRoot = { skip: isRoot ? false : 'needs root' }
const scratchDirsIn = (dir: string) => readdirSync(dir).filter((n) => n.startsWith(SCRATCH_PREFIX))

t.test('without --allow-any-fs a local dir is refused with exit 64, naming its fs type, and left alone', async (t) => {
  const dir = tempDir(t)
  const fsType = mountOf(parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')), dir)?.fsType
  t.ok(fsType && !['9p', 'virtiofs', 'fuse.sshfs'].includes(fsType), `the temp dir is on a local fs (${fsType})`)
  const r = await runAgent(['run', '--mount', dir])
  t.equal(r.exitCode, 64, 'exit 64')
  t.match(r.stderr, new RegExp(`refusing ${dir}: it is on ${fsType} .*--allow-any-fs`), 'names the fs type and the way out')
  t.equal(r.stdout, '', 'no TAP')
  t.strictSame(readdirSync(dir), [], 'nothing made')
})

t.test('usage errors exit 64 and say what was wrong', async (t) => {
  const dir = tempDir(t)
  const table: Array<[string, string[], RegExp]> = [
    ['an unknown flag', ['run', '--mount', dir, '--allow-any-fs', '--no-such-flag'], /no-such-flag/],
    ['an unknown suite', ['run', '--mount', dir, '--allow-any-fs', '--suite', 'chown,nope'], /unknown suite nope; known: chown/],
    ['an unknown command', ['frobnicate'], /unknown command "frobnicate"/],
    ['run without --mount', ['run'], /run needs at least one --mount PATH/],
    ['a bad --grep', ['run', '--mount', dir, '--allow-any-fs', '--grep', '(('], /--grep/],
    ['a bad --timeout', ['run', '--mount', dir, '--allow-any-fs', '--timeout', '0'], /--timeout: expected seconds > 0/],
    ['a bad --user', ['run', '--mount', dir, '--allow-any-fs', '--user', 'bob'], /--user: expected UID or UID:GID/],
    ['no command at all', [], /Usage: limafs-agent/],
    ['a --sibling without =', ['run', '--mount', dir, '--allow-any-fs', '--sibling', dir], /--sibling .*: expected MOUNT=PATH/],
    ['a --sibling of no --mount', ['run', '--mount', dir, '--allow-any-fs', '--sibling', `/elsewhere=${dir}`], /\/elsewhere is not one of the --mount paths/],
    ['a --sibling that is the mount itself', ['run', '--mount', dir, '--allow-any-fs', '--sibling', `${dir}=${dir}`], /is a --mount path itself/],
    ['a --model without =', ['run', '--mount', dir, '--allow-any-fs', '--model', 'none'], /--model none: expected MOUNT=MODEL/],
    ['a --model of no --mount', ['run', '--mount', dir, '--allow-any-fs', '--model', '/elsewhere=none'], /\/elsewhere is not one of the --mount paths/],
    ['an unknown --model', ['run', '--mount', dir, '--allow-any-fs', '--model', `${dir}=mapped`], /unknown model "mapped"; known: none, mapped-xattr/],
    ['a --ro-scratch without =', ['run', '--mount', dir, '--allow-any-fs', '--ro-scratch', '.limafs-abcdef'], /--ro-scratch .*: expected MOUNT=NAME/],
    ['a --ro-scratch that is no scratch name', ['run', '--mount', dir, '--allow-any-fs', '--ro-scratch', `${dir}=../etc`], /"\.\.\/etc" is not a scratch dir name/],
    ['a --ro-scratch of no --mount', ['run', '--mount', dir, '--allow-any-fs', '--ro-scratch', '/elsewhere=.limafs-abcdef'], /\/elsewhere is not one of the --mount paths/],
  ]
  for (const [name, args, message] of table) {
    const r = await runAgent(args)
    t.equal(r.exitCode, 64, `${name}: exit 64`)
    t.match(`${r.stderr}${r.stdout}`, message, `${name}: says so`)
  }
  t.strictSame(readdirSync(dir), [], 'nothing made by any of them')
  const help = await runAgent(['--help'])
  t.equal(help.exitCode, 0, '--help exits 0')
  t.match(help.stdout, /^Usage: limafs-agent <command>/, 'the usage')
})

t.test('--grep narrows the points to the ids it matches', asRoot, async (t) => {
  const dir = tempDir(t)
  const grep = '^(chown/call/|modes/umask/|symlink/.*guest-made$)'
  const wanted = (await listedChecks()).map((c) => c.id).filter((id) => new RegExp(grep).test(id))
  t.ok(wanted.length >= 3, `the grep matches some declared ids (${wanted.length})`)
  const r = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--grep', grep])
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr })
  const { leaves } = parseTap(r.stdout)
  t.strictSame(leaves.map((l) => l.name).sort(), [...wanted].sort(), 'exactly the matching ids')
  t.ok(countLeaves(leaves).ok > 0, 'and they ran')
  t.strictSame(scratchDirsIn(dir), [], 'nothing left')
})

t.test('a leftover .limafs-* dir is reported and kept; --clean removes it', asRoot, async (t) => {
  const dir = tempDir(t)
  const leftover = join(dir, '.limafs-abc123')
  mkdirSync(leftover)
  writeFileSync(join(leftover, 'old'), 'from a crashed run\n')
  const notOurs = join(dir, '.limafs-x')
  mkdirSync(notOurs)

  const kept = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--suite', 'modes'])
  t.equal(kept.exitCode, 0, 'exit 0', { stderr: kept.stderr })
  t.match(kept.stderr, `leftover of an earlier run: ${leftover}`)
  t.ok(existsSync(join(leftover, 'old')), 'the leftover is kept')
  t.strictSame(scratchDirsIn(dir).sort(), ['.limafs-abc123', '.limafs-x'], 'only the leftover and the non-scratch dir remain')

  const cleaned = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--suite', 'modes', '--clean'])
  t.equal(cleaned.exitCode, 0, 'exit 0', { stderr: cleaned.stderr })
  t.match(cleaned.stderr, `removed leftover ${leftover}`)
  t.notOk(existsSync(leftover), '--clean removed it')
  t.ok(existsSync(notOurs), 'a dir whose name is not a scratch name is never touched')
})

t.test('run --keep keeps the scratch dir with state.json; verify judges after-restart and removes it', asRoot, async (t) => {
  const dir = tempDir(t)
  const run = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--keep'])
  t.equal(run.exitCode, 0, 'run exit 0', { stderr: run.stderr })
  const kept = scratchDirsIn(dir)
  t.equal(kept.length, 1, 'one scratch dir kept')
  const state = JSON.parse(readFileSync(join(dir, kept[0]!, 'state.json'), 'utf8')) as { format: string; staged: Array<{ check: { id: string } }> }
  t.equal(state.format, 'limafs-agent-state', 'state.json is the agent\'s')
  t.notMatch(run.stdout, /after-restart/, 'run --keep leaves the after-restart points to verify')

  const restartIds = (await listedChecks()).map((c) => c.id).filter((id) => /(\/|-)after-restart\//.test(id))
  const verify = await runAgent(['verify', '--mount', dir, '--allow-any-fs'])
  t.equal(verify.exitCode, 0, 'verify exit 0', { stderr: verify.stderr })
  const { leaves, parseErrors } = parseTap(verify.stdout)
  t.strictSame(parseErrors, [], 'the TAP parses')
  t.ok(restartIds.length > 0, `some checks have an after-restart stage (${restartIds.length})`)
  t.strictSame(leaves.map((l) => l.name).sort(), [...restartIds].sort(), 'exactly the after-restart points')
  t.equal(leaves.length, state.staged.length, 'one per kept check')
  t.equal(countLeaves(leaves).ok, leaves.length, 'all ok')
  t.strictSame(scratchDirsIn(dir), [], 'verify removed the scratch dir')

  const again = await runAgent(['verify', '--mount', dir, '--allow-any-fs'])
  t.equal(again.exitCode, 2, 'verify with nothing kept: the run could not complete')
  t.match(again.stdout, /not ok \d+ - agent\/verify-state/, 'and says so in the TAP')
})

t.test('--sibling: a scratch dir of its own on the sibling too, removed at the end; the other mount\'s .limafs-* dirs there are left alone', asRoot, async (t) => {
  const dir = tempDir(t)
  const sibling = tempDir(t)
  mkdirSync(join(sibling, `${SCRATCH_PREFIX}other1`))
  const r = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--sibling', `${dir}=${sibling}`, '--suite', 'chown'])
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr })
  t.notMatch(r.stderr, /leftover/, 'another configuration\'s scratch dir on the shared sibling dir is not called a leftover')
  t.strictSame(scratchDirsIn(sibling), [`${SCRATCH_PREFIX}other1`], 'ours is gone, theirs is still there')
  t.strictSame(scratchDirsIn(dir), [], 'nothing left in the mount')
})
