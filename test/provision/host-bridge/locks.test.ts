// The lock verbs on a real dir: a lock the bridge holds is seen by another host process (fcntl
// and flock), outlives the helper's other requests on the file, ends at holdMs or unlock; a lock
// another process holds is answered EAGAIN; bounds, forged handles and the scratch guard.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { execa } from 'execa'
import t from 'tap'
import { bridgeShare, expectGuarded } from '../../helpers/bridge-share.ts'
import { MAX_LOCKS } from '../../../provision/host-bridge/verbs/locks.ts'

/** Another host process tries the lock without waiting: 'taken' or 'got'. */
async function otherTries(file: string, kind: 'fcntl' | 'flock'): Promise<string> {
  const take = kind === 'flock' ? 'fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)' : 'fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)'
  const r = await execa('python3', ['-c', `import fcntl, os, sys\nfd = os.open(sys.argv[1], os.O_RDWR)\ntry:\n    ${take}\n    print('got')\nexcept OSError:\n    print('taken')`, file])
  return r.stdout.trim()
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

for (const kind of ['fcntl', 'flock'] as const) {
  t.test(`${kind}: another host process sees the bridge's lock until unlock; a look at the file does not drop it`, async (t) => {
    const s = await bridgeShare(t)
    writeFileSync(s.at('f'), 'data')
    t.equal(await otherTries(s.at('f'), kind), 'got', 'free before')
    const held = await s.ask('lock', `${s.scratchName}/f`, { kind, holdMs: 10_000 })
    t.match(held, { ok: true, value: /^[0-9a-f]{16}$/ }, 'a handle')
    t.equal(await otherTries(s.at('f'), kind), 'taken', 'taken while held')
    t.ok((await s.ask('look', `${s.scratchName}/f`)).ok)
    t.ok((await s.ask('read', `${s.scratchName}/f`)).ok)
    t.equal(await otherTries(s.at('f'), kind), 'taken', 'still taken after the helper opened and closed the file again')
    t.ok((await s.ask('unlock', `${s.scratchName}/f`, { handle: held.value })).ok)
    t.equal(await otherTries(s.at('f'), kind), 'got', 'free after unlock')
    t.match(await s.ask('unlock', `${s.scratchName}/f`, { handle: held.value }), { ok: false, error: /^ENOENT/ }, 'a second unlock: no such lock')
  })
}

t.test('a lock ends by itself at holdMs', async (t) => {
  const s = await bridgeShare(t)
  writeFileSync(s.at('f'), 'data')
  t.ok((await s.ask('lock', `${s.scratchName}/f`, { kind: 'flock', holdMs: 200 })).ok)
  t.equal(await otherTries(s.at('f'), 'flock'), 'taken')
  await sleep(600)
  t.equal(await otherTries(s.at('f'), 'flock'), 'got', 'let go after holdMs')
})

t.test("a lock another process holds: EAGAIN, at once", async (t) => {
  const s = await bridgeShare(t)
  writeFileSync(s.at('f'), 'data')
  const holder = execa('python3', ['-c', 'import fcntl, os, sys, time\nfd = os.open(sys.argv[1], os.O_RDWR)\nfcntl.lockf(fd, fcntl.LOCK_EX)\nfcntl.flock(os.open(sys.argv[1], os.O_RDWR), fcntl.LOCK_EX)\nprint("held", flush=True)\ntime.sleep(30)', s.at('f')])
  await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()))
  try {
    for (const kind of ['fcntl', 'flock']) {
      const started = Date.now()
      t.match(await s.ask('lock', `${s.scratchName}/f`, { kind, holdMs: 1000 }), { ok: false, error: /^EAGAIN|^EACCES/ }, `${kind}: taken`)
      t.ok(Date.now() - started < 5000, `${kind}: without waiting for it`)
    }
  } finally {
    holder.kill()
    await holder.catch(() => undefined)
  }
})

t.test('bounds: holdMs, the number held, handles, what is locked', async (t) => {
  const s = await bridgeShare(t)
  for (let i = 0; i <= MAX_LOCKS; i++) writeFileSync(s.at(`f${i}`), 'x')
  for (let i = 0; i < MAX_LOCKS; i++) t.ok((await s.ask('lock', `${s.scratchName}/f${i}`, { kind: 'flock', holdMs: 5000 })).ok, `lock ${i + 1}`)
  t.match(await s.ask('lock', `${s.scratchName}/f${MAX_LOCKS}`, { kind: 'flock', holdMs: 5000 }), { ok: false, error: /holds 16 locks already/ }, `no more than ${MAX_LOCKS}`)
  t.equal(await otherTries(s.at(`f${MAX_LOCKS}`), 'flock'), 'got', 'and that file was not left locked')
  t.match(await s.ask('lock', `${s.scratchName}/f0`, { kind: 'flock', holdMs: 60_000 }), { ok: false, error: /holdMs/ }, 'at most 10 s')
  t.match(await s.ask('unlock', `${s.scratchName}/f0`, { handle: '0123456789abcdef' }), { ok: false, error: /^ENOENT/ }, 'a forged handle')
  mkdirSync(s.at('d'))
  t.match(await s.ask('lock', `${s.scratchName}/d`, { kind: 'flock', holdMs: 100 }), { ok: false, error: /regular files only/ }, 'not a dir')
  symlinkSync('f0', s.at('l'))
  t.match(await s.ask('lock', `${s.scratchName}/l`, { kind: 'flock', holdMs: 100 }), { ok: false }, 'not through a symlink')
})

t.test("each lock verb's scratch guard", async (t) => {
  const s = await bridgeShare(t)
  await expectGuarded(t, s, 'lock', () => ({ kind: 'flock', holdMs: 100 }))
  await expectGuarded(t, s, 'unlock', () => ({ handle: '0123456789abcdef' }))
})
