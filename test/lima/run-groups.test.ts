// Several guests for one run (Lima: one instance per mount type; ssh: shares with and without a
// host dir): run one after the other and merged into one record; a guest that does not come up
// fails only its own configurations, with the reason; with one guest nothing changes.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { unmetNeed } from '../../agent/suite-run.ts'
import type { Backend } from '../../provision/backend.ts'
import { InfraError } from '../../provision/errors.ts'
import { parseMatrix } from '../../provision/matrix/load-matrix.ts'
import { AGENT_NO_BRIDGE_REASON, groupsOf, mergeRecords, relabelNoBridgeSkips, runGroups } from '../../provision/run-groups.ts'
import type { RunMatrixOptions, RunProgress } from '../../provision/run-matrix.ts'
import { LimaBackend } from '../../provision/lima/lima-backend.ts'
import { Limactl } from '../../provision/lima/limactl.ts'
import type { RunRecord } from '../../reports/types.ts'

const matrix = parseMatrix(`
configs:
  - { name: a-9p, mountType: 9p, writable: true }
  - { name: b-9p, mountType: 9p, writable: true }
  - { name: c-vfs, mountType: virtiofs, writable: true }
`, 'm.yaml')
const out = mkdtempSync(join(tmpdir(), 'limafs-groups-'))
t.teardown(() => rmSync(out, { recursive: true, force: true }))

const lima = new LimaBackend({ limactl: new Limactl({ binary: 'limactl-not-run', startTimeoutMs: 1000 }), namePrefix: 'p', sharesRoot: out, yaml: { image: { template: 'x' }, cpus: 1, memory: '1GiB', provisionNode: false }, keep: false, acceptOverrides: false, logsDir: out })

function options(backend: Backend, events: RunProgress[]): RunMatrixOptions {
  return {
    matrix, backend, outDir: out, agentBundle: '/nonexistent', suites: ['chown'], declaredChecks: ['chown/call/file'],
    restartPhase: true, keepGuest: false, signal: new AbortController().signal, onProgress: (e) => events.push(e),
  }
}

t.test('the Lima backend asks for one guest per mount type, 9p first; a backend without groups gets one', async (t) => {
  t.strictSame(groupsOf({ backend: lima, matrix }).map((g) => [g.label, g.configs.map((c) => c.name)]), [['9p', ['a-9p', 'b-9p']], ['virtiofs', ['c-vfs']]])
  const plain: Backend = { name: 'plain', boot: async () => { throw new Error('unused') } }
  t.strictSame(groupsOf({ backend: plain, matrix }).map((g) => g.configs.length), [3])
})

t.test('a guest that does not come up fails its own configs as infra-failed with the reason and hint; the run goes on', async (t) => {
  const booted: string[][] = []
  const backend: Backend = {
    name: 'fake',
    groups: (configs) => [{ label: 'first', configs: configs.slice(0, 2) }, { label: 'second', configs: configs.slice(2) }],
    boot: async (configs) => {
      booted.push(configs.map((c) => c.name))
      throw new InfraError(`no guest for ${configs.map((c) => c.name).join(',')}`, { hint: 'try again' })
    },
  }
  const events: RunProgress[] = []
  const record = await runGroups(options(backend, events))
  t.strictSame(booted, [['a-9p', 'b-9p'], ['c-vfs']], 'each group booted on its own, in order')
  t.strictSame(record.configs.map((c) => [c.name, c.status]), [['a-9p', 'infra-failed'], ['b-9p', 'infra-failed'], ['c-vfs', 'infra-failed']])
  t.equal(record.configs[2]!.error, 'the second guest did not come up: no guest for c-vfs (what to do: try again)')
  t.strictSame(record.matrix.configs, ['a-9p', 'b-9p', 'c-vfs'], 'the record covers the whole matrix (comparable with a one-guest run)')
  t.ok(events.some((e) => e.type === 'config-infra-failed' && e.config === 'c-vfs'), 'progress says so per config')
  t.ok(events.some((e) => e.type === 'log' && /guest 2\/2 \(second\): c-vfs/.test(e.line)))
})

t.test('with one guest, a boot failure still ends the run (as before groups existed); a bug is never swallowed', async (t) => {
  const one: Backend = { name: 'one', boot: async () => { throw new InfraError('QEMU did not start') } }
  await t.rejects(runGroups(options(one, [])), /QEMU did not start/)
  const buggy: Backend = { name: 'buggy', groups: (c) => [{ label: 'x', configs: [...c] }, { label: 'y', configs: [] }], boot: async () => { throw new TypeError('bug') } }
  await t.rejects(runGroups(options(buggy, [])), TypeError)
})

const record = (over: Partial<RunRecord>): RunRecord => ({
  startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:01:00.000Z', complete: true,
  matrix: { suites: ['chown'], configs: [] }, environment: {}, phases: [], declaredChecks: [], configs: [], ...over,
})

t.test('merged: configs in matrix order, phases named per guest, environment agreed or per guest', async (t) => {
  const a = record({
    environment: { hostOs: 'darwin 24', backend: 'lima', vmType: 'qemu', cpus: 2, mountinfo: { 'a-9p': '9p x', 'b-9p': '9p y' }, hostDirs: { 'a-9p': '/a', 'b-9p': '/b' }, limaConfig: { vmType: 'qemu' } },
    phases: [{ name: 'boot', seconds: 1 }], configs: [{ name: 'b-9p', config: {}, status: 'completed', tapFiles: [] }, { name: 'a-9p', config: {}, status: 'crashed', tapFiles: [] }],
  })
  const b = record({
    startedAt: '2026-01-01T00:02:00.000Z', finishedAt: '2026-01-01T00:03:00.000Z',
    environment: { hostOs: 'darwin 24', backend: 'lima', vmType: 'vz', cpus: 4, mountinfo: { 'c-vfs': 'virtiofs z' }, hostDirs: { 'c-vfs': '/c' }, limaConfig: { vmType: 'vz' } },
    phases: [{ name: 'boot', seconds: 2 }], configs: [{ name: 'c-vfs', config: {}, status: 'completed', tapFiles: [] }],
  })
  const merged = mergeRecords({ matrix, suites: ['chown'], declaredChecks: ['chown/call/file'] }, [{ group: { label: '9p', configs: [] }, record: a }, { group: { label: 'virtiofs', configs: [] }, record: b }], true)
  t.strictSame(merged.configs.map((c) => [c.name, c.status]), [['a-9p', 'crashed'], ['b-9p', 'completed'], ['c-vfs', 'completed']])
  t.strictSame(merged.phases, [{ name: '9p boot', seconds: 1 }, { name: 'virtiofs boot', seconds: 2 }])
  t.match(merged.environment, { hostOs: 'darwin 24', backend: 'lima', vmType: '9p: qemu; virtiofs: vz', mountinfo: { 'a-9p': '9p x', 'b-9p': '9p y', 'c-vfs': 'virtiofs z' } })
  t.strictSame(merged.environment.hostDirs, { 'a-9p': '/a', 'b-9p': '/b', 'c-vfs': '/c' }, 'per-config maps merge')
  t.notOk('cpus' in merged.environment, 'a number that differs is left to the per-guest environments')
  t.notOk('limaConfig' in merged.environment, 'so are maps over the same keys')
  t.match(merged.environment.guests, { '9p': { vmType: 'qemu', cpus: 2 }, virtiofs: { vmType: 'vz', cpus: 4 } })
  t.equal(merged.startedAt, a.startedAt)
  t.equal(merged.finishedAt, b.finishedAt)
  t.strictSame(merged.declaredChecks, ['chown/call/file'])
})

t.test("shares without a host dir: the agent's no-bridge SKIP reason is replaced by the backend's", async (t) => {
  t.equal(AGENT_NO_BRIDGE_REASON, unmetNeed(['host'], { isRoot: true, user: { uid: 0, gid: 0 }, other: { uid: 0, gid: 0 }, xattr: 'none', acl: false, python3: false, bridge: false, remount: false }), 'taken from the agent itself, so it follows the agent')
  const tap = `        ok 3 - chown/host-stored/file # SKIP ${AGENT_NO_BRIDGE_REASON}\n        ok 4 - chown/call/file\n`
  t.equal(relabelNoBridgeSkips(tap, 'no host dir for this mount'), '        ok 3 - chown/host-stored/file # SKIP no host dir for this mount\n        ok 4 - chown/call/file\n')
  t.equal(relabelNoBridgeSkips(tap, 'two\nlines'), tap.replace(AGENT_NO_BRIDGE_REASON, 'two lines'), 'a reason stays on its line')
})
