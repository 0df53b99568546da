// `limafs migrate --from MODEL --to MODEL DIR`: converts a share's host dir so that a guest
// sees under the new security model what it saw under the old one (provision/migrate/ decides
// and acts; this reads the command line and prints).
import { existsSync, realpathSync, statSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { UsageError } from '../provision/errors.ts'
import { MIGRATE_MODELS, type MigrateModel } from '../provision/migrate/guest-view.ts'
import { readManifest, writeManifest } from '../provision/migrate/manifest.ts'
import { applyChanges, assertNotMounted, mismatches, planDir, planUndo, type Applied } from '../provision/migrate/migrate.ts'
import type { Change, Finding } from '../provision/migrate/plan.ts'
import { parse } from './args.ts'
import type { CliEnvironment } from './environment.ts'

export const MIGRATE_USAGE = `Usage: limafs migrate --from MODEL --to MODEL DIR [--apply] [--manifest FILE]
       limafs migrate --undo MANIFEST [--apply]

Convert a share's host dir from one security model's form to another's, so that the guest
sees under the new model what it saw under the old one: owners, modes (setuid/setgid too),
types (symlinks, fifos, sockets, device nodes), symlink targets and rdev. MODEL is one of
${MIGRATE_MODELS.join(', ')} (Lima's 9p securityModel, or VZ's virtiofs).

  mapped-xattr <-> mapped-file  user.virtfs.* xattrs <-> DIR/.../.virtfs_metadata/NAME files
  to none or virtiofs           real symlinks, fifos and sockets, real modes, real owners when
                                run as root; what can't be kept is reported, never faked: an
                                owner (only root gives files away), setuid/setgid without it
                                (as cp -a drops them), device nodes (never made on the host)
  from none or virtiofs         symlinks, fifos, sockets and devices become the regular files
                                QEMU's mapped models keep them as, with their metadata
The old model's bookkeeping goes. Entries the new model would read as its own bookkeeping
(a .virtfs_metadata dir, user.virtfs.* xattrs kept as data) block --apply: a guest user may
have planted them to become root. DIR itself is left as it is (its own metadata lives above it).

Dry run by default: prints each change and what can't be kept, changes nothing. With --apply
it first writes a manifest (every change, the path's state before and after), then changes
the dir change by change, stops at the first step that fails, and checks that the guest would
see under --to what it saw under --from. --undo MANIFEST puts back what a migration changed
(dry run too without --apply); paths changed since are left alone and named.

It refuses to run while a VM has the dir shared: a running QEMU or virtiofsd that exports the
dir, a dir above it or one inside it (Linux: /proc/*/cmdline; macOS: ps), or a running Lima
instance that mounts one (limactl list, VZ included). It never follows a symlink: every path
is reached through directory descriptors opened with O_NOFOLLOW (python3, Linux hosts).

Options:
  --from MODEL       the model the dir was shared with
  --to MODEL         the model it will be shared with
  --apply            make the changes (default: only print them)
  --manifest FILE    where --apply writes the manifest (default:
                     ./limafs-migrate-<dir name>-<time>.json; never inside DIR)
  --undo MANIFEST    undo the migration MANIFEST records
  -h, --help         this help

Exit codes: 0 done (or printed), 1 something blocks it (conflicts, paths changed since) or a
step failed (undo with the manifest), 2 a VM has the dir shared or python3 is missing, 64 usage
error.`

const options = {
  from: { type: 'string' },
  to: { type: 'string' },
  apply: { type: 'boolean' },
  manifest: { type: 'string' },
  undo: { type: 'string' },
} as const

const out = (line = '') => process.stdout.write(`${line}\n`)

function modelOption(value: string | undefined, flag: string): MigrateModel {
  if (value === undefined) throw new UsageError(`migrate needs ${flag} MODEL (one of ${MIGRATE_MODELS.join(', ')})\n\n${MIGRATE_USAGE}`)
  if (!(MIGRATE_MODELS as readonly string[]).includes(value)) throw new UsageError(`${flag}: unknown model ${JSON.stringify(value)}; one of ${MIGRATE_MODELS.join(', ')}`)
  return value as MigrateModel
}

function printFindings(title: string, findings: readonly Finding[]): void {
  if (!findings.length) return
  out(`${title} (${findings.length}):`)
  for (const f of findings) out(`  ${f.path}: ${f.what}`)
}

function printChanges(changes: readonly Change[]): void {
  for (const c of changes) out(`  ${c.path}: ${c.what}`)
}

function printApplied(a: Applied, total: number, manifest: string, verb: string): number {
  if (!a.failed) return 0
  out(`FAILED at ${a.failed.change.path}: ${a.failed.step.slice(0, 1).join(' ')} ${a.failed.errno} (${a.done} of ${total} changes ${verb}; the ones after it were not started)`)
  out(`  put back what was ${verb}: limafs migrate --undo ${manifest} --apply`)
  return 1
}

export async function migrateCommand(argv: string[], _env: CliEnvironment): Promise<number> {
  const { values, positionals } = parse(argv, options, MIGRATE_USAGE)
  if (values.help) {
    out(MIGRATE_USAGE)
    return 0
  }
  if (values.undo !== undefined) {
    if (positionals.length || values.from || values.to || values.manifest) throw new UsageError(`--undo MANIFEST takes the dir and the models from the manifest: no DIR, --from, --to or --manifest\n\n${MIGRATE_USAGE}`)
    return undo(values.undo, !!values.apply)
  }
  const from = modelOption(values.from, '--from')
  const to = modelOption(values.to, '--to')
  if (from === to) throw new UsageError(`--from and --to are both ${from}: nothing to convert`)
  if (positionals.length !== 1) throw new UsageError(`migrate takes one DIR (got ${positionals.length})\n\n${MIGRATE_USAGE}`)
  const given = positionals[0]!
  if (!existsSync(given) || !statSync(given).isDirectory()) throw new UsageError(`${given}: not a directory`)
  const dir = realpathSync(given)
  const manifest = resolve(values.manifest ?? `limafs-migrate-${basename(dir)}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  if (manifest === dir || manifest.startsWith(`${dir}/`)) throw new UsageError(`--manifest ${manifest} is inside ${dir}: it would become part of the share; put it elsewhere`)

  const checked = await assertNotMounted(dir)
  const planned = await planDir(dir, from, to)
  const { plan } = planned
  out(`limafs migrate: ${dir} from ${from} to ${to}: ${plan.entries} entries the guest sees, ${plan.changes.length} changes${values.apply ? '' : ' (dry run: nothing changed; --apply to change)'}`)
  printChanges(plan.changes)
  printFindings(`can't be kept under ${to}`, plan.lost)
  printFindings('conflicts: these block --apply', plan.conflicts)
  out(`checked that ${checked}`)
  if (!values.apply) return plan.conflicts.length ? 1 : 0
  if (plan.conflicts.length) {
    out('nothing changed: resolve the conflicts above first')
    return 1
  }
  if (!plan.changes.length) {
    out('nothing to change')
    return 0
  }
  writeManifest(manifest, { dir, from, to, createdAt: new Date().toISOString(), changes: plan.changes })
  out(`manifest: ${manifest} (undo: limafs migrate --undo ${manifest} --apply)`)
  const applied = await applyChanges(dir, plan.changes)
  if (applied.failed) return printApplied(applied, plan.changes.length, manifest, 'made')
  const wrong = await mismatches(dir, planned)
  if (wrong.length) {
    out(`applied ${applied.done} changes, but under ${to} the guest would see ${wrong.length} entries otherwise than under ${from}:`)
    for (const w of wrong) out(`  ${w}`)
    return 1
  }
  out(`applied ${applied.done} changes; under ${to} the guest sees what it saw under ${from} (${plan.entries - new Set(plan.lost.map((l) => l.path)).size} entries checked${plan.lost.length ? `, ${plan.lost.length} things not kept: see above` : ''})`)
  return 0
}

async function undo(file: string, apply: boolean): Promise<number> {
  const m = readManifest(file)
  if (!existsSync(m.dir)) throw new UsageError(`${file}: its dir ${m.dir} is not there`)
  const checked = await assertNotMounted(m.dir)
  const u = await planUndo(m)
  out(`limafs migrate --undo: ${m.dir} back from ${m.to} to ${m.from}: ${u.changes.length} changes to put back${u.notMade ? `, ${u.notMade} never made (or undone already)` : ''}${apply ? '' : ' (dry run: nothing changed; --apply to change)'}`)
  printChanges(u.changes)
  printFindings('changed since: these block --apply', u.conflicts)
  out(`checked that ${checked}`)
  if (u.conflicts.length) {
    if (apply) out('nothing changed: the paths above were changed after the migration')
    return 1
  }
  if (!apply || !u.changes.length) return 0
  const applied = await applyChanges(m.dir, u.changes)
  if (applied.failed) return printApplied(applied, u.changes.length, file, 'put back')
  out(`put back ${applied.done} changes`)
  return 0
}
