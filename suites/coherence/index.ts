// Cache coherence: the host changes a file, does the guest see it, and how soon? The guest
// writes, does the host see it? Through mmap? Does inotify tell? Every event is fired on every
// share at once and watched in parallel: the whole suite costs one observation window, not one
// per configuration. The verdict is what was observed; known stale modes are marked TODO by
// the matrix, never here.
import {
  sharedSuite, type Arg, type Need, type PointSpec, type PointVerdict, type SharedContext, type SharedTarget,
} from '../../agent/check-api.ts'

/** When the guest looks after a change: at once, then 10 ms, 100 ms, 1 s, and the window's end. */
const LOOKS_MS = [0, 10, 100, 1000]
const V1 = 'limafs-coherence-v1-aaaaaaaaaaaa\n'
const V2 = 'limafs-coherence-v2-bbbbbbbbbbbb\n' // same size as V1: an in-place edit
const MORE = 'appended\n'
const OLD_MTIME = 1_000_000_000 // 2001: whatever the host's clock says now is later

interface Probe {
  op: string
  args: Arg[]
  /** What the guest sees once the change is visible. */
  wanted: string
  /** Reads the op's outcome as comparable text. */
  read: (r: { ok: boolean; value?: unknown; errno?: string }) => string
}

interface HostEvent {
  name: string
  title: string
  /** Host-side setup (before the guest primes its caches). */
  setup: (t: SharedTarget, file: string, host: Host) => Promise<unknown>
  act: (t: SharedTarget, file: string, host: Host) => Promise<{ ok: boolean; error?: string }>
  probe: (file: string) => Probe
  /** The guest reads the file through a descriptor opened before the change. */
  openFd?: boolean
  /** Primes the guest's caches: what the guest looks at before the change. */
  prime?: 'read' | 'lstat' | 'readdir'
}

type Host = SharedTarget['host']

const text = (r: { ok: boolean; value?: unknown; errno?: string }) => (r.ok ? String(r.value) : r.errno ?? 'error')
const field = (name: string) => (r: { ok: boolean; value?: unknown; errno?: string }) => (r.ok ? String((r.value as Record<string, unknown>)[name]) : r.errno ?? 'error')
const write = (host: Host, path: string, content: string) => host.act('write', path, { content })

const HOST_EVENTS: HostEvent[] = [
  {
    name: 'edit-in-place', title: 'host edits a file in place (same size)', openFd: true, prime: 'read',
    setup: (_t, f, h) => write(h, f, V1), act: (_t, f, h) => write(h, f, V2),
    probe: (f) => ({ op: 'read', args: [f], wanted: V2, read: text }),
  },
  {
    name: 'append', title: 'host appends to a file (size grows)', openFd: true, prime: 'read',
    setup: (_t, f, h) => write(h, f, V1), act: (_t, f, h) => h.act('append', f, { content: MORE }),
    probe: (f) => ({ op: 'read', args: [f], wanted: V1 + MORE, read: text }),
  },
  {
    name: 'truncate', title: 'host truncates a file (size shrinks)', openFd: true, prime: 'read',
    setup: (_t, f, h) => write(h, f, V1), act: (_t, f, h) => h.act('truncate', f, { size: 8 }),
    probe: (f) => ({ op: 'read', args: [f], wanted: V1.slice(0, 8), read: text }),
  },
  {
    name: 'replace', title: 'host replaces a file (write a new one, rename it over)', openFd: true, prime: 'read',
    setup: (_t, f, h) => write(h, f, V1), act: (_t, f, h) => h.act('replace', f, { content: V2 }),
    probe: (f) => ({ op: 'read', args: [f], wanted: V2, read: text }),
  },
  {
    name: 'create', title: 'host creates a new file', prime: 'lstat',
    setup: async () => undefined, act: (_t, f, h) => write(h, f, V2),
    probe: (f) => ({ op: 'read', args: [f], wanted: V2, read: text }),
  },
  {
    name: 'delete', title: 'host deletes a file', prime: 'read',
    setup: (_t, f, h) => write(h, f, V1), act: (_t, f, h) => h.act('unlink', f),
    probe: (f) => ({ op: 'lstat', args: [f], wanted: 'ENOENT', read: (r) => (r.ok ? 'exists' : r.errno ?? 'error') }),
  },
  {
    name: 'rename', title: 'host renames a file (the new name shows, the old one goes)', prime: 'read',
    setup: (_t, f, h) => write(h, f, V1), act: (_t, f, h) => h.act('rename', f, { to: `${f}.renamed` }),
    probe: (f) => ({ op: 'lstat', args: [f], wanted: 'ENOENT', read: (r) => (r.ok ? 'exists' : r.errno ?? 'error') }),
  },
  {
    name: 'chmod', title: 'host chmods a file (does the guest\'s stat change?)', prime: 'lstat',
    setup: async (_t, f, h) => {
      await write(h, f, V1)
      return h.act('chmod', f, { mode: 0o644 })
    },
    act: (_t, f, h) => h.act('chmod', f, { mode: 0o600 }),
    probe: (f) => ({ op: 'lstat', args: [f], wanted: '0600', read: field('mode') }),
  },
  {
    name: 'chown', title: 'host chowns a file (does the guest\'s stat change?)', prime: 'lstat',
    setup: (_t, f, h) => write(h, f, V1), act: (_t, f, h) => h.act('chown', f, { uid: 1234, gid: 5678 }),
    probe: (f) => ({ op: 'lstat', args: [f], wanted: '1234', read: field('uid') }),
  },
  {
    name: 'touch', title: 'host touches a file (does the guest\'s mtime change?)', prime: 'lstat',
    setup: async (_t, f, h) => {
      await write(h, f, V1)
      return h.act('touch', f, { mtime: OLD_MTIME })
    },
    act: (_t, f, h) => h.act('touch', f),
    probe: (f) => ({ op: 'lstat', args: [f], wanted: 'newer', read: (r) => (r.ok ? ((r.value as { mtime: number }).mtime > OLD_MTIME + 1 ? 'newer' : String((r.value as { mtime: number }).mtime)) : r.errno ?? 'error') }),
  },
  {
    name: 'readdir', title: 'an entry the host makes shows in a guest readdir', prime: 'readdir',
    setup: (_t, f, h) => h.act('mkdir', f), act: (_t, f, h) => write(h, `${f}/new-entry`, V1),
    probe: (f) => ({ op: 'readdir', args: [f], wanted: 'new-entry', read: text }),
  },
]

const GUEST_WRITES = [
  { name: 'write-close', title: 'guest writes and closes a file: the host sees the content', fsync: false, close: true },
  { name: 'write-open', title: 'guest writes a file it keeps open: the host sees the content', fsync: false, close: false },
  { name: 'write-fsync', title: 'guest writes and fsyncs a file it keeps open: the host sees the content', fsync: true, close: false },
] as const

const HOST: readonly Need[] = ['host']
const POINTS: PointSpec[] = [
  ...HOST_EVENTS.flatMap((e): PointSpec[] => [
    { id: `coherence/host-${e.name}/visible`, title: `${e.title}: the guest sees it within the window (time to visibility)`, needs: HOST },
    { id: `coherence/host-${e.name}/after-drop-caches`, title: `${e.title}: the guest sees it after drop_caches`, needs: ['host', 'root'] },
    ...(e.openFd ? [{ id: `coherence/host-${e.name}/open-fd`, title: `${e.title}: a descriptor the guest opened before reads the change`, needs: HOST }] : []),
  ]),
  ...GUEST_WRITES.map((w): PointSpec => ({ id: `coherence/guest-${w.name}/host-sees`, title: w.title, needs: HOST })),
  { id: 'coherence/guest-mmap-write/host-sees', title: 'guest writes through a shared writable mmap and msyncs: the host sees it', needs: ['host', 'python3'] },
  { id: 'coherence/host-edit/guest-mmap-sees', title: 'host edits a file the guest has mapped: the mapping shows it', needs: ['host', 'python3'] },
  { id: 'coherence/inotify/guest-change', title: 'a guest fs.watch on the share sees a file the guest makes', needs: [] },
  { id: 'coherence/inotify/host-change', title: 'a guest fs.watch on the share sees a file the host makes', needs: HOST },
]

/** Something the guest (or the host) watches until it shows, with the time it first did. */
interface Watch {
  target: SharedTarget
  id: string
  since: number
  look: () => Promise<{ found: string; visible: boolean }>
  describe: { op: string; args: Arg[]; wanted: string }
  seenAfterMs?: number
  lastFound?: string
  /** Set when the call that started it failed loudly (no change to wait for). */
  failed?: { found: string; errno?: string }
}

async function watchAll(watches: Watch[], windowMs: number): Promise<void> {
  const start = Math.min(...watches.map((w) => w.since))
  for (const at of [...LOOKS_MS, windowMs]) {
    const wait = start + at - Date.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    const pending = watches.filter((w) => w.seenAfterMs === undefined && !w.failed)
    if (!pending.length) return
    // Each look is a call over the share (or the bridge): they go out together.
    await Promise.all(pending.map(async (w) => {
      const { found, visible } = await w.look()
      w.lastFound = found
      if (visible) w.seenAfterMs = Date.now() - w.since
    }))
  }
}

function verdict(w: Watch, windowMs: number, stage: 'at-once' | 'after-drop-caches'): PointVerdict {
  const base = { ...w.describe, stage }
  if (w.failed) return { ok: false, diagnostics: { ...base, found: w.failed.found, ...(w.failed.errno ? { errno: w.failed.errno } : {}), class: 'loud' } }
  if (w.seenAfterMs !== undefined) return { ok: true, diagnostics: { ...base, found: w.describe.wanted, latencyMs: w.seenAfterMs } }
  return { ok: false, diagnostics: { ...base, found: `stale after ${windowMs} ms: ${short(w.lastFound)}`, class: 'silent' } }
}

const short = (s: string | undefined) => (s === undefined ? 'nothing' : s.length > 60 ? `${s.slice(0, 60)}…` : s).replace(/\n/g, '\\n')

export default sharedSuite('coherence', 'Cache coherence: host edits seen in the guest (and how soon), guest writes seen on the host, mmap, inotify', POINTS, async (ctx) => {
  const noHost = ctx.unmet(['host'])
  const skip = (id: string, reason: string) => ctx.targets.forEach((t) => ctx.point(t, id, { skip: reason }))
  const { windowMs } = ctx
  const watches: Watch[] = []
  /** Descriptors opened before the host's changes (closed at the end). */
  const openedBefore: number[] = []

  // --- host-side events ---------------------------------------------------------------
  if (noHost) {
    for (const p of POINTS.filter((p) => p.needs?.includes('host'))) skip(p.id, noHost)
  } else {
    const file = (t: SharedTarget, e: HostEvent) => `${t.dir}/${e.name}`
    const setup = await Promise.all(ctx.targets.flatMap((t) => HOST_EVENTS.map(async (e) => ({ t, e, r: await e.setup(t, file(t, e), t.host) }))))
    const setupFailed = new Set(setup.filter((s) => s.r && typeof s.r === 'object' && 'ok' in s.r && !(s.r as { ok: boolean }).ok).map((s) => `${s.t.path}:${s.e.name}`))
    // The guest looks first, so whatever it caches is the old state.
    const fds = new Map<string, number>()
    for (const t of ctx.targets) {
      for (const e of HOST_EVENTS) {
        const f = file(t, e)
        if (e.prime) await ctx.op(e.prime, f)
        if (e.openFd) {
          const fd = await ctx.op('fd-open', f, 'r')
          if (fd.ok) {
            fds.set(`${t.path}:${e.name}`, fd.value as number)
            openedBefore.push(fd.value as number)
          }
        }
      }
    }
    const fired = await Promise.all(ctx.targets.flatMap((t) => HOST_EVENTS.map(async (e) => ({ t, e, r: await e.act(t, file(t, e), t.host), at: Date.now() }))))
    for (const { t, e, r, at } of fired) {
      const probe = e.probe(file(t, e))
      const hostFailed = !r.ok || setupFailed.has(`${t.path}:${e.name}`)
      const common = { target: t, since: at, describe: { op: probe.op, args: probe.args, wanted: probe.wanted } }
      const lookBy = (run: () => Promise<{ ok: boolean; value?: unknown; errno?: string }>, read: Probe['read'], wanted: string) => async () => {
        const found = read(await run())
        return { found, visible: e.name === 'readdir' ? found.split(',').includes(wanted) : found === wanted }
      }
      const failed = hostFailed ? { found: `the host could not ${e.name}: ${r.error ?? 'setup failed'}` } : undefined
      watches.push({ ...common, id: `coherence/host-${e.name}/visible`, look: lookBy(() => ctx.op(probe.op, ...probe.args), probe.read, probe.wanted), ...(failed ? { failed } : {}) })
      const fd = fds.get(`${t.path}:${e.name}`)
      if (e.openFd) {
        watches.push({
          ...common, id: `coherence/host-${e.name}/open-fd`, describe: { op: 'fd-read', args: probe.args, wanted: probe.wanted },
          look: lookBy(() => ctx.op('fd-read', fd ?? -1), text, probe.wanted), ...(failed ? { failed } : fd === undefined ? { failed: { found: 'the guest could not open it' } } : {}),
        })
      }
    }
  }

  // --- guest-side writes: does the host see them? ------------------------------------
  const guestHandles: number[] = []
  if (!noHost) {
    for (const t of ctx.targets) {
      for (const w of GUEST_WRITES) {
        const f = `${t.dir}/guest-${w.name}`
        const describe = { op: 'host-read', args: [f] as Arg[], wanted: V2 }
        let failed: Watch['failed']
        if (w.close) {
          const r = await ctx.op('write', f, V2)
          if (!r.ok) failed = { found: r.errno ?? 'error', ...(r.errno ? { errno: r.errno } : {}) }
        } else {
          const fd = await ctx.op('fd-open', f, 'w')
          const wrote = fd.ok ? await ctx.op('fd-write', fd.value as number, V2) : fd
          const synced = wrote.ok && w.fsync ? await ctx.op('fd-fsync', fd.value as number) : wrote
          if (fd.ok) guestHandles.push(fd.value as number)
          if (!synced.ok) failed = { found: synced.errno ?? 'error', ...(synced.errno ? { errno: synced.errno } : {}) }
        }
        watches.push({
          target: t, id: `coherence/guest-${w.name}/host-sees`, since: Date.now(), describe,
          look: async () => {
            const r = await t.host.act('read', f)
            const found = r.ok ? String(r.value) : `host: ${r.error}`
            return { found, visible: found === V2 }
          },
          ...(failed ? { failed } : {}),
        })
      }
    }
  }

  // --- mmap ----------------------------------------------------------------------------
  const maps: number[] = []
  const noMmap = noHost ?? ctx.unmet(['python3'])
  if (noMmap && !noHost) {
    skip('coherence/guest-mmap-write/host-sees', noMmap)
    skip('coherence/host-edit/guest-mmap-sees', noMmap)
  } else if (!noMmap) {
    for (const t of ctx.targets) {
      const f = `${t.dir}/mmap-write`
      await write(t.host, f, V1)
      await ctx.op('read', f)
      const r = await ctx.op('mmap-write', f, V2)
      watches.push({
        target: t, id: 'coherence/guest-mmap-write/host-sees', since: Date.now(), describe: { op: 'mmap-write', args: [f, 'v2'], wanted: V2 },
        look: async () => {
          const h = await t.host.act('read', f)
          const found = h.ok ? String(h.value) : `host: ${h.error}`
          return { found, visible: found === V2 }
        },
        // cache=none has no page cache to map: a writable shared mapping is refused (EINVAL).
        ...(r.ok ? {} : { failed: { found: r.errno ?? 'error', ...(r.errno ? { errno: r.errno } : {}) } }),
      })
      const g = `${t.dir}/mmap-read`
      await write(t.host, g, V1)
      const m = await ctx.op('mmap-open', g)
      if (m.ok) maps.push(m.value as number)
      const acted = m.ok ? await t.host.act('write', g, { content: V2 }) : { ok: false }
      watches.push({
        target: t, id: 'coherence/host-edit/guest-mmap-sees', since: Date.now(), describe: { op: 'mmap-read', args: [g], wanted: V2 },
        look: async () => {
          const r2 = await ctx.op('mmap-read', m.value as number)
          const found = text(r2)
          return { found, visible: found === V2 }
        },
        ...(m.ok ? (acted.ok ? {} : { failed: { found: 'the host could not edit it' } }) : { failed: { found: m.errno ?? 'error', ...(m.errno ? { errno: m.errno } : {}) } }),
      })
    }
  }

  // --- inotify ---------------------------------------------------------------------------
  const watchers: number[] = []
  for (const t of ctx.targets) {
    const dir = `${t.dir}/inotify`
    await ctx.op('mkdir', dir, 0o755)
    const started = await ctx.op('watch-start', dir)
    if (started.ok) watchers.push(started.value as number)
    const events = (name: string) => async () => {
      const r = await ctx.op('watch-events', started.value as number)
      const found = text(r)
      return { found: found || 'no events', visible: found.split(',').includes(name) }
    }
    const noWatch = started.ok ? undefined : { found: started.errno ?? 'error', ...(started.errno ? { errno: started.errno } : {}) }
    const made = await ctx.op('create', `${dir}/by-guest`, 0o644)
    watches.push({
      target: t, id: 'coherence/inotify/guest-change', since: Date.now(), describe: { op: 'watch', args: [dir], wanted: 'by-guest' },
      look: events('by-guest'), ...(noWatch ? { failed: noWatch } : made.ok ? {} : { failed: { found: `create: ${made.errno}` } }),
    })
    if (noHost) continue
    const acted = await write(t.host, `${dir}/by-host`, V1)
    watches.push({
      target: t, id: 'coherence/inotify/host-change', since: Date.now(), describe: { op: 'watch', args: [dir], wanted: 'by-host' },
      look: events('by-host'), ...(noWatch ? { failed: noWatch } : acted.ok ? {} : { failed: { found: `the host could not create it: ${acted.error}` } }),
    })
  }

  // --- one window for everything ------------------------------------------------------
  await watchAll(watches, windowMs)
  for (const w of watches) ctx.point(w.target, w.id, verdict(w, windowMs, 'at-once'))

  // --- after drop_caches: is what was stale there now? --------------------------------
  if (!noHost) {
    const noDrop = ctx.unmet(['root'])
    const dropped = noDrop ? undefined : await ctx.op('drop-caches')
    const why = noDrop ?? (dropped && !dropped.ok ? `drop_caches failed: ${dropped.errno}` : undefined)
    for (const w of watches.filter((w) => w.id.startsWith('coherence/host-') && w.id.endsWith('/visible'))) {
      const id = w.id.replace(/\/visible$/, '/after-drop-caches')
      if (why) {
        ctx.point(w.target, id, { skip: why })
        continue
      }
      if (w.seenAfterMs === undefined && !w.failed) {
        const { found, visible } = await w.look()
        w.lastFound = found
        if (visible) w.seenAfterMs = Date.now() - w.since
      }
      const v = verdict(w, windowMs, 'after-drop-caches')
      ctx.point(w.target, id, 'ok' in v && !v.ok ? { ok: false, diagnostics: { ...v.diagnostics, found: `still stale after drop_caches: ${short(w.lastFound)}` } } : v)
    }
  }

  for (const fd of [...guestHandles, ...openedBefore]) await ctx.op('fd-close', fd)
  for (const m of maps) await ctx.op('mmap-close', m)
  for (const h of watchers) await ctx.op('watch-stop', h)
})
