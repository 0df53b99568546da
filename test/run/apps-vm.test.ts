// The suites of what applications do (locks, open-files, space) end to end on the built-in
// testbed, through `limafs run` with the host bridge and the sibling shares: three real shares
// (mapped-xattr with cache=mmap and cache=loose, mapped-file), one guest, no restart phase, no
// known deviations declared: each suite shows points that pass and points that fail there, and
// what a failure says.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { parseResults } from '../../reports/results-schema.ts'
import type { Results } from '../../reports/types.ts'
import { limafs, qemuOrVirtiofsdMentioning, type CliResult } from '../helpers/testbed.ts'

t.setTimeout(0)
const NAME = `t-apps-vm-${process.pid}`
const MMAP = '9p-mapped-xattr-mmap'
const LOOSE = '9p-mapped-xattr-loose'
const FILE = '9p-mapped-file-mmap'
const dir = mkdtempSync(join(tmpdir(), 'limafs-apps-vm-'))
const out = join(dir, 'out')
const matrix = join(dir, 'apps-matrix.yaml')
writeFileSync(matrix, `backend: testbed
configs:
  - { name: ${MMAP}, mountType: 9p, writable: true, 9p: { securityModel: mapped-xattr, cache: mmap } }
  - { name: ${LOOSE}, mountType: 9p, writable: true, 9p: { securityModel: mapped-xattr, cache: loose } }
  - { name: ${FILE}, mountType: 9p, writable: true, 9p: { securityModel: mapped-file, cache: mmap } }
suites: [locks, open-files, space]
`)
let run: CliResult
let results: Results

t.before(async () => {
  run = await limafs(['run', '--matrix', matrix, '--out', out, '--name', NAME, '--no-restart'], { timeoutMs: 900_000 })
  if (existsSync(join(out, 'results.json'))) results = parseResults(readFileSync(join(out, 'results.json'), 'utf8'), 'results.json')
})
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

const check = (config: string, id: string) => results.configs.find((c) => c.name === config)?.checks.find((c) => c.id === id)

t.test('the run completes on one guest with sibling shares: exit 1 (deviations, none declared), every config done, no QEMU left', async (t) => {
  t.ok(results, `results.json was written (stderr tail: ${run.stderr.split('\n').slice(-15).join('\n')})`)
  t.equal(run.exitCode, 1, 'exit 1: failed checks')
  t.ok(results.configs.every((c) => c.status === 'completed'), 'every configuration completed')
  t.match(run.stderr, /locks: 3 mounts at once[\s\S]*open-files: 3 mounts at once[\s\S]*space: 3 mounts at once/, 'each suite ran on the three shares at once')
  t.strictSame(qemuOrVirtiofsdMentioning(NAME), [], 'no QEMU or virtiofsd of the run is left')
})

t.test('locks: two guest processes conflict as on a local fs; flock and fcntl are one lock on 9p (loud)', async (t) => {
  for (const id of ['locks/fcntl/conflict', 'locks/ofd/conflict', 'locks/holder-dies/flock', 'locks/sqlite/rollback-journal']) t.equal(check(MMAP, id)?.status, 'ok', `${id} ok`)
  t.match(check(MMAP, 'locks/flock-fcntl/independent'), { status: 'fail', class: 'loud', diagnostics: { op: 'lock', wanted: '0', found: 'EAGAIN' } }, 'flock-fcntl/independent fails EAGAIN')
})

t.test('open-files: a descriptor after unlink reads and fstats, but ftruncate fails; the host truncating a mapping gives old data, not SIGBUS (silent); mapped-file lets an owner and setuid bit reach a host file', async (t) => {
  for (const id of ['open-files/unlinked/fstat', 'open-files/unlinked/read-write', 'open-files/mmap-truncated/by-guest', 'open-files/append/two-writers']) t.equal(check(MMAP, id)?.status, 'ok', `${id} ok`)
  t.match(check(MMAP, 'open-files/unlinked/ftruncate'), { status: 'fail', class: 'loud', diagnostics: { found: 'ENOENT' } })
  t.match(check(MMAP, 'open-files/mmap-truncated/by-host'), { status: 'fail', class: 'silent', diagnostics: { wanted: 'SIGBUS', found: 'exit 0, said 41414141' } }, 'the child read the old bytes')
  t.match(check(LOOSE, 'open-files/append/host-and-guest'), { status: 'fail', class: 'silent', diagnostics: { op: 'host-read', found: 'guest 1\nguest 2\n' } }, 'cache=loose: the host\'s line is lost')
  t.match(check(FILE, 'open-files/unlinked/host-reuses-name'), { status: 'fail', class: 'silent', diagnostics: { found: '1234,5678,4755', security: /setuid/ } }, 'mapped-file: a security finding')
  t.equal(check(MMAP, 'open-files/unlinked/host-reuses-name')?.status, 'ok', 'mapped-xattr keeps nothing of it')
})

t.test('space: posix_fallocate and a write past 4 GiB work, fallocate modes and SEEK_HOLE do not; the sibling fills up: ENOSPC from write() under mmap, only at fsync under loose', async (t) => {
  for (const id of ['space/posix-fallocate/file', 'space/sparse/past-4g', 'space/statfs/sane', 'space/enospc/write', 'space/enospc/intact', 'space/enospc/freed']) t.equal(check(MMAP, id)?.status, 'ok', `${id} ok`)
  t.match(check(MMAP, 'space/fallocate/keep-size'), { status: 'fail', class: 'loud', diagnostics: { found: 'EOPNOTSUPP' } })
  t.match(check(MMAP, 'space/sparse/seek-hole'), { status: 'fail', class: 'silent', diagnostics: { wanted: '0', found: '1048577' } })
  t.match(check(LOOSE, 'space/enospc/write'), { status: 'fail', diagnostics: { wanted: 'ENOSPC', found: /^every write said OK: .* fsync said ENOSPC/ } })
  t.match(check(LOOSE, 'space/enospc/size'), { status: 'fail', class: 'silent', diagnostics: { op: 'host-look' } }, 'the host stored less than the guest claims')
})
