// Big directories: a dir with enough entries to take many getdents calls (and several 9p
// Treaddir requests), made in one go by the host (over the bridge; by the guest itself when there
// is no host), then listed in the guest: every entry exactly once, none missing, on two reads and
// while the host adds entries; telldir/seekdir and rewinddir come back to the same names; a
// rename of the whole dir keeps every entry. A shared suite: the host fills every mount's dir at
// once, the guest reads them side by side.
import { sharedSuite, type PointSpec, type SharedContext, type SharedTarget } from '../../agent/check-api.ts'
import type { Diagnostics } from '../../agent/diagnostics.ts'
import { entryName } from '../../agent/worker/ops/dirs.ts'
import { sharedPoint, type SharedCheck } from '../../agent/shared-check.ts'
import { judgeListing, wantedListing } from './listing.ts'

/**
 * 2000 entries of 200-byte names: 14 getdents calls of glibc's 32 KiB, 4 Treaddir requests of
 * Lima's 128 KiB msize; the host makes them in ~50 ms, the guest lists them in a few 9p round trips.
 */
export const ENTRIES = 2000
const NAME_BYTES = 200
/** Entries the host adds while the guest is half-way through reading the dir. */
const ADDED = 200
/** telldir/seekdir: names read after the remembered position, then again after seeking back. */
const SEEK_SPAN = 50

const PREFIX = `limafs-dirs-${'e'.repeat(NAME_BYTES - 6 - 'limafs-dirs-'.length - 1)}-`
const ADDED_PREFIX = `limafs-added-${'a'.repeat(NAME_BYTES - 6 - 'limafs-added-'.length - 1)}-`
const names = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => entryName(prefix, i))

const POINTS = {
  first: { id: 'dirs/listing/first-read', title: `a dir of ${ENTRIES} entries (${NAME_BYTES}-byte names, made by the host) read once: every entry exactly once, none missing, none unknown` },
  second: { id: 'dirs/listing/second-read', title: 'the same dir read a second time: every entry exactly once again' },
  adding: { id: 'dirs/listing/while-host-adds', title: `read half-way (libc's readdir, through python3's ctypes), the host adds ${ADDED} entries, read to the end: every first entry exactly once, the new ones at most once`, needs: ['host', 'python3'] },
  seek: { id: 'dirs/seek/telldir-seekdir', title: `telldir part-way, read ${SEEK_SPAN} names, seekdir back: the same ${SEEK_SPAN} names again (libc's own calls, through python3's ctypes)`, needs: ['python3'] },
  rewind: { id: 'dirs/seek/rewinddir', title: 'rewinddir after reading part-way: the stream starts again with the same names', needs: ['python3'] },
  rename: { id: 'dirs/rename/many-entries', title: 'the dir renamed as a whole: the new name lists every entry, the old name is gone' },
} satisfies Record<string, PointSpec>

/** What a mount's big dir holds (and what its points need to know). */
interface BigDir {
  path: string
  /** Entries that must be there, and those the host added (after the while-adding point). */
  expected: string[]
  /** Why there is no dir to look at (its setup failed). */
  setupFailure?: Diagnostics
}

/** The host makes COUNT entries in DIR in one request; without a host the guest makes them. */
async function makeEntries(ctx: SharedContext, t: SharedTarget, dir: string, count: number, prefix: string, viaHost: boolean): Promise<Diagnostics | undefined> {
  if (viaHost) {
    const r = await t.host.act('make-entries', dir, { count, prefix })
    return r.ok ? undefined : { op: 'host-make-entries', args: [dir, count], wanted: '0', found: r.error ?? 'failed', stage: 'setup', class: 'loud' }
  }
  const r = await ctx.op('make-entries', dir, count, prefix)
  return r.ok ? undefined : { op: 'make-entries', args: [dir, count], wanted: '0', found: r.errno ?? 'failed', ...(r.errno ? { errno: r.errno } : {}), stage: 'setup', class: 'loud' }
}

/** Lists the dir and judges it: the expected entries exactly once, the optional ones at most once. */
async function listsAll(c: SharedCheck, dir: string, expected: readonly string[]): Promise<string[]> {
  const found = (await c.expect(0, 'list-names', dir)) as string[]
  const j = judgeListing(found, expected)
  if (!j.ok) {
    Object.assign(c.extra, { missing: j.missing, twice: j.twice, unknown: j.unknown })
    c.fail({ op: 'list-names', args: [dir], wanted: wantedListing(expected.length), found: j.summary, stage: 'call', class: 'silent' })
  }
  c.note(j.summary)
  return found
}

async function onMount(ctx: SharedContext, t: SharedTarget): Promise<void> {
  const viaHost = !ctx.unmet(['host'])
  const big: BigDir = { path: `${t.dir}/big`, expected: names(PREFIX, ENTRIES) }
  ctx.progress(`making ${ENTRIES} entries on ${t.path}`)
  const made = await ctx.op('mkdir', big.path, 0o755)
  big.setupFailure = made.ok
    ? await makeEntries(ctx, t, big.path, ENTRIES, PREFIX, viaHost)
    : { op: 'mkdir', args: [big.path], wanted: '0', found: made.errno ?? 'failed', stage: 'setup', class: 'loud' }
  const point = (spec: PointSpec, body: (c: SharedCheck) => Promise<void>) =>
    sharedPoint(ctx, t, spec, async (c) => {
      if (big.setupFailure) c.fail({ ...big.setupFailure, note: 'the big dir could not be made: nothing to list' })
      if (!viaHost) c.note('made by the guest: no host bridge')
      await body(c)
    })

  let firstOrder: string[] = []
  await point(POINTS.first, async (c) => {
    firstOrder = await listsAll(c, big.path, big.expected)
  })
  await point(POINTS.second, async (c) => {
    const again = await listsAll(c, big.path, big.expected)
    if (firstOrder.length) c.note(again.every((n, i) => n === firstOrder[i]) ? 'in the same order as the first read' : 'in another order than the first read')
  })
  await point(POINTS.adding, async (c) => {
    const handle = (await c.expect(0, 'dir-open', big.path)) as number
    try {
      const head = (await c.expect(0, 'dir-next', handle, ENTRIES / 2)) as string[]
      const added = await makeEntries(ctx, t, big.path, ADDED, ADDED_PREFIX, true)
      if (added) c.fail({ ...added, stage: 'call' })
      big.expected = [...big.expected, ...names(ADDED_PREFIX, ADDED)]
      const rest = (await c.expect(0, 'dir-next', handle, ENTRIES + ADDED + 100)) as string[]
      const j = judgeListing([...head, ...rest], names(PREFIX, ENTRIES), names(ADDED_PREFIX, ADDED))
      if (!j.ok) {
        Object.assign(c.extra, { missing: j.missing, twice: j.twice, unknown: j.unknown })
        c.fail({ op: 'dir-next', args: [big.path], wanted: `${ENTRIES} first entries once each, the ${ADDED} added at most once`, found: j.summary, stage: 'call', class: 'silent' })
      }
      c.note(`${head.length} read before the host added ${ADDED}; ${j.summary}`)
    } finally {
      await ctx.op('dir-close', handle)
    }
  })
  let seek: { head: string[]; position: string; ahead: string[]; again: string[]; rewound: string[] } | undefined
  await point(POINTS.seek, async (c) => {
    seek = (await c.expect(0, 'dir-seek', big.path, Math.floor(ENTRIES / 3), SEEK_SPAN)) as typeof seek
    const { ahead, again, position } = seek!
    c.note(`telldir gave ${position}`)
    if (ahead.length !== SEEK_SPAN || again.join('\n') !== ahead.join('\n')) {
      Object.assign(c.extra, { ahead: ahead.slice(0, 3), again: again.slice(0, 3) })
      c.fail({ op: 'dir-seek', args: [big.path, Math.floor(ENTRIES / 3), SEEK_SPAN], wanted: `the same ${SEEK_SPAN} names after seekdir`, found: `${ahead.length} read, then ${again.length} after seekdir, ${again.filter((n, i) => n === ahead[i]).length} of them the same`, stage: 'call', class: 'silent' })
    }
  })
  await point(POINTS.rewind, async (c) => {
    if (!seek) c.fail({ op: 'dir-seek', args: [big.path], wanted: 'a stream read part-way', found: 'the telldir point read none', stage: 'setup', class: 'loud' })
    const { head, rewound } = seek!
    if (!head.length || rewound.join('\n') !== head.join('\n')) {
      Object.assign(c.extra, { head: head.slice(0, 3), rewound: rewound.slice(0, 3) })
      c.fail({ op: 'dir-seek', args: [big.path], wanted: `the first ${head.length} names again`, found: `${rewound.filter((n, i) => n === head[i]).length} of ${head.length} the same`, stage: 'call', class: 'silent' })
    }
  })
  const renamed = `${t.dir}/big-renamed`
  let moved = false
  await point(POINTS.rename, async (c) => {
    await c.expect(0, 'rename', big.path, renamed)
    moved = true
    await listsAll(c, renamed, big.expected)
    await c.expect('ENOENT', 'list-names', big.path)
  })
  // Thousands of entries cost the guest a call each to remove: the host removes the dir in one.
  // Without a host the guest does it here, where the suite's time allows for it (the scratch
  // dir's removal at the end has only a few seconds).
  ctx.progress(`removing the big dir on ${t.path}`)
  if (viaHost) await t.host.act('remove-tree', moved ? renamed : big.path)
  else await ctx.op('remove-tree', moved ? renamed : big.path)
}

export default sharedSuite(
  'dirs',
  `Big directories: ${ENTRIES} entries listed exactly (twice, and while the host adds more), telldir/seekdir, rewinddir, a rename of the whole dir`,
  Object.values(POINTS),
  async (ctx) => {
    await Promise.all(ctx.targets.map((t) => onMount(ctx, t)))
  },
)
