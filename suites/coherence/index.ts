// Cache coherence: the host changes a file, does the guest see it, and how soon? The guest
// writes, does the host see it? Through mmap? Does inotify tell? Every event is fired on every
// share at once and watched in parallel: the whole suite costs one observation window, not one
// per configuration. The verdict is what was observed; known stale modes are marked TODO by
// the matrix, never here.
import { sharedSuite, type Arg, type Need, type PointSpec, type PointVerdict, type SharedTarget } from '../../agent/check-api.ts'

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
    name: 'replace', title: 'host replaces a file (write a new one, rename it over)', prime: 'read',
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

/** One change on one mount, watched until it shows: set up, then fired with all the others. */
interface Experiment {
  target: SharedTarget
  id: string
  describe: { op: string; args: Arg[]; wanted: string }
  /** Host-side changes fire together, in parallel; guest-side ones right after, in turn. */
  side: 'host' | 'guest'
  /** Makes the change; says why not when it could not. */
  fire: () => Promise<{ ok: boolean; found?: string; errno?: string }>
  look: () => Promise<{ found: string; visible: boolean }>
  /** Set when setting it up already failed. */
  failed?: { found: string; errno?: string }
  since?: number
  seenAfterMs?: number
  /** Seen at the very first look after the change. */
  firstLook?: boolean
  lastFound?: string
}

type Outcome = { ok: boolean; value?: unknown; errno?: string }
const failure = (r: Outcome | { ok: boolean; error?: string }, what: string) =>
  r.ok ? undefined : 'errno' in r && r.errno ? { found: r.errno, errno: r.errno } : { found: `${what}: ${'error' in r ? r.error : 'failed'}` }

/** The experiment's `failed` field when there is a failure: it is then judged without a look. */
const withFailure = (failed: Experiment['failed'] | undefined) => (failed ? { failed } : {})

/**
 * Looks at every experiment on its own clock (at once, 10 ms, 100 ms, 1 s, then the window's
 * end after its change) until it shows. Looks run one after another in one process, so the
 * time measured is from the change to the first look that saw it: an upper bound.
 */
async function watchAll(experiments: Experiment[], windowMs: number): Promise<void> {
  const schedule = [...LOOKS_MS.filter((ms) => ms < windowMs), windowMs]
  const looksDone = new Map<Experiment, number>()
  const dueAt = (e: Experiment) => e.since! + schedule[looksDone.get(e) ?? 0]!
  for (;;) {
    const pending = experiments.filter((e) => e.seenAfterMs === undefined && !e.failed && (looksDone.get(e) ?? 0) < schedule.length)
    if (!pending.length) return
    const wait = Math.min(...pending.map(dueAt)) - Date.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    const now = Date.now()
    for (const e of pending.filter((p) => dueAt(p) <= now)) {
      const { found, visible } = await e.look()
      e.lastFound = found
      if (visible) {
        e.seenAfterMs = Date.now() - e.since!
        e.firstLook = !looksDone.get(e)
      }
      looksDone.set(e, (looksDone.get(e) ?? 0) + 1)
    }
  }
}

function verdict(e: Experiment, windowMs: number, stage: 'at-once' | 'after-drop-caches'): PointVerdict {
  const base = { ...e.describe, stage }
  if (e.failed) return { ok: false, diagnostics: { ...base, found: e.failed.found, ...(e.failed.errno ? { errno: e.failed.errno } : {}), class: 'loud' } }
  if (e.seenAfterMs !== undefined) return { ok: true, diagnostics: { ...base, found: e.describe.wanted, latencyMs: e.seenAfterMs, ...(e.firstLook ? { note: 'seen at the first look' } : {}) } }
  const found = stage === 'at-once' ? `stale after ${windowMs} ms: ${short(e.lastFound)}` : `still stale after drop_caches: ${short(e.lastFound)}`
  return { ok: false, diagnostics: { ...base, found, class: 'silent' } }
}

const short = (s: string | undefined) => (s === undefined ? 'nothing' : s.length > 60 ? `${s.slice(0, 60)}…` : s).replace(/\n/g, '\\n')

/** Reads what the host has at a path, for changes made in the guest. */
const hostSees = (t: SharedTarget, path: string) => async () => {
  const r = await t.host.act('read', path)
  const found = r.ok ? String(r.value) : `host: ${r.error}`
  return { found, visible: found === V2 }
}

export default sharedSuite('coherence', 'Cache coherence: host edits seen in the guest (and how soon), guest writes seen on the host, mmap, inotify', POINTS, async (ctx) => {
  const noHost = ctx.unmet(['host'])
  const noMmap = noHost ?? ctx.unmet(['python3'])
  const skip = (id: string, reason: string) => ctx.targets.forEach((t) => ctx.point(t, id, { skip: reason }))
  const { windowMs } = ctx
  const experiments: Experiment[] = []
  /** Descriptors, mappings and watches to let go of at the end. */
  const cleanup: Array<() => Promise<unknown>> = []
  const held = async (r: Outcome, release: (handle: number) => Promise<unknown>) => {
    if (r.ok) cleanup.push(() => release(r.value as number))
    return r
  }
  if (noHost) for (const p of POINTS.filter((p) => p.needs?.includes('host'))) skip(p.id, noHost)
  else if (noMmap) for (const p of POINTS.filter((p) => p.needs?.includes('python3'))) skip(p.id, noMmap)

  // --- set up every experiment on every mount (all mounts at once); nothing changes yet ---
  await Promise.all(ctx.targets.map(async (t) => {
    if (!noHost) {
      const files = HOST_EVENTS.map((e) => `${t.dir}/${e.name}`)
      const setups = await Promise.all(HOST_EVENTS.map((e, i) => e.setup(t, files[i]!, t.host)))
      for (const [i, e] of HOST_EVENTS.entries()) {
        const f = files[i]!
        const setupFailed = failure((setups[i] as Outcome | undefined) ?? { ok: true }, `the host could not set up ${e.name}`)
        // The guest looks first, so whatever it caches is the old state.
        if (e.prime) await ctx.op(e.prime, f)
        const probe = e.probe(f)
        const look = (run: () => Promise<Outcome>, read: Probe['read']) => async () => {
          const found = read(await run())
          return { found, visible: e.name === 'readdir' ? found.split(',').includes(probe.wanted) : found === probe.wanted }
        }
        const fire = async () => {
          const r = await e.act(t, f, t.host)
          return r.ok ? { ok: true } : { ok: false, found: `the host could not ${e.name}: ${r.error}` }
        }
        experiments.push({ target: t, id: `coherence/host-${e.name}/visible`, side: 'host', describe: { op: probe.op, args: probe.args, wanted: probe.wanted }, fire, look: look(() => ctx.op(probe.op, ...probe.args), probe.read), ...withFailure(setupFailed) })
        if (e.openFd) {
          const fd = await held(await ctx.op('fd-open', f, 'r'), (h) => ctx.op('fd-close', h))
          // The same host change: fired once (by the visible experiment), looked at through the descriptor.
          experiments.push({
            target: t, id: `coherence/host-${e.name}/open-fd`, side: 'host', describe: { op: 'fd-read', args: probe.args, wanted: probe.wanted },
            fire: async () => ({ ok: true }), look: look(() => ctx.op('fd-read', fd.value as number), text),
            ...withFailure(setupFailed ?? failure(fd, 'fd-open')),
          })
        }
      }
      for (const w of GUEST_WRITES) {
        const f = `${t.dir}/guest-${w.name}`
        const fd = w.close ? undefined : await held(await ctx.op('fd-open', f, 'w'), (h) => ctx.op('fd-close', h))
        experiments.push({
          target: t, id: `coherence/guest-${w.name}/host-sees`, side: 'guest', describe: { op: w.fsync ? 'write+fsync' : w.close ? 'write+close' : 'write', args: [f], wanted: V2 },
          fire: async () => {
            if (!fd) return ctx.op('write', f, V2)
            const wrote = await ctx.op('fd-write', fd.value as number, V2)
            return wrote.ok && w.fsync ? ctx.op('fd-fsync', fd.value as number) : wrote
          },
          look: hostSees(t, f),
          ...withFailure(fd && failure(fd, 'fd-open')),
        })
      }
    }
    if (!noMmap) {
      const f = `${t.dir}/mmap-write`
      const made = await write(t.host, f, V1)
      await ctx.op('read', f)
      experiments.push({
        target: t, id: 'coherence/guest-mmap-write/host-sees', side: 'guest', describe: { op: 'mmap-write', args: [f], wanted: V2 },
        // cache=none has no page cache to map: a writable shared mapping is refused (EINVAL).
        fire: () => ctx.op('mmap-write', f, V2), look: hostSees(t, f),
        ...(made.ok ? {} : { failed: { found: `the host could not make it: ${made.error}` } }),
      })
      const g = `${t.dir}/mmap-read`
      const madeG = await write(t.host, g, V1)
      const map = await held(await ctx.op('mmap-open', g), (h) => ctx.op('mmap-close', h))
      experiments.push({
        target: t, id: 'coherence/host-edit/guest-mmap-sees', side: 'host', describe: { op: 'mmap-read', args: [g], wanted: V2 },
        fire: async () => {
          const r = await write(t.host, g, V2)
          return r.ok ? { ok: true } : { ok: false, found: `the host could not edit it: ${r.error}` }
        },
        look: async () => {
          const found = text(await ctx.op('mmap-read', map.value as number))
          return { found, visible: found === V2 }
        },
        ...withFailure(!madeG.ok ? { found: `the host could not make it: ${madeG.error}` } : failure(map, 'mmap-open')),
      })
    }
    const dir = `${t.dir}/inotify`
    await ctx.op('mkdir', dir, 0o755)
    const watch = await held(await ctx.op('watch-start', dir), (h) => ctx.op('watch-stop', h))
    const events = (name: string) => async () => {
      const found = text(await ctx.op('watch-events', watch.value as number))
      return { found: found || 'no events', visible: found.split(',').includes(name) }
    }
    const noWatch = withFailure(failure(watch, 'watch'))
    experiments.push({ target: t, id: 'coherence/inotify/guest-change', side: 'guest', describe: { op: 'watch', args: [dir], wanted: 'by-guest' }, fire: () => ctx.op('create', `${dir}/by-guest`, 0o644), look: events('by-guest'), ...noWatch })
    if (!noHost) {
      experiments.push({
        target: t, id: 'coherence/inotify/host-change', side: 'host', describe: { op: 'watch', args: [dir], wanted: 'by-host' },
        fire: async () => {
          const r = await write(t.host, `${dir}/by-host`, V1)
          return r.ok ? { ok: true } : { ok: false, found: `the host could not create it: ${r.error}` }
        },
        look: events('by-host'),
        ...noWatch,
      })
    }
  }))

  // --- fire everything: the guest's changes in turn, then the host's all together ---------
  // (The host's go last so the guest's first looks at them follow at once.)
  const fireOne = async (e: Experiment) => {
    if (e.failed) return
    const r = await e.fire()
    e.since = Date.now()
    if (!r.ok) e.failed = { found: r.found ?? r.errno ?? 'failed', ...(r.errno ? { errno: r.errno } : {}) }
  }
  for (const e of experiments.filter((e) => e.side === 'guest')) await fireOne(e)
  await Promise.all(experiments.filter((e) => e.side === 'host').map(fireOne))

  // --- one window for everything ---------------------------------------------------------
  await watchAll(experiments, windowMs)
  for (const e of experiments) ctx.point(e.target, e.id, verdict(e, windowMs, 'at-once'))

  // --- after drop_caches: is what was stale there now? ----------------------------------
  if (!noHost) {
    const noDrop = ctx.unmet(['root'])
    const dropped = noDrop ? undefined : await ctx.op('drop-caches')
    const why = noDrop ?? (dropped && !dropped.ok ? `drop_caches failed: ${dropped.errno}` : undefined)
    for (const e of experiments.filter((e) => e.id.startsWith('coherence/host-') && e.id.endsWith('/visible'))) {
      const id = e.id.replace(/\/visible$/, '/after-drop-caches')
      if (why) {
        ctx.point(e.target, id, { skip: why })
        continue
      }
      if (e.seenAfterMs === undefined && !e.failed) {
        const { found, visible } = await e.look()
        e.lastFound = found
        if (visible) e.seenAfterMs = Date.now() - e.since!
      }
      ctx.point(e.target, id, verdict(e, windowMs, 'after-drop-caches'))
    }
  }
  for (const release of cleanup) await release()
})
