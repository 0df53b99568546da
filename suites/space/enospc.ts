// A full share. Through the configuration's sibling share (its own settings, on a small host
// file system the backend made for this: never the real share), a file is filled until a write
// fails. On a local file system write() itself says ENOSPC, the file holds exactly what the
// writes said they wrote, what was written before is intact, and space comes back when the
// filler goes. Four points from one fill.
//
// Every configuration's sibling is on ONE host dir: the shares are filled one after another,
// never two at once. To keep each fill short (cache=loose writes back page by page), ballast
// first takes all but BALLAST_MARGIN of the free space, once; it goes at the end.
import type { CheckContext, CheckSpec, PointSpec, SharedContext, SharedTarget } from '../../agent/check-api.ts'
import type { Statvfs } from './statfs.ts'

/** A sibling share bigger than this is not a small file system made for filling: it is left alone. */
const MAX_FILLABLE_BYTES = 64 * 1024 * 1024
/** Free space the ballast leaves: the part each configuration fills itself. */
const BALLAST_MARGIN = 256 * 1024
const CHUNK = 64 * 1024
/** How much more than the free space the filler tries to write (where no write() says ENOSPC). */
const OVERFILL = 256 * 1024
/** The file that must survive the share filling up. */
const BEFORE = 'B'.repeat(16384)

interface Fill {
  wrote: number
  write: string
  fsync: string
  close: string
}

const NEEDS = ['python3', 'sibling'] as const

export const ENOSPC_POINTS: PointSpec[] = [
  { id: 'space/enospc/write', title: 'writing to a full share: write() itself fails ENOSPC (not later, at fsync or never)', needs: NEEDS },
  { id: 'space/enospc/size', title: 'after a write failed ENOSPC the file holds exactly the bytes the writes said they wrote (as the guest sees it and, with a host bridge, as the host stored it)', needs: NEEDS },
  { id: 'space/enospc/intact', title: 'when the share fills up, a file written and fsynced before reads back unchanged, and so do the bytes the writes said they wrote', needs: NEEDS },
  { id: 'space/enospc/freed', title: 'once the filler is deleted, the space is back: a 16 KiB write succeeds', needs: NEEDS },
]

/** One of the four points, as a check with its body. */
const point = (id: string, run: CheckSpec['run']): CheckSpec => ({ ...ENOSPC_POINTS.find((p) => p.id === id)!, run })
const dirOf = (path: string) => path.slice(0, path.lastIndexOf('/'))

/** Fills each target's sibling in turn and reports the four points for it; removes the ballast at the end. */
export async function enospcOneAfterAnother(ctx: SharedContext): Promise<void> {
  const ballast: string[] = []
  try {
    for (const t of ctx.targets) {
      ctx.progress(`enospc ${t.path}`)
      await enospcOn(ctx, t, ballast)
    }
  } finally {
    for (const b of ballast) await ctx.op('unlink', b)
  }
}

async function enospcOn(ctx: SharedContext, t: SharedTarget, ballast: string[]): Promise<void> {
  let fill: Fill | undefined
  let filler = ''
  let before = ''
  let after = ''
  const notFilled = (x: CheckContext) => x.skip('the share was not filled (see space/enospc/write)')
  await ctx.check(t, point('space/enospc/write', async (x) => {
    before = x.siblingPath('before')
    const dir = dirOf(before)
    const fs = (await x.setup('statvfs', dir)) as Statvfs
    if (fs.totalBytes > MAX_FILLABLE_BYTES) x.skip(`the sibling share is ${Math.round(fs.totalBytes / 1048576)} MiB, not a small file system made to be filled (the testbed's is a tmpfs of a few MiB, mounted as root): not filled`)
    if (fs.availBytes > 2 * BALLAST_MARGIN) {
      const b = `${dir}/ballast`
      ballast.push(b)
      const r = (await x.setup('fill', b, 1024 * 1024, fs.availBytes - BALLAST_MARGIN)) as Fill
      if (r.write !== 'ok' || r.fsync !== 'ok') x.fail({ op: 'fill', args: [b], wanted: 'ok', found: `write ${r.write}, fsync ${r.fsync} after ${r.wrote} bytes`, stage: 'setup', class: 'loud', note: 'the ballast that takes most of the free space first' })
    }
    await x.setup('write-sync', before, BEFORE)
    filler = x.siblingPath('filler')
    const free = ((await x.setup('statvfs', dir)) as Statvfs).availBytes
    fill = (await x.setup('fill', filler, CHUNK, free + OVERFILL)) as Fill
    if (fill.write !== 'ENOSPC') {
      const said = fill.write === 'ok' ? `every write said OK: ${fill.wrote} bytes where ${free} were free; then fsync said ${fill.fsync}, close ${fill.close}` : fill.write
      x.fail({ op: 'write', args: [filler], wanted: 'ENOSPC', found: said, ...(fill.write !== 'ok' ? { errno: fill.write } : {}), stage: 'call', class: fill.write === 'ok' && fill.fsync === 'ok' && fill.close === 'ok' ? 'silent' : 'loud' })
    }
  }))
  await ctx.check(t, point('space/enospc/size', async (x) => {
    if (!fill) return notFilled(x)
    await x.expect(String(fill.wrote), 'lstat', filler, 'size')
    const host = await x.recordHost(filler)
    if (host?.exists && host.size !== fill.wrote) x.fail({ op: 'host-look', args: [filler], wanted: String(fill.wrote), found: String(host.size), stage: 'host', class: 'silent', note: 'what the host stored of the file' })
  }))
  await ctx.check(t, point('space/enospc/intact', async (x) => {
    if (!fill) return notFilled(x)
    await x.expect(BEFORE, 'read', before)
    const kept = (await x.setup('count-leading', filler, 'F')) as number
    if (kept < fill.wrote) x.fail({ op: 'read', args: [filler], wanted: `${fill.wrote} bytes of F`, found: `${kept} bytes of F`, stage: 'call', class: 'silent' })
  }))
  await ctx.check(t, point('space/enospc/freed', async (x) => {
    if (!fill) return notFilled(x)
    await x.setup('unlink', filler)
    after = x.siblingPath('after')
    await x.expect(0, 'write-sync', after, 'C'.repeat(16384))
  }))
  // Whatever happened above: this configuration's files go, the ballast stays for the next one.
  for (const f of [filler, before, after]) if (f) await ctx.op('unlink', f)
}
