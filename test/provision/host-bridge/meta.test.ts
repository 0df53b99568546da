import { chmodSync, lstatSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import t from 'tap'
import { bridgeShare, expectGuarded, IS_ROOT } from '../../helpers/bridge-share.ts'

t.test('chmod and touch act on the object; never a setuid file, never a symlink\'s mode', async (t) => {
  const s = await bridgeShare(t)
  const p = (n: string) => `${s.scratchName}/${n}`
  writeFileSync(s.at('f'), 'x')
  t.ok((await s.ask('chmod', p('f'), { mode: 0o640 })).ok)
  t.equal(statSync(s.at('f')).mode & 0o7777, 0o640)
  t.match(await s.ask('chmod', p('f'), { mode: 0o4755 }), { ok: false, error: /no setuid or setgid file/ })
  t.match(await s.ask('chmod', p('f'), { mode: 0o2755 }), { ok: false, error: /no setuid or setgid file/ })
  t.ok((await s.ask('mkdir', p('d'))).ok)
  t.ok((await s.ask('chmod', p('d'), { mode: 0o2775 })).ok, 'setgid on a dir (inherit the group) is fine')
  symlinkSync('f', s.at('l'))
  t.match(await s.ask('chmod', p('l'), { mode: 0o600 }), { ok: false, error: /is a symlink/ })
  t.equal(statSync(s.at('f')).mode & 0o7777, 0o640, 'the file behind it is untouched')
  t.ok((await s.ask('touch', p('f'), { mtime: 1_000_000_000 })).ok)
  t.equal(statSync(s.at('f')).mtimeMs, 1e12)
  t.ok((await s.ask('touch', p('f'))).ok)
  t.ok(statSync(s.at('f')).mtimeMs > 1e12, 'now')
  t.match(await s.ask('touch', p('l')), { ok: false, error: /is a symlink/ })
})

t.test('utimes: nanoseconds, now, and a symlink\'s own times', async (t) => {
  const s = await bridgeShare(t)
  const p = (n: string) => `${s.scratchName}/${n}`
  writeFileSync(s.at('f'), 'x')
  t.ok((await s.ask('utimes', p('f'), { atime: { sec: 1_000_000_000, nsec: 123_456_789 }, mtime: { sec: 1_100_000_000, nsec: 987_654_321 } })).ok)
  const st = statSync(s.at('f'), { bigint: true })
  t.equal(st.atimeNs, 1_000_000_000_123_456_789n)
  t.equal(st.mtimeNs, 1_100_000_000_987_654_321n)
  t.ok((await s.ask('utimes', p('f'))).ok)
  t.ok(statSync(s.at('f')).mtimeMs > 1.2e12, 'no args: now')
  symlinkSync('f', s.at('l'))
  const r = await s.ask('utimes', p('l'), { atime: { sec: 5, nsec: 0 }, mtime: { sec: 7, nsec: 500 } })
  if (!r.ok) {
    t.pass('skipped', { skip: `this host can't set a symlink's own times through a descriptor: ${r.error}` })
    return
  }
  t.equal(lstatSync(s.at('l'), { bigint: true }).mtimeNs, 7_000_000_500n, 'the link itself')
  t.ok(statSync(s.at('f')).mtimeMs > 1.2e12, 'not what it points to')
})

t.test('chown: to another owner as root, which drops setuid and setgid', { skip: IS_ROOT ? false : 'needs root' }, async (t) => {
  const s = await bridgeShare(t)
  writeFileSync(s.at('f'), 'x')
  chmodSync(s.at('f'), 0o6755)
  t.ok((await s.ask('chown', `${s.scratchName}/f`, { uid: 1234, gid: 5678 })).ok)
  const st = statSync(s.at('f'))
  t.match(st, { uid: 1234, gid: 5678 })
  t.equal(st.mode & 0o7777, 0o755, 'no setuid or setgid on a file the guest wrote and the host gave away')
  symlinkSync('f', s.at('l'))
  t.ok((await s.ask('chown', `${s.scratchName}/l`, { uid: 4321, gid: 4321 })).ok)
  t.match(lstatSync(s.at('l')), { uid: 4321 }, 'a symlink\'s own owner (lchown)')
  t.match(statSync(s.at('f')), { uid: 1234 })
})

t.test('each meta verb\'s scratch guard', async (t) => {
  const s = await bridgeShare(t)
  await expectGuarded(t, s, 'chmod', () => ({ mode: 0o777 }))
  await expectGuarded(t, s, 'chown', () => ({ uid: 1234, gid: 1234 }))
  await expectGuarded(t, s, 'touch', () => ({ mtime: 1 }))
  await expectGuarded(t, s, 'utimes', () => ({ atime: { sec: 1, nsec: 0 }, mtime: { sec: 1, nsec: 0 } }))
})
