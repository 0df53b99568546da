// Cache coherence: the host changes a file, does the guest see it, and how soon? The guest
// writes, does the host see it? Through mmap? Does inotify tell? Every event is fired on every
// share at once and watched in parallel: the whole suite costs one observation window, not one
// per configuration. The verdict is what was observed; known stale modes are marked TODO by
// the matrix, never here.
import { sharedSuite, type Need, type PointSpec, type SharedTarget } from '../../agent/check-api.ts'
import { GUEST_WRITES, HOST_EVENTS, text, V1, V2, write, type Probe } from './events.ts'
import { INOTIFY_POINTS, inotifyExperiments } from './inotify.ts'
import { failure, verdict, watchAll, withFailure, type Experiment, type Outcome } from './window.ts'

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
  ...INOTIFY_POINTS,
]

/** Reads what the host has at a path, for changes made in the guest. */
const hostSees = (t: SharedTarget, path: string) => async () => {
  const r = await t.host.act('read', path)
  const found = r.ok ? String(r.value) : `host: ${r.error}`
  return { found, visible: found === V2 }
}

const coherenceSuite = sharedSuite('coherence', 'Cache coherence: host edits seen in the guest (and how soon), guest writes seen on the host, mmap, inotify', POINTS, async (ctx) => {
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
    experiments.push(...(await inotifyExperiments(ctx, t, held, !!noHost)))
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

/** It drops the guest's caches (a step of its own), which every mount feels: it runs when no other suite does. */
export default { ...coherenceSuite, dropsCaches: true as const }
