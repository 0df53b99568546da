// Which inotify events a guest watcher (fs.watch) on the share gets: for a file the guest makes,
// and for the host making, editing and deleting one. Each experiment has its own watched dir;
// what the watcher saw is cleared when the change is made, so only that change's events count,
// and what it saw is reported as "name (rename|change)". (Lima's mountInotify forwards host
// changes as guest-side times updates: a host edit then shows as "change".)
import type { Need, PointSpec, SharedContext, SharedTarget } from '../../agent/check-api.ts'
import { text, V1, write } from './events.ts'
import { failure, withFailure, type Experiment, type Outcome } from './window.ts'

const HOST: readonly Need[] = ['host']

export const INOTIFY_POINTS: PointSpec[] = [
  { id: 'coherence/inotify/guest-change', title: 'a guest fs.watch on the share sees a file the guest makes', needs: [] },
  { id: 'coherence/inotify/host-change', title: 'a guest fs.watch on the share sees a file the host makes', needs: HOST },
  { id: 'coherence/inotify/host-edit', title: 'a guest fs.watch on the share sees the host append to a file', needs: HOST },
  { id: 'coherence/inotify/host-delete', title: 'a guest fs.watch on the share sees the host delete a file', needs: HOST },
]

type Held = (r: Outcome, release: (handle: number) => Promise<unknown>) => Promise<Outcome>

/** One watched dir, set up (by `setup`, before the watch starts) and changed (by `change`). */
interface WatchSpec {
  id: string
  side: 'guest' | 'host'
  /** The entry the change is about, which the watcher must report. */
  name: string
  setup?: (file: string) => Promise<{ ok: boolean; error?: string }>
  change: (file: string) => Promise<Outcome | { ok: boolean; error?: string }>
}

/** The inotify experiments of one mount; `noHost` leaves out the host's. */
export async function inotifyExperiments(ctx: SharedContext, t: SharedTarget, held: Held, noHost: boolean): Promise<Experiment[]> {
  const specs: WatchSpec[] = [
    { id: 'coherence/inotify/guest-change', side: 'guest', name: 'by-guest', change: (f) => ctx.op('create', f, 0o644) },
    ...(noHost ? [] : [
      { id: 'coherence/inotify/host-change', side: 'host', name: 'by-host', change: (f: string) => write(t.host, f, V1) },
      { id: 'coherence/inotify/host-edit', side: 'host', name: 'edited', setup: (f: string) => write(t.host, f, V1), change: (f: string) => t.host.act('append', f, { content: V1 }) },
      { id: 'coherence/inotify/host-delete', side: 'host', name: 'deleted', setup: (f: string) => write(t.host, f, V1), change: (f: string) => t.host.act('unlink', f) },
    ] satisfies WatchSpec[]),
  ]
  const experiments: Experiment[] = []
  for (const spec of specs) {
    const dir = `${t.dir}/${spec.id.split('/').pop()}`
    const file = `${dir}/${spec.name}`
    await ctx.op('mkdir', dir, 0o755)
    const setup = spec.setup ? await spec.setup(file) : { ok: true }
    // The guest looks once, as a watching program would have, before the watch starts.
    if (spec.setup) await ctx.op('lstat', file)
    const watch = await held(await ctx.op('watch-start', dir), (h) => ctx.op('watch-stop', h))
    experiments.push({
      target: t, id: spec.id, side: spec.side, describe: { op: 'watch', args: [dir], wanted: spec.name },
      fire: async () => {
        await ctx.op('watch-clear', watch.value as number)
        const r = await spec.change(file)
        return r.ok ? { ok: true } : { ok: false, found: `the ${spec.side} could not change ${spec.name}: ${'error' in r && r.error ? r.error : (r as Outcome).errno ?? 'failed'}` }
      },
      look: async () => {
        const found = text(await ctx.op('watch-events', watch.value as number, 1))
        return { found: found || 'no events', visible: found.split(',').some((e) => e.split(' ')[0] === spec.name) }
      },
      ...withFailure(failure(setup, `the host could not set up ${spec.name}`) ?? failure(watch, 'watch')),
    })
  }
  return experiments
}
