// bench:run's CPU figures (bench/cpu-windows.ts): /proc/stat readings, busy shares over a stretch,
// and the stretches read from a run's log (lines as `limafs run` prints them).
import t from 'tap'
import { busyShare, parseCpuLine, runStretches } from '../../bench/cpu-windows.ts'

t.test('a /proc/stat cpu line: idle and iowait are idle, the rest busy', async (t) => {
  t.same(parseCpuLine('cpu  100 5 50 800 20 0 25 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n', 3), { at: 3, busy: 180, total: 1000 })
  t.equal(parseCpuLine('intr 1 2 3', 0), undefined)
  t.equal(parseCpuLine('cpu  1 x 3 4 5', 0), undefined)
})

t.test('the busy share of a stretch comes from the readings around it', async (t) => {
  const samples = [
    { at: 0, busy: 0, total: 0 },
    { at: 1, busy: 100, total: 200 },
    { at: 2, busy: 300, total: 400 },
    { at: 3, busy: 320, total: 600 },
  ]
  t.equal(busyShare(samples, 1, 2), 1, 'full')
  t.equal(busyShare(samples, 2, 3), 0.1)
  t.equal(busyShare(samples, 0, 3), 320 / 600)
  t.equal(busyShare(samples, 2.5, 2.6), 0.1, 'a stretch between readings takes the readings around it')
  t.equal(busyShare([], 0, 1), undefined)
  t.equal(busyShare([{ at: 0, busy: 0, total: 0 }], 0, 1), undefined, 'one reading says nothing')
})

const LOG = `[  0.0s] boot …
[ 12.1s] boot done in 12.1 s
[ 12.5s] provision …
[ 12.8s] suites …
[ 17.6s] limafs-agent: bench baseline: /dev/shm/.limafs-8y593f
[ 17.6s] limafs-agent: locks: 17 mounts at once (--window 2 s)
[ 17.6s] limafs-agent: open-files: 17 mounts at once (--window 2 s)
[ 27.8s] limafs-agent: open-files done (10.2 s)
[ 64.9s] limafs-agent: bench: 17 mounts and the tmpfs baseline, 3 interleaved rounds of 12 files and 1048576 bytes, app workloads at scale 1
[ 97.0s] limafs-agent: bench done (32.1 s)
[ 97.0s] 9p-none-none: start
[120.9s] restart …
[135.4s] verify …
[141.3s] limafs-agent: done /mnt/limafs/virtiofs: 3 ok
[141.4s] verify done in 6.0 s
[142.5s] phases: boot 12.1 s, provision 0.4 s, suites 108.0 s, restart 14.6 s, verify 5.6 s, reports 1.2 s`

t.test("a run's stretches: its phases, and the first pass's shared suites, bench and mounts' own suites", async (t) => {
  const rows = runStretches(LOG).map((s) => [s.name.trim(), s.from, s.to])
  t.same(rows, [
    ['boot', 0, 12.1],
    ['provision', 12.5, 12.8],
    ['suites', 12.8, 120.9],
    ['shared suites (2 lanes)', 17.6, 64.9],
    ['bench (alone)', 64.9, 97.0],
    ["mounts' own suites (2 lanes)", 97.0, 120.9],
    ['restart', 120.9, 135.4],
    ['verify', 135.4, 141.4],
  ])
  t.same(runStretches('no timestamps here'), [])
  const noBench = runStretches(LOG.split('\n').filter((l) => !l.includes('bench')).join('\n')).map((s) => s.name.trim())
  t.same(noBench, ['boot', 'provision', 'suites', 'restart', 'verify'], 'a run without the bench (--suite) has no inner stretches')
})
