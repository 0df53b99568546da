// The migration table: for a share that already holds files under one model, what a switch to
// another keeps, what breaks (silently or loudly) and what a guest user could plant to become
// root, from the migrate suite's points (migrate/to-<model>/<object>/<property>, reported under
// the source configuration). Every source configuration of a model (each cache mode) counts: a
// property is kept when it was kept from all of them. And what `limafs migrate` keeps of a
// switch, for `limafs recommend --current-model`. Pure: results in, a table out.
import { md, table } from './markdown.ts'
import { shareSettings } from './share-settings.ts'
import type { CheckResult, ConfigResult } from './types.ts'
import { isKnown, securityOf, verdictOf } from './verdicts.ts'

export const MIGRATION_MODELS = ['none', 'mapped-xattr', 'mapped-file', 'virtiofs'] as const
export type MigrationModel = (typeof MIGRATION_MODELS)[number]

const PREFIX = 'migrate/to-'

/** What breaks of one object property on a switch (the first source config it broke from stands for all). */
export interface Broken {
  /** "symlink/type". */
  what: string
  verdict: 'silent' | 'loud'
  /** What the other model showed instead ("file", "ELOOP", "gone"). */
  found: string
  wanted: string
  /** The security line, when it is a finding. */
  security?: string
  /** Every failing source config had it as a known deviation. */
  known: boolean
  /** The source configs it broke from. */
  configs: string[]
}

export interface MigrationCell {
  from: MigrationModel
  to: MigrationModel
  /** The source configurations of `from` that measured this switch. */
  configs: string[]
  /** Object properties kept from every source config that measured them. */
  kept: string[]
  broken: Broken[]
  /** Object properties no source config measured (skipped), with why. */
  notMeasured: Array<{ what: string; why: string }>
}

export interface MigrationTable {
  /** The models the run had source configurations of, in MIGRATION_MODELS order. */
  models: MigrationModel[]
  cells: MigrationCell[]
}

/** The model a config shares with: 9p's security model, or virtiofs. */
export function modelOf(config: Pick<ConfigResult, 'config'>): string | undefined {
  const s = shareSettings(config.config)
  return s.mountType === 'virtiofs' ? 'virtiofs' : s.securityModel
}

/** The switch a point is about: the target model and "object/property"; undefined for other points. */
function pointOf(id: string): { to: string; what: string } | undefined {
  if (!id.startsWith(PREFIX)) return undefined
  const rest = id.slice(PREFIX.length)
  const slash = rest.indexOf('/')
  return slash < 0 ? undefined : { to: rest.slice(0, slash), what: rest.slice(slash + 1) }
}

/** The table, or undefined when the run has no migrate points. */
export function migrationTable(configs: readonly ConfigResult[]): MigrationTable | undefined {
  const byPair = new Map<string, { configs: Set<string>; points: Map<string, Array<{ config: string; check: CheckResult }>> }>()
  for (const config of configs.filter((c) => c.status !== 'infra-failed')) {
    const from = modelOf(config)
    if (!(MIGRATION_MODELS as readonly string[]).includes(from ?? '')) continue
    for (const check of config.checks) {
      const p = pointOf(check.id)
      if (!p || !(MIGRATION_MODELS as readonly string[]).includes(p.to)) continue
      const key = `${from} ${p.to}`
      const pair = byPair.get(key) ?? { configs: new Set(), points: new Map() }
      byPair.set(key, pair)
      if (verdictOf(check) !== 'skip') pair.configs.add(config.name)
      pair.points.set(p.what, [...(pair.points.get(p.what) ?? []), { config: config.name, check }])
    }
  }
  if (!byPair.size) return undefined
  const cells: MigrationCell[] = []
  for (const from of MIGRATION_MODELS) {
    for (const to of MIGRATION_MODELS) {
      const pair = byPair.get(`${from} ${to}`)
      if (!pair) continue
      const cell: MigrationCell = { from, to, configs: [...pair.configs].sort(), kept: [], broken: [], notMeasured: [] }
      for (const [what, seen] of pair.points) {
        const measured = seen.filter((s) => !['skip', 'crashed'].includes(verdictOf(s.check)))
        const failing = measured.filter((s) => verdictOf(s.check) !== 'ok')
        if (!measured.length) {
          cell.notMeasured.push({ what, why: seen[0]!.check.reason ?? seen[0]!.check.status })
          continue
        }
        if (!failing.length) {
          cell.kept.push(what)
          continue
        }
        const first = failing.find((s) => securityOf(s.check)) ?? failing[0]!
        const d = first.check.diagnostics ?? {}
        const security = securityOf(first.check)
        cell.broken.push({
          what, verdict: failing.some((s) => verdictOf(s.check) === 'silent') ? 'silent' : 'loud',
          found: String(d.found ?? '?'), wanted: String(d.wanted ?? '?'), ...(security ? { security } : {}),
          known: failing.every((s) => isKnown(s.check)), configs: failing.map((s) => s.config),
        })
      }
      cells.push(cell)
    }
  }
  const models = MIGRATION_MODELS.filter((m) => cells.some((c) => c.from === m || c.to === m))
  return { models, cells }
}

export const cellOf = (table: MigrationTable, from: string, to: string) => table.cells.find((c) => c.from === from && c.to === to)

/**
 * What `limafs migrate --from X --to Y` keeps of a switch (provision/migrate/plan.ts decides it;
 * test/migrate/migration-table.test.ts holds the two together): the stored metadata is moved,
 * so the guest sees what it saw, but for what the new model can't hold.
 */
export function migrateKeeps(from: MigrationModel, to: MigrationModel): { keeps: string; loses: string[] } {
  const mapped = (m: MigrationModel) => m === 'mapped-xattr' || m === 'mapped-file'
  if (mapped(to)) {
    return {
      keeps: `owners, modes (setuid/setgid too), types (symlinks, fifos, sockets, device nodes), link targets: moved into ${to === 'mapped-xattr' ? 'user.virtfs.* xattrs' : '.virtfs_metadata files'}`,
      loses: from === 'mapped-xattr' || from === 'mapped-file' ? [] : ['refuses entries the new model would take as ownership (user.virtfs.* xattrs or .virtfs_metadata names kept as data) until they are removed'],
    }
  }
  return {
    keeps: 'symlinks, fifos and sockets as real ones, modes; owners when run as root',
    loses: [
      ...(mapped(from) ? ['owners other than the host user\'s unless run as root, and with them setuid/setgid bits (as cp -a drops them)', 'device nodes (never made on the host: they stay empty regular files)'] : []),
      ...(to === 'virtiofs' ? ['user.* xattrs are kept on the host but virtiofsd as Lima starts it shows none'] : []),
    ],
  }
}

const arrow = (c: Pick<MigrationCell, 'from' | 'to'>) => `${c.from} → ${c.to}`

/** A cell in a few words: "27 kept · 12 silent · 3 loud · 3 security". */
export function cellCounts(c: MigrationCell): { kept: number; silent: number; loud: number; security: number } {
  return { kept: c.kept.length, silent: c.broken.filter((b) => b.verdict === 'silent').length, loud: c.broken.filter((b) => b.verdict === 'loud').length, security: c.broken.filter((b) => b.security).length }
}

const brokenText = (b: Broken) => `${b.what} (${b.found})`

/** summary.md's migration section: from x to, then per switch what breaks and what `limafs migrate` keeps. '' without migrate points. */
export function migrationSection(configs: readonly ConfigResult[], heading = "## Switching a share's model"): string {
  const t = migrationTable(configs)
  if (!t) return ''
  const cellText = (from: MigrationModel, to: MigrationModel) => {
    const c = cellOf(t, from, to)
    if (!c || !c.configs.length) return from === to ? '' : 'not measured'
    const n = cellCounts(c)
    return [`${n.kept} kept`, n.silent ? `**${n.silent} silent**` : '', n.loud ? `${n.loud} loud` : '', n.security ? `**${n.security} security**` : ''].filter(Boolean).join(' · ')
  }
  const rows = t.models.map((from) => [`**${md(from)}**`, ...t.models.map((to) => cellText(from, to))])
  const intro = "A tree made through each configuration's sibling share (owners, setuid/setgid, dirs, symlinks, a fifo, a socket, a device node, hard links, a user.* xattr, a dot-file; and what a non-root guest user plants), seen through a configuration of another model after drop_caches, on the same host files. A cell counts object properties: kept from every source configuration (each cache mode), broken silently or loudly, and security findings (a guest user's plain data read as a root owner, a setuid mode or a device). Known deviations count by what they did."
  const details = t.cells.filter((c) => c.configs.length && c.from !== c.to).map((c) => {
    const silent = c.broken.filter((b) => b.verdict === 'silent' && !b.security)
    const loud = c.broken.filter((b) => b.verdict === 'loud' && !b.security)
    const security = c.broken.filter((b) => b.security)
    const keeps = migrateKeeps(c.from, c.to)
    return [
      `- **${md(arrow(c))}** (from ${c.configs.map(md).join(', ')}):`,
      silent.length ? ` breaks silently: ${silent.map((b) => md(brokenText(b))).join(', ')}.` : '',
      loud.length ? ` breaks loudly: ${loud.map((b) => md(brokenText(b))).join(', ')}.` : '',
      security.length ? ` **security:** ${security.map((b) => md(`${b.what}: ${b.security}`)).join('; ')}.` : '',
      !c.broken.length ? ' keeps everything measured.' : '',
      ` \`limafs migrate --from ${c.from} --to ${c.to}\` keeps ${md(keeps.keeps)}${keeps.loses.length ? `; but: ${md(keeps.loses.join('; '))}` : ''}.`,
    ].join('')
  })
  return `${heading}\n\n${intro}\n\n${table(['from \\ to', ...t.models.map(md)], rows)}\n\n<details><summary>What each switch breaks, and what limafs migrate keeps</summary>\n\n${details.join('\n')}\n\n</details>`
}

/** For a user whose share is under `current` today: what switching to the recommended model costs, measured, and what `limafs migrate` keeps. */
export interface SwitchCost {
  from: string
  to: string
  /** The recommendation keeps the model: no switch. */
  same: boolean
  /** What this run measured of the switch (undefined: the run had no migrate points for it). */
  measured?: { kept: number; broken: Broken[] }
  /** What `limafs migrate --from --to` keeps (undefined when either model is not one it converts). */
  migrate?: { keeps: string; loses: string[]; command: string }
}

export function switchCost(configs: readonly ConfigResult[], current: string, to: string | undefined): SwitchCost | undefined {
  if (!to) return undefined
  const cell = migrationTable(configs) && cellOf(migrationTable(configs)!, current, to)
  const known = (m: string): m is MigrationModel => (MIGRATION_MODELS as readonly string[]).includes(m)
  const keeps = known(current) && known(to) && current !== to ? migrateKeeps(current, to) : undefined
  return {
    from: current, to, same: current === to,
    ...(cell && cell.configs.length ? { measured: { kept: cell.kept.length, broken: cell.broken } } : {}),
    ...(keeps ? { migrate: { ...keeps, command: `limafs migrate --from ${current} --to ${to} DIR` } } : {}),
  }
}

/** `limafs recommend --current-model`'s lines. */
export function switchCostText(s: SwitchCost): string {
  if (s.same) return `Your share is under ${s.from} already: the recommendation keeps its model, nothing to convert.\n`
  const lines = [`Switching your share from ${s.from} to ${s.to}:`]
  if (!s.measured) lines.push('  not measured here: run the migrate suite (limafs run, with sibling shares) to see what such a switch keeps')
  else {
    const silent = s.measured.broken.filter((b) => b.verdict === 'silent')
    const loud = s.measured.broken.filter((b) => b.verdict === 'loud')
    const security = s.measured.broken.filter((b) => b.security)
    lines.push(`  as it is (the dir not converted), measured: ${s.measured.kept} object properties kept, ${silent.length} broken silently, ${loud.length} loudly${security.length ? `, ${security.length} SECURITY findings` : ''}`)
    if (silent.length) lines.push(`    silently: ${silent.map((b) => `${b.what} (${b.found})`).join(', ')}`)
    if (loud.length) lines.push(`    loudly: ${loud.map((b) => `${b.what} (${b.found})`).join(', ')}`)
    for (const b of security) lines.push(`    SECURITY ${b.what}: ${b.security}`)
  }
  if (s.migrate) {
    lines.push(`  converted with \`${s.migrate.command}\` (the VM stopped; a dry run first): it keeps ${s.migrate.keeps}`)
    for (const l of s.migrate.loses) lines.push(`    but: ${l}`)
  } else lines.push(`  limafs migrate does not convert between ${s.from} and ${s.to}`)
  return `${lines.join('\n')}\n`
}
