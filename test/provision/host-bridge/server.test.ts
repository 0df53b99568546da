import { chownSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { VERBS } from '../../../provision/host-bridge/verbs/index.ts'
import { bridgeShare, IS_ROOT, MOUNT, SHARE_USER } from '../../helpers/bridge-share.ts'

t.test('anything that is not a bridge request is refused with the reason, and never throws', async (t) => {
  const s = await bridgeShare(t)
  const refused: Array<[string, unknown]> = [
    ['null', null], ['an array', [1, 2]], ['a number', 42], ['a string', 'rm -rf /'], ['true', true], ['an empty object', {}],
    ['an id that is a string', { id: 'x', verb: 'look', mount: MOUNT, path: `${s.scratchName}/f` }],
    ['a negative id', { id: -1, verb: 'look', mount: MOUNT, path: `${s.scratchName}/f` }],
    ['a huge id', { id: 1e308, verb: 'look', mount: MOUNT, path: `${s.scratchName}/f` }],
    ['a verb that is a number', { id: 1, verb: 5, mount: MOUNT, path: `${s.scratchName}/f` }],
    ['args that are null', { id: 1, verb: 'look', mount: MOUNT, path: `${s.scratchName}/f`, args: null }],
    ['args that are an array', { id: 1, verb: 'write', mount: MOUNT, path: `${s.scratchName}/f`, args: ['x'] }],
    ['a path that is a number', { id: 1, verb: 'look', mount: MOUNT, path: 7 }],
    ['a key it does not know', { id: 1, verb: 'look', mount: MOUNT, path: `${s.scratchName}/f`, evil: 1 }],
    ['an unknown verb', { id: 1, verb: 'exec', mount: MOUNT, path: `${s.scratchName}/f`, args: { cmd: 'sh' } }],
    ['a prototype key as verb', { id: 1, verb: '__proto__', mount: MOUNT, path: `${s.scratchName}/f` }],
    ['a mount no share is at', { id: 1, verb: 'look', mount: '/home', path: `${s.scratchName}/f` }],
    ['wrong arg types', { id: 1, verb: 'truncate', mount: MOUNT, path: `${s.scratchName}/f`, args: { size: 'big' } }],
    ['a size past the bound', { id: 1, verb: 'truncate', mount: MOUNT, path: `${s.scratchName}/f`, args: { size: 2 ** 64 } }],
    ['a fractional mode', { id: 1, verb: 'chmod', mount: MOUNT, path: `${s.scratchName}/f`, args: { mode: 1.5 } }],
  ]
  for (const [what, value] of refused) {
    const line = await s.raw(JSON.stringify(value))
    const answer = JSON.parse(line) as { id: number; ok: boolean; error: string }
    t.equal(answer.ok, false, `${what}: refused`)
    t.match(answer.error, /^refused by the host: /, `${what}: says why (${answer.error})`)
  }
  t.equal(await s.raw('{"id": 1, "verb": '), '', 'text that is not JSON gets no answer')
  t.equal(s.refusals.length, refused.length + 1, 'every refusal is logged')
  t.ok((await s.ask('look', s.scratchName)).ok, 'and the bridge still answers')
})

t.test('the request path is checked as text: only below a claimed scratch dir of that share', async (t) => {
  const s = await bridgeShare(t)
  writeFileSync(join(s.share, 'user-file'), 'mine')
  mkdirSync(join(s.share, '.limafs-unclaim1'))
  for (const path of ['/etc/passwd', `${s.scratchName}/../user-file`, `${s.scratchName}/./f`, `${s.scratchName}//f`, '', '.', '..', 'user-file', '.limafs-unclaim1/f', `${s.scratchName}/`, `${s.scratchName}\0/f`]) {
    const r = await s.ask('write', path, { content: 'x' })
    t.match(r, { ok: false, error: /^refused by the host: / }, `${JSON.stringify(path)} is refused`)
  }
  t.equal(statSync(join(s.share, 'user-file')).size, 4, 'the user\'s file is untouched')
})

t.test('look reports the host truth: owner, mode, xattrs with user.virtfs.* decoded, .virtfs_metadata', async (t) => {
  const s = await bridgeShare(t)
  writeFileSync(s.at('f'), 'data')
  const py = await execa('python3', ['-c', `import os,sys\nfor n,v in (('user.virtfs.uid','d2040000'),('user.virtfs.gid','2e160000'),('user.virtfs.mode','a4810000')): os.setxattr(sys.argv[1], n, bytes.fromhex(v))`, s.at('f')], { reject: false })
  if (py.failed) {
    t.pass('skipped', { skip: `xattrs can't be set here: ${py.stderr.split('\n').at(-2) ?? py.message}` })
    return
  }
  mkdirSync(s.at('.virtfs_metadata'))
  writeFileSync(s.at('.virtfs_metadata/f'), 'virtfs.uid=1234\nvirtfs.gid=5678\n')
  const truth = (await s.ask('look', `${s.scratchName}/f`)).value as Record<string, unknown>
  t.match(truth, { path: `${s.scratchName}/f`, exists: true, type: 'file', size: 4, mode: '0644' })
  t.strictSame(truth.virtfs, { uid: 1234, gid: 5678, mode: '0644' }, 'mapped-xattr values are decoded (4-byte little-endian)')
  t.equal((truth.xattrs as Record<string, string>)['user.virtfs.uid'], 'd2040000')
  t.strictSame(truth.virtfsMetadata, { 'virtfs.uid': '1234', 'virtfs.gid': '5678' }, 'mapped-file metadata is read')
  symlinkSync('target', s.at('l'))
  t.match((await s.ask('look', `${s.scratchName}/l`)).value, { type: 'symlink', symlinkTarget: 'target' })
  t.match((await s.ask('look', `${s.scratchName}/missing`)).value, { exists: false, error: 'ENOENT' })
  t.match((await s.ask('look', `${s.scratchName}/no/such/dir`)).value, { exists: false, error: 'ENOENT' })
})

t.test('as root, acts run as the scratch dir\'s owner (QEMU\'s user); a chown to another owner as root', { skip: IS_ROOT ? false : 'needs root' }, async (t) => {
  const s = await bridgeShare(t, { owner: SHARE_USER })
  t.ok((await s.ask('write', `${s.scratchName}/new`, { content: 'x' })).ok)
  t.match(statSync(s.at('new')), { uid: SHARE_USER.uid, gid: SHARE_USER.gid }, 'what the bridge makes is the share user\'s')
  writeFileSync(join(s.base, 'roots'), 'x')
  t.ok((await s.ask('chmod', `${s.scratchName}/new`, { mode: 0o755 })).ok)
  t.ok((await s.ask('chown', `${s.scratchName}/new`, { uid: 1234, gid: 5678 })).ok, 'chown to another uid')
  t.match(statSync(s.at('new')), { uid: 1234, gid: 5678 })
  t.match(await s.ask('touch', `${s.scratchName}/new`), { ok: false, error: /^E(PERM|ACCES)/ }, 'then the share user can no longer retime it: no act ran as root but the chown')
  mkdirSync(s.at('rootdir'))
  t.match(await s.ask('write', `${s.scratchName}/rootdir/x`, { content: 'x' }), { ok: false, error: /^EACCES/ }, 'a root-owned dir the share user can\'t write to is not written')
})

t.test('a helper that dies is started again and holds the scratch dir again', { skip: process.platform !== 'linux' ? 'finds the helper with pgrep' : false }, async (t) => {
  const s = await bridgeShare(t)
  t.ok((await s.ask('write', `${s.scratchName}/f`, { content: 'one' })).ok)
  const pids = (await execa('pgrep', ['-P', String(process.pid), 'python3'], { reject: false })).stdout.split('\n').filter(Boolean)
  t.ok(pids.length, 'a helper runs')
  for (const pid of pids) process.kill(Number(pid), 'SIGKILL')
  await new Promise((r) => setTimeout(r, 200))
  t.match(await s.ask('read', `${s.scratchName}/f`), { ok: true, value: 'one' }, 'the next request is served')
  t.match(await s.ask('append', `${s.scratchName}/f`, { content: 'two' }), { ok: true }, 'and a file the bridge made is still one it acts on')
})

t.test('every verb has a one-line doc and a strict schema', async (t) => {
  for (const [name, spec] of Object.entries(VERBS)) {
    t.ok(spec.doc && !spec.doc.includes('\n'), `${name}: one line`)
    t.notOk(spec.args.safeParse({ unknownArg: 1 }).success, `${name}: unknown args are refused`)
  }
})

t.test('errors say the errno and the request\'s relative path, never a host path', async (t) => {
  const s = await bridgeShare(t)
  const r = await s.ask('read', `${s.scratchName}/missing`)
  t.equal(r.error, `ENOENT: ${s.scratchName}/missing`)
  chownSync(s.scratch, process.getuid?.() ?? 0, process.getgid?.() ?? 0)
  for (const answer of [r, await s.ask('write', `${s.scratchName}/missing/x`, { content: 'x' }), await s.ask('look', 'elsewhere')]) {
    t.notOk(answer.error?.includes(s.base), `no host path in ${answer.error}`)
  }
})
