// The host's own changes to what the guest made (an editor's save, git checkout, mv, ln, chmod,
// chown, cp -p, rm -rf): what the guest sees at once and after drop_caches, against what a
// local file system would show; and what host tools see of the guest's work. Every mount at
// once: the guest sets everything up, the host makes all its changes together, the guest looks
// (one drop_caches for all). A host-made object that shows guest-set setuid/setgid bits, owner
// or type is a security finding.
import { sharedSuite, type Need, type PointSpec, type PointVerdict, type SharedContext, type SharedTarget } from '../../agent/check-api.ts'
import { CASES, caseId, HOST_TEXT, pathOf } from './cases.ts'
import { elsewhereOf, lookAll, makeAll, XATTR, XATTR_VALUE, type Work } from './guest.ts'
import { HOST_SEES_POINTS, hostEntries, hostUserAccess, hostXattrs } from './host-sees.ts'
import { compareView, securityFinding, type GuestView } from './view.ts'

const STAGES = ['at-once', 'after-drop-caches'] as const
type LookStage = (typeof STAGES)[number]

/** The host bridge; root to set another owner and to drop caches; python3 for the objects' metadata (one request for all). */
const NEEDS: readonly Need[] = ['host', 'root', 'python3']
const POINTS: PointSpec[] = [
  ...CASES.flatMap((c) => STAGES.map((stage) => ({ id: caseId(c, stage), title: `${c.title}: ${stage === 'at-once' ? 'at once' : 'after drop_caches'}`, needs: NEEDS }))),
  ...HOST_SEES_POINTS,
]

function verdict(w: Work, stage: LookStage, seen: GuestView | { errno: string }): PointVerdict {
  if (w.failed) return w.failed
  const wanted = w.c.wanted(w.before!, w.host)
  const args = [w.at!]
  if ('errno' in seen) return { ok: false, diagnostics: { op: 'lstat', args, wanted: 'the object', found: seen.errno, errno: seen.errno, stage, class: 'silent', ...(w.host ? { host: w.host } : {}) } }
  const cmp = compareView(wanted, seen)
  if (cmp.matched) return { ok: true }
  // Guest metadata on the host's new object is a security finding; the old object still shown (a cache) is not: it reads the old content.
  const sawHostsObject = !w.c.content || seen.content === HOST_TEXT || seen.target === HOST_TEXT
  const security = w.c.hostMade && w.host && sawHostsObject ? securityFinding(seen, w.host, w.before!) : undefined
  return {
    ok: false,
    diagnostics: {
      op: 'lstat', args, wanted: cmp.wanted, found: cmp.found, stage, class: 'silent',
      ...(w.host ? { host: w.host } : {}), ...(security ? { security } : {}), ...(w.unset ? { note: `the guest could not set: ${w.unset} (what it saw then is the baseline)` } : {}),
    },
  }
}

const hostSideSuite = sharedSuite('host-side', 'The host\'s own changes to what the guest made (edit, replace, recreate, mv, ln, chmod, chown, cp -p, rm -rf) as the guest sees them, and the guest\'s work as host tools see it', POINTS, async (ctx) => {
  const noHost = ctx.unmet(NEEDS)
  if (noHost) {
    for (const t of ctx.targets) for (const p of POINTS) ctx.point(t, p.id, { skip: noHost })
    return
  }
  const work: Work[] = []
  const held: Array<{ ok: boolean; value?: unknown }> = []
  // --- the guest makes every object on every mount and sets its metadata -----------------
  ctx.progress('the guest makes its objects')
  for (const t of ctx.targets) {
    held.push(await ctx.op('dir-hold', t.dir))
    for (const c of CASES) work.push({ t, c, path: pathOf(c, t.dir) })
  }
  await makeAll(ctx, work)
  // --- the host makes all its changes, every mount at once --------------------------------
  ctx.progress('the host changes them')
  await Promise.all(work.map(async (w) => {
    if (w.failed) return
    const r = await w.c.act(w.t.host, w.path, elsewhereOf(w.t))
    w.at = r.at
    if (!r.ok) {
      const refusedChown = w.c.name === 'chown' && /EPERM|not permitted/i.test(r.error ?? '')
      w.failed = refusedChown ? { skip: `the host may not chown here: ${r.error}` } : { ok: false, diagnostics: { op: `host ${w.c.name}`, args: [w.path], wanted: '0', found: r.error ?? 'failed', stage: 'setup', class: 'loud' } }
    }
  }))
  await Promise.all(work.filter((w) => w.c.hostMade && !w.failed).map(async (w) => (w.host = await w.t.host.look(w.at!))))
  // --- the guest looks: at once, then after one drop_caches --------------------------------
  const judgeAll = async (stage: LookStage) => {
    const views = await lookAll(ctx, work)
    for (const [i, w] of work.entries()) ctx.point(w.t, caseId(w.c, stage), w.failed ? w.failed : verdict(w, stage, views[i]!))
  }
  await judgeAll('at-once')
  // Let go of the dirs first: drop_caches drops only what nothing holds.
  for (const h of held) if (h.ok) await ctx.op('fd-close', h.value as number)
  const dropped = await ctx.op('drop-caches')
  if (dropped.ok) await judgeAll('after-drop-caches')
  else for (const w of work) ctx.point(w.t, caseId(w.c, 'after-drop-caches'), { skip: `drop_caches failed: ${dropped.errno}` })
  // --- what host tools see of the guest's work ---------------------------------------------
  await Promise.all(ctx.targets.map((t) => hostSees(ctx, t, work.filter((w) => w.t === t))))
})

/** The host-sees points of one mount, from its cases' objects after the host's changes. */
async function hostSees(ctx: SharedContext, t: SharedTarget, work: Work[]): Promise<void> {
  const byCase = (name: string, object: string) => work.find((w) => w.c.name === name && w.c.object === object)!
  // The host's own new file tells who the host user is (the bridge acts as the share's owner).
  const hostMade = byCase('recreate', 'file').host
  const owner = hostMade?.exists && hostMade.uid !== undefined ? { uid: hostMade.uid, gid: hostMade.gid! } : undefined
  const unknown: PointVerdict = { ok: false, diagnostics: { op: 'host look', args: [byCase('recreate', 'file').path], wanted: 'a file the host made', found: hostMade?.error ?? 'none', stage: 'host', class: 'loud', note: 'who the host user is comes from a file the host made' } }
  const file = byCase('link', 'file')
  const dir = byCase('rename', 'dir')
  const [fileHost, dirHost] = await Promise.all([t.host.look(file.path), t.host.look(dir.at ?? dir.path)])
  const lookFailed = (p: string): PointVerdict => ({ ok: false, diagnostics: { op: 'host look', args: [p], wanted: 'an answer', found: 'none', stage: 'host', class: 'loud' } })
  ctx.point(t, 'host-side/host-sees-owner/file', !owner ? unknown : fileHost ? hostUserAccess(owner, fileHost, 'file', 'host look', file.path) : lookFailed(file.path))
  ctx.point(t, 'host-side/host-sees-owner/dir', !owner ? unknown : dirHost ? hostUserAccess(owner, dirHost, 'dir', 'host look', dir.at ?? dir.path) : lookFailed(dir.path))
  ctx.point(t, 'host-side/host-sees-xattrs/file', fileHost ? hostXattrs(file.before?.xattr ? { [XATTR]: XATTR_VALUE } : {}, fileHost, 'host look', file.path) : lookFailed(file.path))
  const [guestList, hostList] = await Promise.all([ctx.op('readdir', t.dir), t.host.act('list', t.dir)])
  if (!guestList.ok || !hostList.ok) {
    ctx.point(t, 'host-side/host-sees-entries/dir', { ok: false, diagnostics: { op: guestList.ok ? 'host list' : 'readdir', args: [t.dir], wanted: 'a listing', found: guestList.ok ? (hostList.error ?? 'failed') : guestList.errno!, stage: 'host', class: 'loud' } })
    return
  }
  const hostNames = (hostList.value as Array<{ name: string }>).map((e) => e.name)
  ctx.point(t, 'host-side/host-sees-entries/dir', hostEntries(guestList.value as string[], hostNames, 'host list', t.dir))
}

/** It drops the guest's caches (a step of its own), which every mount feels: it runs when no other suite does. */
export default { ...hostSideSuite, dropsCaches: true as const }
