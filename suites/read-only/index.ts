// Read-only shares (Lima's default for ~): what the guest can do there and what it sees.
// Every write the guest tries must fail EROFS, as on a local read-only mount: loud. One that
// goes through is silent, and a guest that can change a host file through a share the user
// made read-only is a security finding. Content the host made reads back whole (a large file,
// a symlink, modes, times), and the host's own edits, atomic saves, new and deleted files and
// large copies show in the guest within the window, or are stale (the cache keeps the old).
// The scratch dir here is the host's: `limafs run` makes it (fixture.ts) and removes it.
import { sharedSuite, type Arg, type Need, type PointSpec, type SharedContext, type SharedTarget } from '../../agent/check-api.ts'
import { sharedPoint, type SharedCheck } from '../../agent/shared-check.ts'
import { verdict, watchAll, type Experiment, type Outcome } from '../coherence/window.ts'
import { FILE_MTIME_TEXT, FIXTURE, LARGE_DIGEST, TEXT } from './fixture.ts'

interface Refusal {
  name: string
  title: string
  needs?: readonly Need[]
  call: (dir: string, ctx: SharedContext) => [string, ...Arg[]]
}

/** Each write a program may try, on an object of its own: every one must fail EROFS. */
const REFUSALS: readonly Refusal[] = [
  { name: 'create', title: 'open(O_CREAT) of a new file', call: (d) => ['create', `${d}/new-file`] },
  { name: 'mkdir', title: 'mkdir', call: (d) => ['mkdir', `${d}/new-dir`] },
  { name: 'mkfifo', title: 'mkfifo', needs: ['python3'], call: (d) => ['mkfifo', `${d}/new-fifo`] },
  { name: 'symlink', title: 'symlink', call: (d) => ['symlink', 'file', `${d}/new-link`] },
  { name: 'link', title: 'a hard link to a host file', call: (d) => ['link', `${d}/victim-link`, `${d}/new-hardlink`] },
  { name: 'write', title: 'open(O_WRONLY|O_TRUNC) of a host file', call: (d) => ['write', `${d}/victim-write`, 'guest\n'] },
  { name: 'truncate', title: 'truncate of a host file', call: (d) => ['truncate', `${d}/victim-truncate`, 0] },
  { name: 'chmod', title: 'chmod of a host file (to setuid 4755)', call: (d) => ['chmod', `${d}/victim-chmod`, 0o4755] },
  { name: 'chown', title: 'chown of a host file to another owner', needs: ['root'], call: (d, ctx) => ['chown', `${d}/victim-chown`, ctx.other.uid, ctx.other.gid] },
  { name: 'utimes', title: 'utimensat of a host file', call: (d) => ['utimensat', `${d}/victim-utimes`, '1.0', '1.0'] },
  { name: 'setxattr', title: 'setxattr user.limafs on a host file', needs: ['xattr'], call: (d) => ['setxattr', `${d}/victim-setxattr`, 'user.limafs', '6775657374'] },
  { name: 'unlink', title: 'unlink of a host file', call: (d) => ['unlink', `${d}/victim-unlink`] },
  { name: 'rename', title: 'rename of a host file', call: (d) => ['rename', `${d}/victim-rename`, `${d}/renamed`] },
  { name: 'rmdir', title: 'rmdir of an empty host dir', call: (d) => ['rmdir', `${d}/victim-rmdir`] },
]

interface Read {
  name: string
  title: string
  run: (c: SharedCheck, dir: string) => Promise<void>
}

const showDigest = (v: unknown) => {
  const d = v as { size?: number; sha256?: string } | undefined
  return d ? `${d.size} bytes, sha256 ${d.sha256?.slice(0, 16)}…` : 'nothing'
}

/** What the host made, read back as it is on the host (fixture.ts). */
const READS: readonly Read[] = [
  { name: 'file', title: 'a host file reads back its content', run: async (c, d) => void (await c.expect(TEXT, 'read', `${d}/file`)) },
  {
    name: 'dir', title: 'a host dir lists what is in it, and that reads back',
    run: async (c, d) => {
      await c.expect('inner', 'readdir', `${d}/dir`)
      await c.expect(TEXT, 'read', `${d}/dir/inner`)
    },
  },
  {
    name: 'symlink', title: 'a host symlink reads as its target, and is followed',
    run: async (c, d) => {
      await c.expect('file', 'readlink', `${d}/link`)
      await c.expect(TEXT, 'read', `${d}/link`)
    },
  },
  {
    name: 'mode', title: "host files' modes show as the host has them (0644, 0755)",
    run: async (c, d) => {
      for (const e of FIXTURE.filter((e) => e.name === 'file' || e.name === 'exec')) {
        const found = ((await c.setup('lstat', `${d}/${e.name}`)) as { mode: string }).mode
        const wanted = 'mode' in e ? e.mode.toString(8).padStart(4, '0') : ''
        if (found !== wanted) c.fail({ op: 'lstat', args: [`${d}/${e.name}`], wanted: `mode ${wanted}`, found: `mode ${found}`, stage: 'call', class: 'silent' })
      }
    },
  },
  {
    name: 'mtime', title: "a host file's mtime shows as the host set it, to the nanosecond",
    run: async (c, d) => {
      const found = ((await c.setup('times', `${d}/file`)) as { mtime: string }).mtime
      if (found !== FILE_MTIME_TEXT) c.fail({ op: 'times', args: [`${d}/file`], wanted: `mtime ${FILE_MTIME_TEXT}`, found: `mtime ${found}`, stage: 'call', class: 'silent' })
    },
  },
  {
    name: 'large', title: `a large host file (${LARGE_DIGEST.size / 1024 / 1024} MiB) reads back whole`,
    run: async (c, d) => {
      const found = await c.setup('digest', `${d}/large`)
      const f = found as { size?: number; sha256?: string }
      if (f.size !== LARGE_DIGEST.size || f.sha256 !== LARGE_DIGEST.sha256) c.fail({ op: 'digest', args: [`${d}/large`], wanted: showDigest(LARGE_DIGEST), found: showDigest(f), stage: 'call', class: 'silent' })
    },
  },
]

const AFTER = 'limafs: the host changed this\n'

interface HostChange {
  name: string
  title: string
  /** What the guest does first, so that what it caches is the old state. */
  prime: (ctx: SharedContext, dir: string) => Promise<unknown>
  change: (t: SharedTarget, dir: string) => Promise<{ ok: boolean; error?: string }>
  probe: (dir: string) => { op: string; args: Arg[]; wanted: string }
}

/** What an op found, as a probe's wanted value says it (a stat as its type and size). */
const text = (r: Outcome) => {
  if (!r.ok) return r.errno ?? 'failed'
  if (Array.isArray(r.value)) return r.value.join(',')
  const st = r.value as { type?: string; size?: number } | undefined
  return st && typeof st === 'object' && st.type ? `a ${st.type} of ${st.size} bytes` : String(r.value)
}

/** The host's own changes while the guest watches (the guest looked at each first). */
const HOST_CHANGES: readonly HostChange[] = [
  {
    name: 'edit', title: 'the host edits a file in place: the guest reads the new content',
    prime: (ctx, d) => ctx.op('read', `${d}/edit`), change: (t, d) => t.host.act('write', `${d}/edit`, { content: AFTER }),
    probe: (d) => ({ op: 'read', args: [`${d}/edit`], wanted: AFTER }),
  },
  {
    name: 'atomic-save', title: "the host saves a file as editors do (new file renamed over it): the guest reads the new content",
    prime: (ctx, d) => ctx.op('read', `${d}/save`), change: (t, d) => t.host.act('replace', `${d}/save`, { content: AFTER }),
    probe: (d) => ({ op: 'read', args: [`${d}/save`], wanted: AFTER }),
  },
  {
    name: 'append', title: 'the host appends to a file: the guest reads all of it',
    prime: (ctx, d) => ctx.op('read', `${d}/grow`), change: (t, d) => t.host.act('append', `${d}/grow`, { content: AFTER }),
    probe: (d) => ({ op: 'read', args: [`${d}/grow`], wanted: TEXT + AFTER }),
  },
  {
    name: 'create', title: 'the host makes a file the guest looked for: the guest reads it',
    prime: (ctx, d) => ctx.op('lstat', `${d}/made`), change: (t, d) => t.host.act('write', `${d}/made`, { content: AFTER }),
    probe: (d) => ({ op: 'read', args: [`${d}/made`], wanted: AFTER }),
  },
  {
    name: 'unlink', title: 'the host deletes a file: the guest finds it gone (ENOENT)',
    prime: (ctx, d) => ctx.op('read', `${d}/gone`), change: (t, d) => t.host.act('unlink', `${d}/gone`),
    probe: (d) => ({ op: 'lstat', args: [`${d}/gone`], wanted: 'ENOENT' }),
  },
  {
    name: 'listing', title: 'the host adds a file to a dir: the guest lists it',
    prime: (ctx, d) => ctx.op('readdir', `${d}/listed`), change: (t, d) => t.host.act('write', `${d}/listed/b`, { content: AFTER }),
    probe: (d) => ({ op: 'readdir', args: [`${d}/listed`], wanted: 'a,b' }),
  },
  {
    name: 'large-copy', title: `the host copies a large file (${LARGE_DIGEST.size / 1024 / 1024} MiB, cp -p) in: the guest reads the whole copy`,
    prime: (ctx, d) => ctx.op('lstat', `${d}/large-copy`), change: (t, d) => t.host.act('copy', `${d}/large`, { to: `${d}/large-copy` }),
    probe: (d) => ({ op: 'digest', args: [`${d}/large-copy`], wanted: showDigest(LARGE_DIGEST) }),
  },
]

const id = (group: string, name: string) => `read-only/${group}/${name}`
const POINTS: PointSpec[] = [
  ...READS.map((r) => ({ id: id('reads', r.name), title: r.title })),
  ...HOST_CHANGES.map((h) => ({ id: id('host-change', h.name), title: `${h.title} (within the window)`, needs: ['host'] as const })),
  { id: id('host-change', 'after-drop-caches'), title: 'what was stale of those host changes shows after drop_caches', needs: ['host', 'root'] },
  ...REFUSALS.map((r) => ({ id: id('refuses', r.name), title: `${r.title} fails EROFS`, needs: r.needs ?? [] })),
]

/** Looks at a probe: a digest is shown as size and hash, as the wanted value is. */
const lookAt = (ctx: SharedContext, p: { op: string; args: Arg[]; wanted: string }) => async () => {
  const r = await ctx.op(p.op, ...p.args)
  const found = p.op === 'digest' && r.ok ? showDigest(r.value) : text(r)
  return { found, visible: found === p.wanted }
}

/** One point per mount: the host changes still stale once the guest dropped its caches. */
async function afterDropCaches(ctx: SharedContext, experiments: readonly Experiment[]): Promise<void> {
  const pointId = id('host-change', 'after-drop-caches')
  const noRoot = ctx.unmet(['root'])
  const dropped = noRoot ? undefined : await ctx.op('drop-caches')
  const why = noRoot ?? (dropped && !dropped.ok ? `drop_caches failed: ${dropped.errno}` : undefined)
  for (const t of ctx.targets) {
    if (why) {
      ctx.point(t, pointId, { skip: why })
      continue
    }
    const stale = experiments.filter((e) => e.target === t && !e.failed && e.seenAfterMs === undefined)
    const still: string[] = []
    for (const e of stale) if (!(await e.look()).visible) still.push(e.id.split('/').pop()!)
    const describe = { op: 'drop-caches', args: [], wanted: 'every host change seen', stage: 'after-drop-caches' as const }
    if (still.length) ctx.point(t, pointId, { ok: false, diagnostics: { ...describe, found: `still stale: ${still.join(', ')}`, class: 'silent' } })
    else ctx.point(t, pointId, { ok: true, diagnostics: { ...describe, found: stale.length ? `seen now: ${stale.map((e) => e.id.split('/').pop()).join(', ')}` : 'nothing was stale' } })
  }
}

export default {
  ...sharedSuite('read-only', "Read-only shares: every guest write fails EROFS; the host's content reads back; the host's edits, saves and copies show", POINTS, async (ctx) => {
    const noHost = ctx.unmet(['host'])
    // Reads first, before any host change or refused write could touch what they read.
    await Promise.all(ctx.targets.map(async (t) => {
      for (const r of READS) await sharedPoint(ctx, t, { id: id('reads', r.name) }, (c) => r.run(c, t.dir))
    }))
    ctx.progress('host changes')
    const experiments: Experiment[] = []
    if (noHost) for (const h of HOST_CHANGES) for (const t of ctx.targets) ctx.point(t, id('host-change', h.name), { skip: noHost })
    else {
      for (const t of ctx.targets) {
        for (const h of HOST_CHANGES) {
          await h.prime(ctx, t.dir)
          const probe = h.probe(t.dir)
          experiments.push({
            target: t, id: id('host-change', h.name), side: 'host', describe: probe, look: lookAt(ctx, probe),
            fire: async () => {
              const r = await h.change(t, t.dir)
              return r.ok ? { ok: true } : { ok: false, found: `the host could not ${h.name}: ${r.error}` }
            },
          })
        }
      }
      await Promise.all(experiments.map(async (e) => {
        const r = await e.fire()
        e.since = Date.now()
        if (!r.ok) e.failed = { found: r.found ?? 'failed' }
      }))
      await watchAll(experiments, ctx.windowMs)
      for (const e of experiments) ctx.point(e.target, e.id, verdict(e, ctx.windowMs, 'at-once'))
      await afterDropCaches(ctx, experiments)
    }
    ctx.progress('refusals')
    await Promise.all(ctx.targets.map(async (t) => {
      for (const r of REFUSALS) {
        await sharedPoint(ctx, t, { id: id('refuses', r.name), ...(r.needs ? { needs: r.needs } : {}) }, async (c) => {
          const [op, ...args] = r.call(t.dir, ctx)
          const done = await c.attempt(op, ...args)
          if (done.ok) c.note('the write went through to the host: a guest can change host files on a share made read-only (a security finding)')
          if (!done.ok && done.errno === 'EROFS') return
          c.fail({ op, args, wanted: 'EROFS', found: done.ok ? '0' : (done.errno ?? 'failed'), ...(done.ok ? {} : { errno: done.errno! }), stage: 'call', class: done.ok ? 'silent' : 'loud' })
        })
      }
    }))
  }),
  readOnlyMounts: true as const,
  // host-change/after-drop-caches drops the guest's caches, which every mount feels.
  dropsCaches: true as const,
}
