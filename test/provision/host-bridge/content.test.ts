import { chmodSync, lstatSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { execa } from 'execa'
import t from 'tap'
import { bridgeShare, expectGuarded, IS_ROOT } from '../../helpers/bridge-share.ts'

t.test('read, write, append, replace, truncate: regular files, in place or atomically', async (t) => {
  const s = await bridgeShare(t)
  const p = (n: string) => `${s.scratchName}/${n}`
  t.match(await s.ask('write', p('f'), { content: 'héllo' }), { ok: true })
  const ino = statSync(s.at('f')).ino
  t.match(await s.ask('read', p('f')), { ok: true, value: 'héllo' })
  t.ok((await s.ask('write', p('f'), { content: 'v2' })).ok)
  t.equal(statSync(s.at('f')).ino, ino, 'write keeps the inode (in place)')
  t.ok((await s.ask('append', p('f'), { content: '+more' })).ok)
  t.ok((await s.ask('append', p('new-by-append'), { content: 'a' })).ok, 'append makes a missing file')
  t.ok((await s.ask('truncate', p('f'), { size: 2 })).ok)
  t.equal(readFileSync(s.at('f'), 'utf8'), 'v2')
  t.ok((await s.ask('replace', p('f'), { content: 'v3' })).ok)
  t.not(statSync(s.at('f')).ino, ino, 'replace puts a new inode in its place')
  t.equal(readFileSync(s.at('f'), 'utf8'), 'v3')
  t.strictSame(readdirSync(s.scratch).filter((n) => n.startsWith('.limafs-bridge-')), [], 'no temp file is left behind')
  t.match(await s.ask('write', p('f/'), { content: 'x' }), { ok: false, error: /^EISDIR/ }, 'a trailing slash names a dir')
  writeFileSync(s.at('big'), Buffer.alloc(1024 * 1024 + 1))
  t.match(await s.ask('read', p('big')), { ok: false, error: /^EFBIG/ }, 'a read above 1 MiB is refused, not streamed')
})

t.test('fifos and sockets are refused without being opened: nothing hangs', async (t) => {
  const s = await bridgeShare(t)
  await execa('python3', ['-c', 'import os,socket,sys\nos.chdir(sys.argv[1]); os.mkfifo("fifo"); socket.socket(socket.AF_UNIX).bind("sock")', s.scratch])
  for (const name of ['fifo', 'sock']) {
    for (const [verb, args] of [['read', undefined], ['write', { content: 'x' }], ['append', { content: 'x' }], ['truncate', { size: 0 }], ['copy', { to: `${s.scratchName}/copy-of-${name}` }]] as const) {
      t.match(await s.ask(verb, `${s.scratchName}/${name}`, args), { ok: false, error: /regular files only/ }, `${verb} of a ${name}`)
    }
  }
})

t.test('copy is cp -p: content, mode without setuid/setgid, times, owner when the host may', async (t) => {
  const s = await bridgeShare(t)
  writeFileSync(s.at('src'), 'payload')
  chmodSync(s.at('src'), 0o4751)
  utimesSync(s.at('src'), 1_000_000_000, 1_100_000_000)
  t.match(await s.ask('copy', `${s.scratchName}/src`, { to: `${s.scratchName}/dst` }), { ok: true, value: { ownerKept: true } })
  const st = statSync(s.at('dst'))
  t.equal(readFileSync(s.at('dst'), 'utf8'), 'payload')
  t.equal((st.mode & 0o7777).toString(8), '751', 'the mode, without the setuid bit')
  t.equal(st.mtimeMs, 1_100_000_000_000)
  t.equal(st.atimeMs, 1_000_000_000_000)
  t.match(await s.ask('copy', `${s.scratchName}/src`, { to: `${s.scratchName}/dst` }), { ok: false, error: /^EEXIST/ }, 'never over an existing name')
  if (IS_ROOT) {
    const { chownSync } = await import('node:fs')
    chownSync(s.at('src'), 4321, 4321)
    t.match(await s.ask('copy', `${s.scratchName}/src`, { to: `${s.scratchName}/dst2` }), { ok: true, value: { ownerKept: true } })
    t.match(statSync(s.at('dst2')), { uid: 4321, gid: 4321 }, 'as root, the owner too')
  }
})

t.test('a symlink is never written through', async (t) => {
  const s = await bridgeShare(t)
  writeFileSync(s.at('target'), 'keep')
  const { symlinkSync } = await import('node:fs')
  symlinkSync('target', s.at('link'))
  for (const [verb, args] of [['write', { content: 'x' }], ['append', { content: 'x' }], ['truncate', { size: 0 }], ['read', undefined]] as const) {
    t.match(await s.ask(verb, `${s.scratchName}/link`, args), { ok: false, error: /is a symlink/ }, `${verb} on a symlink`)
  }
  t.equal(readFileSync(s.at('target'), 'utf8'), 'keep')
  t.ok(lstatSync(s.at('link')).isSymbolicLink())
})

t.test('each content verb\'s scratch guard', async (t) => {
  const s = await bridgeShare(t)
  for (const [verb, args] of [['read', undefined], ['write', { content: 'x' }], ['append', { content: 'x' }], ['replace', { content: 'x' }], ['truncate', { size: 0 }]] as const) {
    await expectGuarded(t, s, verb, () => args)
  }
  await expectGuarded(t, s, 'copy', () => ({ to: `${s.scratchName}/copied` }))
})
