import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { BridgeServer } from '../../../provision/host-bridge/server.ts'
import { bridgeShare, MOUNT } from '../../helpers/bridge-share.ts'

const claim = async (server: BridgeServer, path: string, mount = MOUNT) => JSON.parse(await server.handle(JSON.stringify({ id: 1, verb: 'claim', mount, path }))) as { ok: boolean; error?: string }

t.test('a claim takes only a new, empty, real dir made directly in the share', async (t) => {
  const s = await bridgeShare(t, { claim: false })
  mkdirSync(join(s.share, '.limafs-before1'))
  const before = new BridgeServer([{ mountPoint: MOUNT, hostDir: s.share }], { refused: () => {} })
  t.teardown(() => before.close())
  t.match(await claim(before, '.limafs-before1'), { ok: false, error: /was in the share before this run began/ }, 'a dir that was there before the bridge began')
  symlinkSync(s.base, join(s.share, '.limafs-link001'))
  t.match(await s.ask('claim', '.limafs-link001'), { ok: false, error: /symlink, not a directory/ }, 'a symlink named like a scratch dir')
  writeFileSync(join(s.share, '.limafs-file001'), '')
  t.match(await s.ask('claim', '.limafs-file001'), { ok: false, error: /file, not a directory/ }, 'a file')
  mkdirSync(join(s.share, '.limafs-full001'))
  writeFileSync(join(s.share, '.limafs-full001', 'x'), '')
  t.match(await s.ask('claim', '.limafs-full001'), { ok: false, error: /not empty/ }, 'a dir with something in it')
  mkdirSync(join(s.share, 'sub', '.limafs-deep001'), { recursive: true })
  t.match(await s.ask('claim', 'sub/.limafs-deep001'), { ok: false, error: /one dir directly in the share/ }, 'a dir deeper in the share')
  t.match(await s.ask('claim', 'not-scratch'), { ok: false, error: /not a scratch dir name/ }, 'a name without the pattern')
  t.match(await s.ask('write', '.limafs-link001/x', { content: 'x' }), { ok: false, error: /not a scratch dir this run claimed/ }, 'a refused claim gives no scratch dir')
  t.match(await s.ask('claim', s.scratchName), { ok: true }, 'the run\'s own new dir is taken')
  t.match(await s.ask('claim', s.scratchName), { ok: true, value: { adopted: true } }, 'claimed again (the verify pass), it is adopted')
})

t.test('a claim refuses a dir older than the run (a user\'s empty dir renamed like a scratch dir)', async (t) => {
  const s = await bridgeShare(t, { claim: false })
  mkdirSync(join(s.share, 'users-empty-dir'))
  await new Promise((r) => setTimeout(r, 1100)) // the bridge allows a second of clock slack
  const fresh = new BridgeServer([{ mountPoint: MOUNT, hostDir: s.share }], { refused: () => {} })
  t.teardown(() => fresh.close())
  renameSync(join(s.share, 'users-empty-dir'), join(s.share, '.limafs-moved01'))
  const answer = await claim(fresh, '.limafs-moved01')
  if (answer.ok) {
    t.pass('skipped', { skip: 'this file system records no birth times: a renamed empty dir can be claimed (it is empty)' })
    return
  }
  t.match(answer.error, /older than this run/)
})

t.test('a claim is for one share: another mount, or a scratch dir of another share, is refused', async (t) => {
  const s = await bridgeShare(t)
  t.match(await claim(s.server, s.scratchName, '/mnt/limafs/other'), { ok: false, error: /no share of this run is mounted at/ })
  t.match(await s.ask('claim', `${s.scratchName}/..`), { ok: false, error: /^refused by the host/ })
  t.match(await s.ask('claim', `../${s.scratchName}`), { ok: false, error: /^refused by the host/ })
})
