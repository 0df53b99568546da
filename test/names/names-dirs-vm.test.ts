// names and dirs end to end on real shares: ONE testbed boot (`limafs run` of a small matrix,
// no restart phase) with mapped-xattr and none under cache=mmap, mapped-file under cache=none,
// none under cache=loose and virtiofs; the host bridge answers the host side (list,
// make-entries, remove-tree). Each suite shows ok points on every share and the points that
// fail on some share say what the guest and the host hold.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { parseResults } from '../../reports/results-schema.ts'
import type { CheckResult, Results } from '../../reports/types.ts'
import { limafs, qemuOrVirtiofsdMentioning, type CliResult } from '../helpers/testbed.ts'

const NAME = 't-names-dirs-vm'
const CONFIGS: Array<[string, string, string]> = [
  ['9p-mapped-xattr-mmap', 'mapped-xattr', 'mmap'], ['9p-none-mmap', 'none', 'mmap'], ['9p-mapped-file-none', 'mapped-file', 'none'], ['9p-none-loose', 'none', 'loose'],
]
const dir = mkdtempSync(join(tmpdir(), 'limafs-names-dirs-vm-'))
const out = join(dir, 'out')
const matrix = join(dir, 'matrix.yaml')
writeFileSync(matrix, `backend: testbed
configs:
${CONFIGS.map(([name, model, cache]) => `  - { name: ${name}, mountType: 9p, writable: true, 9p: { securityModel: ${model}, cache: ${cache} } }`).join('\n')}
  - { name: virtiofs, mountType: virtiofs, writable: true }
suites: [names, dirs]
`)
let run: CliResult
let results: Results

t.before(async () => {
  run = await limafs(['run', '--matrix', matrix, '--out', out, '--name', NAME, '--no-restart'], { timeoutMs: 600_000 })
  if (existsSync(join(out, 'results.json'))) results = parseResults(readFileSync(join(out, 'results.json'), 'utf8'), 'results.json')
})
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

const checks = (config: string, suite: string): CheckResult[] => results.configs.find((c) => c.name === config)?.checks.filter((c) => c.suite === suite) ?? []
const check = (config: string, id: string) => results.configs.find((c) => c.name === config)?.checks.find((c) => c.id === id)

t.test('one boot runs both suites on every share and leaves nothing behind', async (t) => {
  t.ok(results, `results.json was written (stderr tail: ${run.stderr.split('\n').slice(-10).join('\n')})`)
  t.ok(results.configs.every((c) => c.status === 'completed'), 'every configuration completed')
  t.strictSame(qemuOrVirtiofsdMentioning(NAME), [], 'no QEMU or virtiofsd of the run is left')
  t.match(run.stderr, /names done \([\d.]+ s\)/, 'the names suite timed')
  t.match(run.stderr, /dirs done \([\d.]+ s\)/, 'the dirs suite timed')
})

t.test('names: ok points on every share, byte-exact on the host too', async (t) => {
  for (const config of [...CONFIGS.map(([name]) => name), 'virtiofs']) {
    const ok = checks(config, 'names').filter((c) => c.status === 'ok')
    t.ok(ok.length >= 5, `${config}: ${ok.length} ok names points`)
  }
  t.match(check('9p-mapped-xattr-mmap', 'names/host-stored/bytes'), { status: 'ok' }, 'the host holds every name byte for byte')
  t.match(check('9p-mapped-xattr-mmap', 'names/unicode/both-forms'), { status: 'ok', diagnostics: { guestSees: /<63616665cc81>.*<636166c3a9>/, hostHolds: /<63616665cc81>.*<636166c3a9>/ } }, 'NFC and NFD: two files, in the guest and on the host')
  t.match(check('9p-mapped-xattr-mmap', 'names/case/two-files'), { status: 'ok', diagnostics: { hostHolds: /"Limafs-Case".*"limafs-case"/ } })
})

t.test('dirs: every entry exactly once on real shares, and what failing points say', async (t) => {
  for (const config of [...CONFIGS.map(([name]) => name), 'virtiofs']) {
    const ok = checks(config, 'dirs').filter((c) => c.status === 'ok')
    t.ok(ok.length >= 3, `${config}: ${ok.length} ok dirs points`)
  }
  t.match(check('9p-mapped-xattr-mmap', 'dirs/listing/first-read'), { status: 'ok', diagnostics: { note: /2000 entries read: 0 missing, 0 twice, 0 unknown/ } })
  t.match(check('9p-mapped-xattr-mmap', 'dirs/listing/while-host-adds'), { status: 'ok', diagnostics: { note: /of 200 added meanwhile/ } })
  const failing = results.configs.flatMap((c) => c.checks.filter((x) => x.suite === 'dirs' && (x.status === 'fail' || (x.status === 'todo' && !x.todoPassed))))
  for (const f of failing) t.ok(f.diagnostics?.found && f.diagnostics.wanted, `${f.id}: says what it wanted and found (${String(f.diagnostics?.found)})`)
})
