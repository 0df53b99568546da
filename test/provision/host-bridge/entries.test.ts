import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { bridgeShare, expectGuarded } from '../../helpers/bridge-share.ts'

t.test('mkdir, symlink, link, unlink, rename', async (t) => {
  const s = await bridgeShare(t)
  const p = (n: string) => `${s.scratchName}/${n}`
  t.ok((await s.ask('mkdir', p('d'))).ok)
  t.ok((await s.ask('mkdir', p('d/e/'), { mode: 0o700 })).ok, 'with a trailing slash and a mode')
  t.equal(statSync(s.at('d/e')).mode & 0o777, 0o700)
  t.ok((await s.ask('write', p('d/f'), { content: 'x' })).ok)
  t.ok((await s.ask('symlink', p('d/l'), { target: 'f' })).ok)
  t.equal(readlinkSync(s.at('d/l')), 'f')
  t.ok((await s.ask('link', p('d/f'), { to: p('hard') })).ok)
  t.equal(statSync(s.at('hard')).ino, statSync(s.at('d/f')).ino, 'a hard link: the same inode')
  t.ok((await s.ask('write', p('hard'), { content: 'through the link' })).ok, 'a file the bridge linked stays one it acts on')
  t.equal(readFileSync(s.at('d/f'), 'utf8'), 'through the link')
  t.ok((await s.ask('link', p('d/l'), { to: p('hard-symlink') })).ok, 'a symlink can be hard-linked (the link itself)')
  t.ok(lstatSync(s.at('hard-symlink')).isSymbolicLink())
  t.match(await s.ask('link', p('d'), { to: p('dir-link') }), { ok: false, error: /^EPERM/ }, 'a dir can not')
  t.ok((await s.ask('rename', p('d/f'), { to: p('moved') })).ok)
  t.ok(existsSync(s.at('moved')) && !existsSync(s.at('d/f')))
  t.match(await s.ask('unlink', p('d')), { ok: false, error: /^EISDIR/ }, 'unlink removes no dir')
  t.ok((await s.ask('unlink', p('moved'))).ok)
  t.notOk(existsSync(s.at('moved')))
})

t.test('symlink targets: relative, no ".."', async (t) => {
  const s = await bridgeShare(t)
  for (const target of ['..', '../x', 'a/../../b', '/etc', '/', 'a/..', '']) {
    t.match(await s.ask('symlink', `${s.scratchName}/l`, { target }), { ok: false, error: /^refused by the host: / }, `target ${JSON.stringify(target)}`)
  }
  t.notOk(existsSync(s.at('l')))
  t.ok((await s.ask('symlink', `${s.scratchName}/l`, { target: 'a/b/..c' })).ok, '"..c" is a name, not ".."')
})

t.test('remove-tree: rm -rf below the scratch dir, following no link, never the scratch dir itself', async (t) => {
  const s = await bridgeShare(t)
  const outside = join(s.base, 'outside')
  mkdirSync(join(outside, 'deep'), { recursive: true })
  writeFileSync(join(outside, 'deep', 'keep'), 'keep')
  mkdirSync(s.at('tree/a/b'), { recursive: true })
  writeFileSync(s.at('tree/a/b/file'), 'x')
  symlinkSync(outside, s.at('tree/a/out'))
  symlinkSync(join(outside, 'deep', 'keep'), s.at('tree/keep-link'))
  t.ok((await s.ask('remove-tree', `${s.scratchName}/tree`)).ok)
  t.notOk(existsSync(s.at('tree')))
  t.equal(readFileSync(join(outside, 'deep', 'keep'), 'utf8'), 'keep', 'what the links led to is there')
  t.match(await s.ask('remove-tree', s.scratchName), { ok: false, error: /the scratch dir itself/ })
  t.ok(existsSync(s.scratch))
  writeFileSync(s.at('single'), '')
  t.ok((await s.ask('remove-tree', `${s.scratchName}/single`)).ok, 'a file alone, as rm -rf does')
})

t.test('each entries verb\'s scratch guard', async (t) => {
  const s = await bridgeShare(t)
  writeFileSync(s.at('src'), 'x')
  for (const verb of ['mkdir', 'unlink', 'remove-tree']) await expectGuarded(t, s, verb, () => undefined)
  await expectGuarded(t, s, 'symlink', () => ({ target: 'x' }))
  for (const verb of ['link', 'rename']) await expectGuarded(t, s, verb, () => ({ to: `${s.scratchName}/new-${verb}` }))
  for (const verb of ['link', 'rename']) {
    t.match(await s.ask(verb, `${s.scratchName}/src`, { to: 'user-file' }), { ok: false, error: /^refused by the host/ }, `${verb} onto a user's file`)
    t.match(await s.ask(verb, `${s.scratchName}/src`, { to: `${s.scratchName}/escape/planted` }), { ok: false, error: /^ENOTDIR|^ELOOP/ }, `${verb} through a symlink leading out`)
    t.notOk(existsSync(join(s.base, 'outside', 'planted')))
  }
  t.equal(readFileSync(join(s.share, 'user-file'), 'utf8'), 'mine')
})
