// The migration table (summary.md, report.html) and `limafs recommend --current-model`'s switch
// cost, from migrate points as a run reports them; and `migrateKeeps`, what the reports say
// `limafs migrate` keeps, held to what its planner does.
import t from 'tap'
import { planMigration, type Plan } from '../../provision/migrate/plan.ts'
import { xattrsFromMeta } from '../../provision/migrate/store.ts'
import { migrationHtml } from '../../reports/html/migration-html.ts'
import { migrateKeeps, migrationSection, migrationTable, switchCost, switchCostText } from '../../reports/migration.ts'
import type { CheckResult, ConfigResult } from '../../reports/types.ts'

const ok = (id: string): CheckResult => ({ id, suite: 'migrate', status: 'ok' })
const bad = (id: string, found: string, cls: 'silent' | 'loud', security?: string): CheckResult => ({
  id, suite: 'migrate', status: 'todo', class: cls, reason: 'measured', diagnostics: { wanted: 'w', found, ...(security ? { security } : {}) },
})
const config = (name: string, model: string, checks: CheckResult[]): ConfigResult => ({
  name, config: model === 'virtiofs' ? { mountType: 'virtiofs' } : { mountType: '9p', ninep: { securityModel: model, cache: name.split('-').at(-1) } },
  status: 'completed', counts: { ok: 0, fail: 0, todo: 0, skip: 0, crashed: 0, silent: 0, loud: 0 }, checks, tapFiles: [],
})

const CONFIGS = [
  config('9p-none-mmap', 'none', [
    ok('migrate/to-mapped-xattr/file/owner'), bad('migrate/to-mapped-xattr/symlink/target', 'ELOOP', 'loud'),
    bad('migrate/to-mapped-xattr/planted-owner-xattr/owner', '0:0', 'silent', 'a planted file is owned by root'),
    { id: 'migrate/to-mapped-xattr/fifo/type', suite: 'migrate', status: 'skip', reason: 'mkfifo ENXIO through the source' },
    { id: 'chown/call/file', suite: 'chown', status: 'ok' },
  ]),
  config('9p-none-loose', 'none', [ok('migrate/to-mapped-xattr/file/owner'), bad('migrate/to-mapped-xattr/symlink/target', 'ELOOP', 'loud')]),
  config('9p-mapped-xattr-mmap', 'mapped-xattr', [bad('migrate/to-none/file/owner', '1000:1000', 'silent'), ok('migrate/to-none/file/content')]),
]

t.test('the table: per switch, what is kept from every source configuration, what breaks and how, the security findings', async (t) => {
  const table = migrationTable(CONFIGS)!
  t.strictSame(table.models, ['none', 'mapped-xattr'])
  const n2x = table.cells.find((c) => c.from === 'none' && c.to === 'mapped-xattr')!
  t.strictSame(n2x.configs, ['9p-none-loose', '9p-none-mmap'], 'both cache modes measured it')
  t.strictSame(n2x.kept, ['file/owner'])
  t.match(n2x.broken, [{ what: 'symlink/target', verdict: 'loud', found: 'ELOOP', known: true, configs: ['9p-none-mmap', '9p-none-loose'] }, { what: 'planted-owner-xattr/owner', verdict: 'silent', security: /owned by root/ }])
  t.strictSame(n2x.notMeasured, [{ what: 'fifo/type', why: 'mkfifo ENXIO through the source' }])
  t.equal(migrationTable([CONFIGS[0]!].map((c) => ({ ...c, checks: c.checks.filter((x) => x.suite === 'chown') }))), undefined, 'no migrate points: no table')
  const md = migrationSection(CONFIGS)
  t.match(md, /\| \*\*none\*\* \|  \| 1 kept · \*\*1 silent\*\* · 1 loud · \*\*1 security\*\* \|/)
  t.match(md, /\*\*mapped-xattr → none\*\* \(from 9p-mapped-xattr-mmap\): breaks silently: file\/owner \(1000:1000\)\./)
  t.match(md, /`limafs migrate --from none --to mapped-xattr` keeps owners, modes/)
  const html = migrationHtml(CONFIGS)
  t.match(html, /<td>1 kept · <b>1 silent<\/b> · 1 loud · <b>1 security<\/b><\/td>/)
  t.match(html, /<b>planted-owner-xattr\/owner<\/b>: a planted file is owned by root/)
})

t.test("recommend --current-model: the switch's measured cost and what limafs migrate keeps", async (t) => {
  const cost = switchCost(CONFIGS, 'none', 'mapped-xattr')!
  t.match(cost, { from: 'none', to: 'mapped-xattr', same: false, measured: { kept: 1 }, migrate: { command: 'limafs migrate --from none --to mapped-xattr DIR' } })
  const text = switchCostText(cost)
  t.match(text, /measured: 1 object properties kept, 1 broken silently, 1 loudly, 1 SECURITY findings/)
  t.match(text, /SECURITY planted-owner-xattr\/owner: a planted file is owned by root/)
  t.match(switchCostText(switchCost(CONFIGS, 'mapped-file', 'virtiofs')!), /not measured here: run the migrate suite/)
  t.match(switchCostText(switchCost(CONFIGS, 'none', 'none')!), /nothing to convert/)
  t.match(switchCostText(switchCost(CONFIGS, 'passthrough', 'none')!), /limafs migrate does not convert between passthrough and none/)
})

t.test("what the reports say limafs migrate keeps is what its planner does", async (t) => {
  const x = (m: Parameters<typeof xattrsFromMeta>[0]) => xattrsFromMeta(m)
  const e = (type: string, xattrs: Record<string, string>, content?: string) => ({ type, mode: '0600', uid: 1000, gid: 1000, nlink: 1, ino: Math.random(), xattrs, ...(content === undefined ? {} : { content }) })
  const tree = {
    f: e('file', x({ uid: 0, gid: 0, mode: 0o104755 })), l: e('file', x({ uid: 1234, gid: 5678, mode: 0o120777 }), '74'),
    dev: e('file', x({ uid: 0, gid: 0, mode: 0o020600, rdev: 259 })),
  }
  const asUser = { root: false, uid: 1000, gid: 1000, dirOwner: { uid: 1000, gid: 1000 } }
  const lostOf = (p: Plan) => p.lost.map((l) => l.what).join('\n')
  t.strictSame(planMigration(tree, 'mapped-xattr', 'mapped-file', asUser).lost, [], 'mapped to mapped: nothing lost')
  t.strictSame(migrateKeeps('mapped-xattr', 'mapped-file').loses, [], 'and the reports say so')
  const toNone = lostOf(planMigration(tree, 'mapped-xattr', 'none', asUser))
  t.match(toNone, /only root can give a file away/)
  t.match(toNone, /setuid bit .* dropped with the owner/)
  t.match(toNone, /device nodes are never made on the host/)
  t.match(migrateKeeps('mapped-xattr', 'none').loses.join('\n'), /owners other than the host user's unless run as root, and with them setuid\/setgid bits[\s\S]*device nodes/, 'the reports name the same three')
})
