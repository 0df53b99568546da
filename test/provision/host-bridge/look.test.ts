import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import t from 'tap'
import { bridgeShare, expectGuarded } from '../../helpers/bridge-share.ts'

t.test('list: every entry, dot-files included, names as raw bytes and UTF-8, with types', async (t) => {
  const s = await bridgeShare(t)
  writeFileSync(s.at('f'), '')
  mkdirSync(s.at('.virtfs_metadata'))
  symlinkSync('f', s.at('l'))
  // APFS refuses a name that is not UTF-8 (EILSEQ): there the raw-bytes entry is not made.
  let raw = true
  try {
    writeFileSync(Buffer.concat([Buffer.from(`${s.scratch}/`), Buffer.from([0x62, 0xff])]), '')
  } catch {
    raw = false
  }
  const r = await s.ask('list', s.scratchName)
  t.strictSame(r.value, [
    { name: '.virtfs_metadata', hex: Buffer.from('.virtfs_metadata').toString('hex'), type: 'dir' },
    ...(raw ? [{ name: 'b\ufffd', hex: '62ff', type: 'file' }] : []),
    { name: 'f', hex: '66', type: 'file' },
    { name: 'l', hex: '6c', type: 'symlink' },
  ])
  t.match(await s.ask('list', `${s.scratchName}/f`), { ok: false, error: /^ENOTDIR/ })
})

t.test('statfs: the share\'s file system through the scratch dir', async (t) => {
  const s = await bridgeShare(t)
  const v = (await s.ask('statfs', s.scratchName)).value as { bsize: number; blocks: number; bavail: number; bfree: number; namemax: number }
  t.ok(v.bsize > 0 && v.blocks > 0 && v.bavail <= v.bfree && v.namemax >= 255, JSON.stringify(v))
})

t.test('each look verb\'s scratch guard (they only read metadata: still only in the scratch dir)', async (t) => {
  const s = await bridgeShare(t)
  for (const verb of ['look', 'list', 'statfs']) await expectGuarded(t, s, verb, () => undefined)
})
