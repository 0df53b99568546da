// Workload benchmarks: how fast each share does what people do on a project dir (make small
// files, chown them, chown -R, stat, list, xattrs, one large file, delete; and as apps do it: a
// git checkout, an npm install, an SQLite database), beside the guest's own tmpfs. Every share and the baseline are measured in the same guest run, and the repeats
// interleave them (round r: every target in turn, starting one further each round), so a noisy
// machine's drift spreads over all of them evenly. Each call is timed inside the worker, around
// the system call (agent/worker/ops/bench-workload.ts): the figures are the share's, not the agent's.
// A workload a share can't do (chown under security_model=none, xattrs on virtiofs) is a SKIP
// that says so: a refusal is not a speed.
import { sharedSuite, type Arg, type BenchSettings, type Need, type PointSpec, type PointVerdict, type SharedContext, type SharedTarget } from '../../agent/check-api.ts'
import { benchFigures, roundOrder, type Repeat } from './figures.ts'

/** chown gives every file this owner (neither root nor the usual first user), chown -R then this one: every entry changes each time. */
const CHOWN_OWNER = [1234, 5678] as const
const CHOWN_R_OWNER = [2345, 6789] as const
/** One listing of a 20-entry dir is ~8 ms on 9p under TCG: several per repeat give p50/p99 some footing. */
const READDIR_PASSES = 5
const USER_XATTR = 'user.limafs-bench'
/** tmpfs has user.* xattrs only since Linux 6.6; before, the baseline sets a trusted.* one (same code path in shmem, needs root). */
const TRUSTED_XATTR = 'trusted.limafs-bench'

interface Workload {
  /** The worker's name for it (of the bench-workload op, or bench-app for the app-like ones). */
  name: string
  op?: 'bench-app'
  id: string
  title: string
  needs?: readonly Need[]
  /** The op's args after the dir and the name. */
  args: (s: BenchSettings, xattr: string) => Arg[]
  /** A failure means the share can't do this at all: a SKIP saying so, not a failure. */
  refusalIsSkip: boolean
}

const WORKLOADS: readonly Workload[] = [
  { name: 'create', id: 'bench/create/files', title: 'create the small files (--bench-files of them, 64 bytes each, O_EXCL)', args: (s) => [s.files], refusalIsSkip: true },
  { name: 'chown', id: 'bench/chown/files', title: 'chown each file to another owner (lchown)', needs: ['root'], args: (s) => [s.files, ...CHOWN_OWNER], refusalIsSkip: true },
  { name: 'chown-R', id: 'bench/chown-r/tree', title: 'chown -R the tree (list it, lstat and lchown every entry, as chown -R does)', needs: ['root'], args: () => [...CHOWN_R_OWNER], refusalIsSkip: true },
  { name: 'stat', id: 'bench/stat/files', title: 'stat every file (lstat)', args: (s) => [s.files], refusalIsSkip: false },
  { name: 'readdir', id: 'bench/readdir/dir', title: `list the dir (readdir, ${READDIR_PASSES} passes; ops/s counts entries)`, args: () => [READDIR_PASSES], refusalIsSkip: false },
  { name: 'xattr', id: 'bench/xattr/files', title: 'set then get a user.* xattr on each file (lsetxattr, lgetxattr: timed in the python3 helper)', needs: ['python3'], args: (s, xattr) => [s.files, xattr], refusalIsSkip: true },
  { name: 'write-read', id: 'bench/write-read/large', title: 'write then read one large file sequentially (--bench-bytes, 128 KiB chunks; ops/s counts bytes moved)', args: (s) => [s.bytes], refusalIsSkip: false },
  { name: 'unlink', id: 'bench/unlink/files', title: 'unlink every file', args: (s) => [s.files], refusalIsSkip: false },
  // App-like: what a git checkout, an npm install and a database do (agent/worker/ops/bench-apps.ts), sized by --bench-scale.
  {
    name: 'git-tree', op: 'bench-app', id: 'bench/git-tree/repo', refusalIsSkip: false, args: (s) => [s.scale],
    title: 'a git checkout: make a tree of dirs and small files, `git status` (lstat all, list all dirs), read all, chmod and rename some (4 files x --bench-scale)',
  },
  {
    name: 'npm-unpack', op: 'bench-app', id: 'bench/npm-unpack/packages', refusalIsSkip: false, args: (s) => [s.scale],
    title: 'an npm install: unpack packages (dirs, small files, an executable bin), link them from node_modules/.bin, readlink the links (2 packages x --bench-scale)',
  },
  {
    name: 'sqlite', op: 'bench-app', id: 'bench/sqlite/inserts', needs: ['python3'], refusalIsSkip: false, args: (s) => [s.scale],
    title: 'SQLite (python3\'s sqlite3): inserts, each its own transaction with a rollback journal and fsync (synchronous=FULL) (4 x --bench-scale)',
  },
]

const POINTS: PointSpec[] = WORKLOADS.map((w) => ({ id: w.id, title: w.title, ...(w.needs ? { needs: w.needs } : {}) }))

/** What one workload found on one target over the rounds. */
interface Findings {
  repeats: Repeat[]
  /** The workload can't run here, and why (python3 without its sqlite3 module): a SKIP. */
  cannot?: string
  /** The first failure, and in which round: the workload is not run there again. */
  failure?: { errno: string; round: number }
}

/** A share, or the baseline: where it works and what it found. */
interface Target {
  label: string
  dir: string
  share?: SharedTarget
  records: Map<string, Findings>
  /** Set when it could not take files at all: nothing more is measured there. */
  dead?: string
  xattr: string
  notes: string[]
}

const newTarget = (label: string, dir: string, share?: SharedTarget): Target => ({
  label, dir, ...(share ? { share } : {}), records: new Map(WORKLOADS.map((w) => [w.name, { repeats: [] }])), xattr: USER_XATTR, notes: [],
})

/**
 * One round on one target: a fresh dir, every workload in turn (create first, unlink last), the
 * dir removed. On a share with a host bridge the host removes it, trees and all, in one request;
 * the guest doing it takes ~70 9p calls a round, untimed but a fifth of the bench's time under TCG.
 */
async function runRound(ctx: SharedContext, t: Target, round: number, unmet: ReadonlyMap<string, string | undefined>): Promise<void> {
  if (t.dead) return
  const dir = `${t.dir}/r${round}`
  const hostRemoves = !!t.share && !ctx.unmet(['host'])
  const made = await ctx.op('mkdir', dir, 0o755)
  if (!made.ok) {
    t.dead = `could not make a dir here: ${made.errno}`
    return
  }
  for (const w of WORKLOADS) {
    const record = t.records.get(w.name)!
    if (record.failure || record.cannot || unmet.get(w.name)) continue
    const leave = hostRemoves && w.op === 'bench-app' ? ['leave'] : []
    let r = await ctx.op(w.op ?? 'bench-workload', dir, w.name, ...w.args(ctx.bench, t.xattr), ...leave)
    if (!r.ok && w.name === 'xattr' && !t.share && t.xattr === USER_XATTR && r.errno === 'EOPNOTSUPP' && !ctx.unmet(['root'])) {
      t.xattr = TRUSTED_XATTR
      t.notes.push(`the baseline's tmpfs has no user.* xattrs (Linux < 6.6): it sets ${TRUSTED_XATTR}`)
      r = await ctx.op('bench-workload', dir, w.name, ...w.args(ctx.bench, t.xattr))
    }
    if (r.ok && typeof (r.value as { skip?: unknown }).skip === 'string') {
      record.cannot = (r.value as { skip: string }).skip
      continue
    }
    if (r.ok) {
      record.repeats.push(r.value as Repeat)
      continue
    }
    record.failure = { errno: r.errno ?? 'EIO', round }
    if (w.name === 'create') {
      t.dead = `creating files fails here (${record.failure.errno})`
      return // what it made goes with the scratch dir at the end
    }
  }
  if (hostRemoves && (await t.share!.host.act('remove-tree', dir)).ok) return
  // Without the host: the trees and, once unlink did its work, the dir; what is left then goes with the scratch dir.
  if (hostRemoves) await ctx.op('remove-tree', dir)
  else await ctx.op('rmdir', dir)
}

/** A share's verdict on one workload, its figures beside the baseline's. */
function verdict(ctx: SharedContext, w: Workload, t: Target, baseline: Target | undefined, baselineMissing: string | undefined, unmet: string | undefined): PointVerdict {
  if (unmet) return { skip: unmet }
  const record = t.records.get(w.name)!
  if (record.cannot) return { skip: record.cannot }
  const { failure } = record
  if (failure && w.name === 'create') return { skip: `${t.dead ?? `creating files fails here (${failure.errno})`}: no speed to measure` }
  if (!record.repeats.length && t.dead) return { skip: `nothing to measure: ${t.dead}` }
  if (failure && w.refusalIsSkip) return { skip: `${w.name} fails here (${failure.errno}${failure.round ? `, in round ${failure.round + 1}` : ''}): a refusal, not a speed` }
  const describe = { op: w.op ?? 'bench-workload', args: [`${t.dir}/r${failure?.round ?? 0}`, w.name, ...w.args(ctx.bench, t.xattr)], stage: 'call' as const }
  if (failure) return { ok: false, diagnostics: { ...describe, wanted: '0', found: failure.errno, errno: failure.errno, class: 'loud', note: `in round ${failure.round + 1}` } }
  const base = baseline?.records.get(w.name)
  const baseFailed = base?.failure ? `the tmpfs baseline could not run it (${base.failure.errno})` : undefined
  const noBaseline = baselineMissing ?? baseFailed ?? base?.cannot ?? (base?.repeats.length ? undefined : `the tmpfs baseline has no figures for it${baseline?.dead ? ` (${baseline.dead})` : ''}`)
  const figures = benchFigures(w.name, record.repeats, noBaseline ? undefined : base!.repeats)
  const notes = [
    ...(noBaseline ? [`no ratio: ${noBaseline}`] : []),
    ...(record.repeats.length < ctx.bench.repeats ? [`only ${record.repeats.length} of ${ctx.bench.repeats} repeats (${t.dead})`] : []),
    ...(w.name === 'xattr' && baseline ? baseline.notes : []),
  ]
  return { ok: true, diagnostics: { ...describe, bench: figures, ...(notes.length ? { note: notes.join('; ') } : {}) } }
}

export default {
  ...sharedSuite('bench', 'Workload speed per share beside the guest\'s tmpfs: create, chown, chown -R, stat, readdir, xattrs, a large file, unlink; a git checkout, an npm install, SQLite inserts', POINTS, async (ctx) => {
    const unmet = new Map(WORKLOADS.map((w) => [w.name, w.needs ? ctx.unmet(w.needs) : undefined]))
    const baselineMissing = 'missing' in ctx.baseline ? `no tmpfs baseline: ${ctx.baseline.missing}` : undefined
    const baseline = 'dir' in ctx.baseline ? newTarget('tmpfs baseline', ctx.baseline.dir) : undefined
    const shares = ctx.targets.map((s) => newTarget(s.path, s.dir, s))
    const all = [...(baseline ? [baseline] : []), ...shares]
    for (let round = 0; round < ctx.bench.repeats; round++) {
      for (const t of roundOrder(all, round)) {
        ctx.progress(`round ${round + 1}/${ctx.bench.repeats} on ${t.label}`)
        await runRound(ctx, t, round, unmet)
      }
    }
    for (const t of shares) for (const w of WORKLOADS) ctx.point(t.share!, w.id, verdict(ctx, w, t, baseline, baselineMissing, unmet.get(w.name)))
  }),
  measures: true,
}
