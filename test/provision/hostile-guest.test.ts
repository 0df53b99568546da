// The host bridge against a hostile guest (issue 17): every verb, every attack class, a sentinel
// tree outside the scratch dir (outside the share, and a user's files inside it) unchanged byte
// for byte (content, mode, owner, links, times, entries) after each, and the bridge still
// answering. Real python3 helpers on a real file system; the guest's own moves are made directly
// on the host, as the share server would make them for it. Portable (Linux and macOS): what
// can't run here is skipped with the reason. As root on Linux the attacks also run with the
// macOS way of resolving (no O_PATH), with least rights (the share owned by uid 1000), and as an
// ordinary user (this file again, as uid 1000).
import { linkSync, lchownSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import t, { type Test } from 'tap'
import type { BridgeResponse } from '../../agent/host-bridge.ts'
import { BRIDGE_MARK } from '../../agent/host-bridge.ts'
import { serveAgentStreams } from '../../provision/agent-pass.ts'
import { VERBS } from '../../provision/host-bridge/verbs/index.ts'
import { bridgeShare, IS_ROOT, MOUNT, SHARE_USER, type BridgeShare } from '../helpers/bridge-share.ts'
import { emptyDir, flip, hasBirthTimes, makeSentinel, makeSpecials, settleTimes, snapshot, within, type Sentinel, type Snapshot } from '../helpers/hostile.ts'

t.setTimeout(0)
const LINUX = process.platform === 'linux'
const CHILD = process.env.LIMAFS_HOSTILE_CHILD === '1'

interface Req {
  path: string
  args?: Record<string, unknown>
}

interface VerbCase {
  /** A request acting on the object at path (`fresh`: a new name in the scratch dir, for `to`). */
  on(path: string, fresh: string): Req
  /** Verbs naming two paths: a request whose `to` is path (from src, a file in the scratch dir). */
  onTo?(path: string, src: string): Req
  /** Args of the right verb and the wrong shape: each refused at the boundary. */
  bad: unknown[]
}

const time = (sec: number) => ({ sec, nsec: 0 })
const CASES: Record<string, VerbCase> = {
  claim: { on: (path) => ({ path }), bad: [{ x: 1 }, []] },
  look: { on: (path) => ({ path }), bad: [{ follow: true }, [1]] },
  list: { on: (path) => ({ path }), bad: [{ all: 1 }] },
  statfs: { on: (path) => ({ path }), bad: [{ x: null }] },
  read: { on: (path) => ({ path }), bad: [{ offset: 5 }, 'x'] },
  write: { on: (path) => ({ path, args: { content: 'EVIL\n' } }), bad: [{}, { content: 5 }, { content: null }, { content: ['a'] }, { content: 'a', mode: 0o777 }, { content: 'x'.repeat(1024 * 1024 + 1) }] },
  append: { on: (path) => ({ path, args: { content: 'EVIL\n' } }), bad: [{}, { content: { toString: 'x' } }, { content: true }] },
  replace: { on: (path) => ({ path, args: { content: 'EVIL\n' } }), bad: [{}, { content: 1e308 }] },
  truncate: { on: (path) => ({ path, args: { size: 0 } }), bad: [{}, { size: -1 }, { size: 1.5 }, { size: '0' }, { size: 1e308 }, { size: 2 ** 64 }, { size: null }] },
  copy: { on: (path, fresh) => ({ path, args: { to: fresh } }), onTo: (path, src) => ({ path: src, args: { to: path } }), bad: [{}, { to: 5 }, { to: null }, { to: ['a'] }, { to: '' }] },
  mkdir: { on: (path) => ({ path }), bad: [{ mode: -1 }, { mode: 0o4777 }, { mode: 'rwx' }, { mode: 2 ** 53 }] },
  symlink: { on: (path) => ({ path, args: { target: 'f' } }), bad: [{}, { target: '/etc' }, { target: '..' }, { target: 'a/../../b' }, { target: '' }, { target: 5 }, { target: 'a\0b' }] },
  link: { on: (path, fresh) => ({ path, args: { to: fresh } }), onTo: (path, src) => ({ path: src, args: { to: path } }), bad: [{}, { to: {} }, { to: 1 }] },
  unlink: { on: (path) => ({ path }), bad: [{ recursive: true }] },
  rename: { on: (path, fresh) => ({ path, args: { to: fresh } }), onTo: (path, src) => ({ path: src, args: { to: path } }), bad: [{}, { to: false }, { to: 'x'.repeat(5000) }] },
  'remove-tree': { on: (path) => ({ path }), bad: [{ force: true }] },
  'make-entries': { on: (path) => ({ path, args: { count: 3, prefix: 'evil-' } }), bad: [{}, { count: 0, prefix: 'a' }, { count: 10_001, prefix: 'a' }, { count: 1, prefix: '../a' }, { count: 1, prefix: 'a/b' }, { count: 1, prefix: '.' }, { count: 1, prefix: 'x'.repeat(250) }, { count: 1, prefix: 'a\0' }, { count: '5', prefix: 'a' }] },
  chmod: { on: (path) => ({ path, args: { mode: 0o777 } }), bad: [{}, { mode: -1 }, { mode: 0o10000 }, { mode: '777' }, { mode: 0.5 }] },
  chown: { on: (path) => ({ path, args: { uid: 1234, gid: 1234 } }), bad: [{}, { uid: -1, gid: 0 }, { uid: 2 ** 32, gid: 0 }, { uid: 'root', gid: 0 }, { uid: 0 }, { uid: 0, gid: 0, expect: ['1', '2'] }] },
  touch: { on: (path) => ({ path, args: { mtime: 1 } }), bad: [{ mtime: -5 }, { mtime: 'now' }, { mtime: 2 ** 60 }] },
  utimes: { on: (path) => ({ path, args: { atime: time(1), mtime: time(1) } }), bad: [{ atime: time(1) }, { atime: { sec: 1, nsec: 1e9 }, mtime: time(1) }, { atime: 5, mtime: 5 }, { atime: 'now', mtime: 'now' }] },
  lock: { on: (path) => ({ path, args: { kind: 'flock', holdMs: 50 } }), bad: [{}, { kind: 'posix', holdMs: 1 }, { kind: 'flock', holdMs: 0 }, { kind: 'flock', holdMs: 1e9 }, { kind: 'flock' }, { kind: 'flock', holdMs: 1, wait: true }] },
  unlock: { on: (path) => ({ path, args: { handle: '0123456789abcdef' } }), bad: [{}, { handle: 5 }, { handle: '../x' }, { handle: 'ABCDEF0123456789' }, { handle: '0'.repeat(5000) }] },
}

/** Verbs that only read metadata: they may succeed on what they are pointed at (no content, no change). */
const LOOKS = new Set(['look'])

t.test('every verb of the bridge has attacks here', async (t) => {
  t.strictSame(Object.keys(CASES).sort(), Object.keys(VERBS).sort())
})

interface Mode {
  name: string
  portable: boolean
  owner?: { uid: number; gid: number }
  flipSeconds: number
}

const MODES: Mode[] = CHILD
  ? [{ name: 'as an ordinary user', portable: false, flipSeconds: 0.2 }, ...(LINUX ? [{ name: 'as an ordinary user, the macOS way', portable: true, flipSeconds: 0.2 }] : [])]
  : [
    { name: LINUX ? 'O_PATH resolution, a root-owned share: the helper has every right, only resolution stops an attack' : 'a share of our own', portable: false, flipSeconds: 1 },
    ...(LINUX ? [{ name: 'the macOS way (no O_PATH) on Linux, a root-owned share', portable: true, flipSeconds: 0.4 }] : []),
    ...(LINUX && IS_ROOT ? [{ name: 'least rights: the share owned by uid 1000, the helper running as it', portable: false, owner: SHARE_USER, flipSeconds: 0.2 }] : []),
  ]

for (const mode of MODES) t.test(mode.name, (t) => attacks(t, mode))

async function attacks(t: Test, mode: Mode): Promise<void> {
  let sentinel!: Sentinel
  const s = await bridgeShare(t, { ...(mode.owner ? { owner: mode.owner } : {}), portable: mode.portable, before: (share, base) => (sentinel = makeSentinel(share, base, mode.owner)) })
  const S = s.scratchName
  const OUT = sentinel.outside
  const own = (p: string) => {
    if (!mode.owner) return
    lchownSync(p, mode.owner.uid, mode.owner.gid)
    if (lstatSync(p).isDirectory()) for (const n of readdirSync(p)) own(join(p, n))
  }
  settleTimes(s.base, s.scratch)
  // The scratch dir (and where it is moved aside) changes: everything else must not.
  const skip = new Set([s.scratch, `${s.scratch}.real`])
  snapshot([s.base], skip, { atime: false })
  const atimes = JSON.stringify(snapshot([s.base], skip, { atime: true })) === JSON.stringify(snapshot([s.base], skip, { atime: true }))
  /** What is outside the scratch dir now (read twice: a first read after a change may set atimes). */
  const snap = (roots: string[] = [s.base]) => {
    snapshot(roots, skip, { atime: false })
    return snapshot(roots, skip, { atime: atimes })
  }
  const answers: BridgeResponse[] = []
  const send = async (verb: string, r: Req) => {
    const a = await within(15_000, `${verb} ${r.path}`, s.ask(verb, r.path, r.args))
    // (An answer may quote the request: the host paths the guest itself sent don't count.)
    if (!JSON.stringify(r).includes(s.base)) answers.push(a)
    return a
  }
  const alive = async (t: Test, what: string) => t.match(await s.ask('look', S), { ok: true }, `${what}: the bridge still answers`)
  const unchanged = (t: Test, before: Snapshot, what: string, roots?: string[]) => t.strictSame(snap(roots), before, `${what}: outside the scratch dir nothing changed`)
  const notOk = (t: Test, list: BridgeResponse[], what: string) => {
    const served = list.filter((a) => a.ok)
    t.equal(served.length, 0, `${what}: all refused${served.length ? ` (served: ${JSON.stringify(served).slice(0, 200)})` : ''}`)
  }
  if (!atimes) t.comment('atimes change on reads here (strictatime): the snapshots leave them out')

  /** The scratch dir as the attacks find it, made by the guest (through the share). */
  const layout = () => {
    emptyDir(s.scratch)
    writeFileSync(s.at('f'), 'scratch file\n')
    mkdirSync(s.at('d'))
    writeFileSync(s.at('d/f2'), 'scratch file\n')
    symlinkSync(OUT, s.at('L1'))
    symlinkSync(OUT, s.at('d/L2'))
    symlinkSync(join(OUT, 'victim'), s.at('d/L3'))
    symlinkSync(OUT, s.at('d/L4'))
    symlinkSync(sentinel.userDir, s.at('d/L5'))
    symlinkSync('..', s.at('up'))
    symlinkSync('..', s.at('d/up'))
    own(s.scratch)
  }
  const everyVerb = async (t: Test, what: string, build: (verb: string, c: VerbCase) => Req[] | Promise<Req[]>, expect: (verb: string, got: BridgeResponse[]) => void = () => {}, roots?: string[]) => {
    for (const [verb, c] of Object.entries(CASES)) {
      layout()
      const before = snap(roots)
      const reqs = await build(verb, c)
      const got: BridgeResponse[] = []
      for (const r of reqs) got.push(await send(verb, r))
      expect(verb, got)
      unchanged(t, before, `${what}: ${verb} (${reqs.length} requests)`, roots)
    }
    await alive(t, what)
  }

  t.test('a symlink in the first, middle or last component, with and without a trailing slash', async (t) => {
    const components = [`${S}/L1/victim`, `${S}/L1/sub/inner`, `${S}/L1/new`, `${S}/d/L2/victim`, `${S}/d/L2/new`, `${S}/d/L4/`, `${S}/d/L5/doc`, `${S}/d/L5/new`]
    const last = [`${S}/d/L3`]
    await everyVerb(t, 'symlink components', (verb, c) => {
      const reqs = [...components, ...last].map((p, i) => c.on(p, `${S}/fresh-${i}`))
      if (c.onTo) reqs.push(...[...components, ...last].map((p) => c.onTo!(p, `${S}/f`)))
      return reqs
    }, (verb, got) => notOk(t, got.slice(0, components.length), `${verb} through a symlinked component`))
  })

  t.test('links made through the bridge itself, and chains of guest-made `up -> ..` links', async (t) => {
    layout()
    t.match(await send('symlink', { path: `${S}/bl`, args: { target: 'd' } }), { ok: true }, 'a relative link within the scratch dir is made')
    for (const target of ['..', '../..', 'd/../..', '../user-file', `${OUT}/victim`, '/']) {
      t.match(await send('symlink', { path: `${S}/bad`, args: { target } }), { ok: false }, `a link to ${target} is refused`)
    }
    const chains = [`${S}/bl/f2`, `${S}/up/user-file`, `${S}/up/user-dir/doc`, `${S}/d/up/up/user-file`, `${S}/d/up/d/f2`, `${S}/up/.limafs-preexist/keep`, `${S}/up/${S}/f`, `${S}/d/up/up/new`]
    await everyVerb(t, 'link chains', async (verb, c) => {
      await send('symlink', { path: `${S}/bl`, args: { target: 'd' } })
      return [...chains.map((p, i) => c.on(p, `${S}/fresh-${i}`)), ...(c.onTo ? chains.map((p) => c.onTo!(p, `${S}/f`)) : [])]
    }, (verb, got) => notOk(t, got.slice(1), `${verb} through a chain of links`))
  })

  t.test('a flipper swaps a dir (first or middle component) or the last component for a symlink leading out, in a tight loop', async (t) => {
    for (const [verb, c] of Object.entries(CASES)) {
      layout()
      const before = snap()
      const seconds = mode.flipSeconds
      const flippers = flip([
        { dir: s.scratch, name: 'F', target: OUT, kind: 'dir' }, // the first component
        { dir: s.at('d'), name: 'F', target: OUT, kind: 'dir' }, // a middle one
        { dir: s.at('d'), name: 'G', target: join(OUT, 'victim'), kind: 'file' }, // the last
        { dir: s.at('d'), name: 'H', target: OUT, kind: 'dir' }, // the last, with a trailing slash
      ], seconds)
      let done = false
      void flippers.finally(() => (done = true))
      let sent = 0
      const worker = async () => {
        while (!done) {
          // A refusal needs no I/O: without this the loop would never let the flippers' ends be seen.
          await new Promise((r) => setImmediate(r))
          const i = sent++
          const targets = [`${S}/F/victim`, `${S}/d/F/victim`, `${S}/d/G`, `${S}/d/H/`, `${S}/F/new-${i}`, `${S}/d/F/new-${i}`]
          const p = targets[i % targets.length]!
          if (c.onTo && i % 2) {
            writeFileSync(s.at(`src-${i}`), 'scratch src\n')
            await send(verb, c.onTo(p, `${S}/src-${i}`))
          } else await send(verb, c.on(p, `${S}/fresh-${i}`))
        }
      }
      const workers = await Promise.allSettled(Array.from({ length: 8 }, worker))
      done = true
      const flips = await flippers
      for (const w of workers) if (w.status === 'rejected') t.fail(`${verb}: ${String(w.reason)}`)
      t.ok(flips.every((n) => n > 0), `${verb}: the flippers flipped (${flips.join(', ')} times) while ${sent} requests ran`)
      unchanged(t, before, `flipper: ${verb}`)
    }
    await alive(t, 'flipper')
  })

  t.test('hard links in the scratch dir to a file outside the share, to a user\'s file, to a user\'s file made during the run', async (t) => {
    const fresh = join(s.share, 'fresh-user-file')
    writeFileSync(fresh, 'made by the user during the run\n')
    own(fresh)
    settleTimes(fresh, '')
    const names = ['hl', 'hu', 'hn']
    // The links are there before the snapshot: their making changed the targets' link counts.
    for (const [verb, c] of Object.entries(CASES)) {
      layout()
      for (const [name, target] of [['hl', join(OUT, 'victim')], ['hu', sentinel.userFile], ['hn', fresh]] as const) linkSync(target, s.at(name))
      const before = snap()
      const got: BridgeResponse[] = []
      for (const name of names) {
        got.push(await send(verb, c.on(`${S}/${name}`, `${S}/fresh-${name}`)))
        if (c.onTo) got.push(await send(verb, c.onTo(`${S}/${name}`, `${S}/f`)))
      }
      if (!LOOKS.has(verb)) notOk(t, got, `${verb} on a hard link`)
      unchanged(t, before, `hard links: ${verb}`)
      for (const name of names) rmSync(s.at(name), { force: true })
    }
    rmSync(fresh)
    await alive(t, 'hard links')
  })

  t.test('a user\'s file and dir moved into the scratch dir (as the guest can, through the share)', { skip: hasBirthTimes(s.scratch) ? false : 'this file system records no birth times: the bridge can\'t tell a moved-in object (documented)' }, async (t) => {
    const movedFile = s.at('moved-file')
    const movedDir = s.at('moved-dir')
    for (const [verb, c] of Object.entries(CASES)) {
      layout()
      renameSync(sentinel.userFile, movedFile)
      renameSync(sentinel.userDir, movedDir)
      const roots = [s.base, movedFile, movedDir]
      const before = snap(roots)
      const got: BridgeResponse[] = []
      for (const p of [`${S}/moved-file`, `${S}/moved-dir`, `${S}/moved-dir/doc`, `${S}/moved-dir/new`]) {
        got.push(await send(verb, c.on(p, `${S}/fresh`)))
        if (c.onTo) got.push(await send(verb, c.onTo(p, `${S}/f`)))
      }
      if (!LOOKS.has(verb)) notOk(t, got, `${verb} on what was moved in`)
      unchanged(t, before, `moved in: ${verb}`, roots)
      renameSync(movedFile, sentinel.userFile)
      renameSync(movedDir, sentinel.userDir)
    }
    await alive(t, 'moved in')
  })

  t.test('fifos, sockets and devices: refused without being opened, nothing hangs', async (t) => {
    await everyVerb(t, 'special files', async (verb, c) => {
      const specials = await makeSpecials(s.scratch)
      specials.forEach((n) => own(s.at(n)))
      return [...specials.map((n) => c.on(`${S}/${n}`, `${S}/fresh-${n}`)), ...(c.onTo ? specials.map((n) => c.onTo!(`${S}/${n}`, `${S}/f`)) : [])]
    }, (verb, got) => {
      if (['read', 'write', 'append', 'truncate', 'copy'].includes(verb)) notOk(t, got.slice(0, 2), `${verb} of a fifo or socket`)
      if (['chmod', 'chown', 'touch', 'utimes', 'read', 'write'].includes(verb) && got.length > 2) notOk(t, got.slice(2, 3), `${verb} of a device`)
    })
  })

  t.test('paths outside the scratch dir but inside the share, or outside it altogether', async (t) => {
    const paths = ['user-file', 'user-dir/doc', 'user-dir', 'user-dir/new', '.limafs-preexist/keep', '.limafs-preexist', '', '.', '..', '/etc/passwd', join(OUT, 'victim'), `${S}/../user-file`, `${S}/./f`, `${S}//f`, `../${S}/f`, `${S}/`, `${S}/d/../../user-file`]
    await everyVerb(t, 'outside the scratch dir', (verb, c) => [...paths.map((p) => c.on(p, `${S}/fresh`)), ...(c.onTo ? paths.map((p) => c.onTo!(p, `${S}/f`)) : [])], (verb, got) => notOk(t, got, verb))
  })

  t.test('claims: of a dir that was there before, a symlink, a full dir, a dir deeper down; the scratch dir swapped for a symlink after its claim', async (t) => {
    symlinkSync(OUT, join(s.share, '.limafs-lnk00000'))
    mkdirSync(join(s.share, '.limafs-full0000'))
    writeFileSync(join(s.share, '.limafs-full0000', 'x'), '')
    settleTimes(s.share, s.scratch)
    layout()
    const before = snap()
    for (const name of ['.limafs-preexist', '.limafs-lnk00000', '.limafs-full0000', 'user-dir', `${S}/d`, '.limafs-none0000']) {
      t.match(await send('claim', { path: name }), { ok: false }, `a claim of ${name} is refused`)
    }
    await everyVerb(t, 'refused claims', (verb, c) => ['.limafs-lnk00000/victim', '.limafs-preexist/keep', '.limafs-full0000/x', '.limafs-lnk00000/new'].map((p) => c.on(p, `${S}/fresh`)), (verb, got) => notOk(t, got, verb))
    unchanged(t, before, 'claims')
    for (const [verb, c] of Object.entries(CASES)) {
      layout()
      renameSync(s.scratch, `${s.scratch}.real`)
      symlinkSync(OUT, s.scratch)
      const swapped = snap()
      await send(verb, c.on(`${S}/f`, `${S}/fresh`))
      await send(verb, c.on(`${S}/new`, `${S}/fresh2`))
      if (c.onTo) await send(verb, c.onTo(`${S}/fresh3`, `${S}/d/f2`))
      unchanged(t, swapped, `the scratch dir swapped for a symlink: ${verb}`)
      unlinkSync(s.scratch)
      renameSync(`${s.scratch}.real`, s.scratch)
    }
    for (const n of ['.limafs-lnk00000', '.limafs-full0000']) rmSync(join(s.share, n), { recursive: true })
    await alive(t, 'claims')
  })

  t.test('malformed requests: any JSON value, wrong types, huge numbers', async (t) => {
    layout()
    const before = snap()
    for (const [verb, c] of Object.entries(CASES)) {
      const lines = [
        ...c.bad.map((args) => ({ id: 1, verb, mount: MOUNT, path: `${S}/f`, args })),
        { id: 1, verb, mount: MOUNT, path: 7 }, { id: 1, verb, mount: MOUNT, path: `${S}/f`, args: null }, { id: 1, verb, mount: MOUNT, path: `${S}/f`, args: [] },
        { id: 1, verb, mount: MOUNT, path: `${S}/f`, args: 'x' }, { id: 'x', verb, mount: MOUNT, path: `${S}/f` }, { verb, mount: MOUNT, path: `${S}/f` },
        { id: 1, verb, mount: 5, path: `${S}/f` }, { id: 1, verb: [verb], mount: MOUNT, path: `${S}/f` }, [verb], { id: 2 ** 64, verb, mount: MOUNT, path: `${S}/f` },
      ]
      const got = await Promise.all(lines.map(async (l) => JSON.parse(await s.raw(JSON.stringify(l))) as BridgeResponse))
      t.ok(got.every((a) => !a.ok && /^refused by the host: /.test(a.error ?? '')), `${verb}: ${lines.length} malformed requests refused with a reason`)
    }
    for (const raw of ['null', '[]', '0', '-1e999', '"str"', 'true', '{}', '{"id":1}', '{"__proto__":{"verb":"write"}}', `${'['.repeat(100_000)}${']'.repeat(100_000)}`]) {
      const line = await s.raw(raw)
      t.ok(line === '' || JSON.parse(line).ok === false, `${raw.slice(0, 20)}: refused`)
    }
    unchanged(t, before, 'malformed')
    await alive(t, 'malformed')
  })

  t.test('an oversized request line is dropped as it streams by, answered by its id', async (t) => {
    layout()
    const before = snap()
    const streams = agentStreams(s)
    for (const [i, verb] of Object.keys(CASES).entries()) {
      const head = `${BRIDGE_MARK}{"id":${1000 + i},"verb":"${verb}","mount":"${MOUNT}","path":"${S}/f","args":{"content":"`
      streams.stderr.write(head)
      const chunk = 'E'.repeat(64 * 1024)
      for (let k = 0; k < 40; k++) streams.stderr.write(chunk) // 2.5 MiB: over the bound
      streams.stderr.write('"}}\n')
    }
    const heap0 = memory()
    const big = Buffer.alloc(1024 * 1024, 'x')
    streams.stderr.write(`${BRIDGE_MARK}{"id":999,"verb":"write","path":"`)
    for (let k = 0; k < 200; k++) streams.stderr.write(big) // a 200 MiB line
    streams.stderr.write('"}\n')
    streams.stderr.end()
    await streams.channel.idle()
    const grew = memory() - heap0
    t.ok(grew < 64 * 1024 * 1024, `a 200 MiB line was never held whole (memory grew ${(grew / 2 ** 20).toFixed(1)} MiB)`)
    for (const [i, verb] of Object.keys(CASES).entries()) t.match(streams.answers.get(1000 + i), { ok: false, error: /over the bound/ }, `${verb}: refused, answered`)
    t.match(streams.answers.get(999), { ok: false, error: /over the bound/ })
    unchanged(t, before, 'oversized lines')
    await alive(t, 'oversized lines')
  })

  t.test('a flood of requests with large answers to an agent that does not read them: memory stays bounded', async (t) => {
    layout()
    writeFileSync(s.at('big'), Buffer.alloc(1024 * 1024, 'b'))
    own(s.at('big'))
    const n = 400
    let made = 0
    const stderr = new Readable({
      read() {
        if (made >= n) return void this.push(null)
        const i = made++
        this.push(`${BRIDGE_MARK}${JSON.stringify({ id: i, verb: i % 4 ? 'read' : 'list', mount: MOUNT, path: i % 4 ? `${S}/big` : S })}\n`)
      },
    })
    let released = false
    const held: Array<() => void> = []
    let undrained = 0
    let most = 0
    const answered = new Set<number>()
    const channel = serveAgentStreams({
      stdout: new PassThrough(), stderr,
      write: (answer) => {
        answered.add(JSON.parse(String(answer)).id as number)
        undrained++
        most = Math.max(most, undrained)
        if (released) {
          undrained--
          return Promise.resolve()
        }
        return new Promise((resolve) => held.push(() => (undrained--, resolve())))
      },
    }, { bridge: s.server, tap: () => {}, progress: () => {}, note: () => {} })
    const before = memory()
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, memory())), 20)
    await new Promise((r) => setTimeout(r, 2000))
    t.ok(made < n, `the agent was held back: ${made} of ${n} requests read while no answer drained`)
    t.ok(most <= 17, `at most the in-flight bound of answers waited to drain (${most})`)
    // What is held while the agent reads nothing is what must stay bounded (the whole flood's
    // peak, once answers flow, is mostly garbage the GC has not collected yet).
    clearInterval(sampler)
    const grew = peak - before
    t.ok(grew < 128 * 1024 * 1024, `memory grew ${(grew / 2 ** 20).toFixed(0)} MiB while the agent read nothing (${n} requests of 1 MiB answers offered)`)
    released = true
    for (const release of held.splice(0)) release()
    await within(120_000, 'the flood', new Promise<void>((resolve) => stderr.on('end', resolve)).then(() => channel.idle()))
    t.equal(answered.size, n, 'once the agent reads again, every request is answered')
    await alive(t, 'flood')
  })

  t.test('no answer names a host path', async (t) => {
    // (A symlink's target is the guest's own text: look says it as it is.)
    const leaks = answers.filter((a) => a.error?.includes(s.base) || JSON.stringify({ ...(a.value as object), symlinkTarget: undefined }).includes(s.base))
    t.strictSame(leaks, [], `${answers.length} answers`)
  })

  t.test('the refusals were logged', async (t) => {
    t.ok(s.refusals.length > 100, `${s.refusals.length} refusals logged`)
  })
}

function memory(): number {
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

/** The agent's streams as an ssh channel would give them (a test double: PassThrough streams). */
function agentStreams(s: BridgeShare) {
  const stderr = new PassThrough()
  const answers = new Map<number, BridgeResponse>()
  const channel = serveAgentStreams({
    stdout: new PassThrough(), stderr,
    write: async (answer) => {
      const a = JSON.parse(String(answer)) as BridgeResponse
      answers.set(a.id, a)
    },
  }, { bridge: s.server, tap: () => {}, progress: () => {}, note: () => {} })
  return { stderr, channel, answers }
}

t.test('as an ordinary user (uid 1000): the attacks again, in a process of its own', { skip: CHILD ? 'this is that run' : !IS_ROOT || !LINUX ? 'needs root on Linux to start it' : false }, async (t) => {
  const root = fileURLToPath(new URL('../../', import.meta.url))
  // Not tap's own hooks (they write into the worktree, which this user can't): a plain node + tsx run.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TAP|NODE_OPTIONS|_TAPJS)/.test(k)))
  const r = await execa(process.execPath, ['--import=tsx', fileURLToPath(import.meta.url)], {
    cwd: root, uid: SHARE_USER.uid, gid: SHARE_USER.gid, reject: false, all: true, extendEnv: false,
    env: { ...env, LIMAFS_HOSTILE_CHILD: '1', HOME: '/tmp' },
  })
  const failures = r.all.split('\n').filter((l) => /^\s*not ok/.test(l))
  const total = r.all.split('\n').find((l) => /^# \{ total/.test(l)) ?? r.all.slice(-1500)
  t.equal(r.exitCode, 0, `the run as uid ${SHARE_USER.uid}: ${total}${failures.length ? `; ${failures.slice(0, 10).join('; ')}` : ''}`)
})
