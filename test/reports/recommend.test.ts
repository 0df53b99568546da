import t from 'tap'
import type { FailureClass } from '../../agent/diagnostics.ts'
import { countChecks } from '../../reports/counts.ts'
import { needsOf } from '../../reports/need-verdict.ts'
import type { Need } from '../../reports/needs.ts'
import { recommend, recommendExitCode, type Recommendation } from '../../reports/recommend.ts'
import { evidenceText, recommendationText } from '../../reports/recommend-text.ts'
import { limaYamlSnippet, shareSettings } from '../../reports/share-settings.ts'
import type { CheckResult, ConfigResult, ConfigStatus, Results } from '../../reports/types.ts'
import { resultsFixture } from '../helpers/reports-fixtures.ts'

// ---- small results, made to order ------------------------------------------------------------

/** How a check came out: ok, a failure of a class, a TODO (failing of a class, or passing), skip, crashed. */
type Outcome = 'ok' | FailureClass | 'todo-loud' | 'todo-silent' | 'todo-ok' | 'skip' | 'crashed'

/** The checks of a config that passes everything (the needs' evidence, caveats included). */
const ALL_CHECKS = [
  'chown/call/file', 'chown/after-restart/file',
  'symlink/call/guest-made', 'symlink/host-stored/guest-made', 'symlink/host-made/readlink', 'symlink/host-made/lchown', 'symlink/lchown-call/guest-made',
  'xattr/set-get/1b', 'xattr/after-remount/file', 'xattr/trusted/file', 'xattr/empty-value/file',
  'coherence/host-edit-in-place/visible', 'coherence/host-edit-in-place/after-drop-caches', 'coherence/host-edit-in-place/open-fd',
  'coherence/guest-write-close/host-sees', 'coherence/guest-mmap-write/host-sees', 'coherence/inotify/host-change',
]

function check(id: string, outcome: Outcome): CheckResult {
  const suite = id.slice(0, id.indexOf('/'))
  const base = { id, suite }
  switch (outcome) {
    case 'ok':
      return { ...base, status: 'ok', diagnostics: id.startsWith('coherence/') ? { latencyMs: 12, note: 'seen at the first look' } : {} }
    case 'loud':
      return { ...base, status: 'fail', class: 'loud', diagnostics: { found: 'EPERM', errno: 'EPERM', class: 'loud' } }
    case 'silent':
      return { ...base, status: 'fail', class: 'silent', diagnostics: { found: 'stale after 2000 ms: v1', class: 'silent' } }
    case 'todo-loud':
      return { ...base, status: 'todo', class: 'loud', reason: 'known', diagnostics: { found: 'ELOOP', errno: 'ELOOP' } }
    case 'todo-silent':
      return { ...base, status: 'todo', class: 'silent', reason: 'known', diagnostics: { found: 'stale after 2000 ms: v1' } }
    case 'todo-ok':
      return { ...base, status: 'todo', todoPassed: true, reason: 'known' }
    case 'skip':
      return { ...base, status: 'skip', reason: 'needs root' }
    case 'crashed':
      return { ...base, status: 'crashed' }
  }
}

interface ConfigSpec {
  /** "9p mapped-xattr mmap" or "virtiofs". */
  mount: string
  /** Outcomes that differ from ok, by check id. */
  not?: Record<string, Outcome>
  /** Bench ratios by workload. */
  bench?: Record<string, number>
  status?: ConfigStatus
  /** Leave these checks out (the suite did not run). */
  without?: RegExp
}

function config({ mount, not = {}, bench, status = 'completed', without }: ConfigSpec): ConfigResult {
  const [mountType, securityModel, cache] = mount.split(' ')
  const name = mountType === '9p' ? `9p-${securityModel}-${cache}` : mountType!
  const checks = ALL_CHECKS.filter((id) => !without?.test(id)).map((id) => check(id, not[id] ?? 'ok'))
  for (const [workload, ratio] of Object.entries(bench ?? {})) {
    checks.push({
      id: `bench/${workload}/share`, suite: 'bench', status: 'ok',
      diagnostics: { bench: { workload, ratio, ops: 100, opsPerSec: ratio * 1000, p50Ms: 1, p99Ms: 2, repeats: { min: 1, median: 1, max: 1, n: 3 }, baselineOpsPerSec: 1000 } },
    })
  }
  return {
    name,
    config: { name, mountType, writable: true, ...(mountType === '9p' ? { ninep: { securityModel, cache, msize: '128KiB', protocolVersion: '9p2000.L' } } : {}) },
    status,
    ...(status === 'completed' ? {} : { error: 'the guest died' }),
    counts: countChecks(checks),
    checks: status === 'infra-failed' ? [] : checks,
    tapFiles: [],
  }
}

function results(...specs: ConfigSpec[]): Pick<Results, 'configs' | 'environment'> {
  return { configs: specs.map(config), environment: { hostOs: 'Darwin 24.5.0 arm64', limaVersion: '2.2.0', qemuVersion: '10.0.2' } }
}

const XATTR_FAILS: Record<string, Outcome> = { 'xattr/set-get/1b': 'silent', 'xattr/after-remount/file': 'loud' }
const STALE: Record<string, Outcome> = { 'coherence/host-edit-in-place/visible': 'silent', 'coherence/host-edit-in-place/open-fd': 'silent' }
const NO_CHOWN: Record<string, Outcome> = { 'chown/call/file': 'loud', 'chown/after-restart/file': 'loud', 'symlink/host-made/lchown': 'loud', 'symlink/lchown-call/guest-made': 'loud' }

const chosen = (rec: Recommendation) => rec.chosen?.config

// ---- the decisions ----------------------------------------------------------------------------

t.test('which config is recommended (table over small results)', async (t) => {
  const cases: Array<{ name: string; needs: Need[]; results: ReturnType<typeof results>; want: string | undefined }> = [
    {
      name: 'mapped-xattr passes everything: mapped-xattr, mmap',
      needs: ['ownership', 'symlinks', 'xattrs', 'host-edits'],
      results: results({ mount: '9p none mmap', not: NO_CHOWN }, { mount: '9p mapped-xattr mmap' }, { mount: '9p mapped-file mmap' }, { mount: '9p mapped-xattr none' }),
      want: '9p-mapped-xattr-mmap',
    },
    {
      name: 'mapped-xattr fails xattr/* but mapped-file passes: mapped-file',
      needs: ['ownership', 'xattrs'],
      results: results({ mount: '9p mapped-xattr mmap', not: XATTR_FAILS }, { mount: '9p mapped-file mmap' }),
      want: '9p-mapped-file-mmap',
    },
    {
      name: 'chown -h on a host symlink fails under mapped-xattr (as on Linux hosts): mapped-file when symlinks are needed',
      needs: ['ownership', 'symlinks'],
      results: results({ mount: '9p mapped-xattr mmap', not: { 'symlink/host-made/lchown': 'loud' } }, { mount: '9p mapped-file mmap' }),
      want: '9p-mapped-file-mmap',
    },
    {
      name: '... but not when only ownership is needed: mapped-xattr',
      needs: ['ownership'],
      results: results({ mount: '9p mapped-xattr mmap', not: { 'symlink/host-made/lchown': 'loud' } }, { mount: '9p mapped-file mmap' }),
      want: '9p-mapped-xattr-mmap',
    },
    {
      name: 'ownership not needed: none, though mapped-xattr passes too',
      needs: ['host-edits'],
      results: results({ mount: '9p mapped-xattr mmap' }, { mount: '9p none mmap', not: NO_CHOWN }),
      want: '9p-none-mmap',
    },
    {
      name: 'only loose measured fast, but stale, and host edits needed: mmap',
      needs: ['ownership', 'host-edits', 'speed'],
      results: results({ mount: '9p mapped-xattr loose', not: STALE, bench: { create: 0.4, stat: 0.9 } }, { mount: '9p mapped-xattr mmap', bench: { create: 0.05, stat: 0.1 } }),
      want: '9p-mapped-xattr-mmap',
    },
    {
      name: 'speed matters, host edits do not, and the bench says loose is faster: loose',
      needs: ['ownership', 'speed'],
      results: results({ mount: '9p mapped-xattr loose', not: STALE, bench: { create: 0.4, stat: 0.9 } }, { mount: '9p mapped-xattr mmap', bench: { create: 0.05, stat: 0.1 } }),
      want: '9p-mapped-xattr-loose',
    },
    {
      name: 'speed matters but the bench says mmap is faster: mmap, not loose',
      needs: ['ownership', 'speed'],
      results: results({ mount: '9p mapped-xattr loose', bench: { create: 0.04 } }, { mount: '9p mapped-xattr mmap', bench: { create: 0.05 } }),
      want: '9p-mapped-xattr-mmap',
    },
    {
      name: 'without speed, loose is never preferred over mmap when both pass',
      needs: ['ownership'],
      results: results({ mount: '9p mapped-xattr loose', bench: { create: 0.9 } }, { mount: '9p mapped-xattr mmap', bench: { create: 0.05 } }),
      want: '9p-mapped-xattr-mmap',
    },
    {
      name: 'virtiofs measured and passing: virtiofs',
      needs: ['ownership', 'symlinks', 'host-edits'],
      results: results({ mount: '9p mapped-xattr mmap' }, { mount: 'virtiofs' }),
      want: 'virtiofs',
    },
    {
      name: 'virtiofs measured but failing xattrs: 9p',
      needs: ['ownership', 'xattrs'],
      results: results({ mount: 'virtiofs', not: XATTR_FAILS }, { mount: '9p mapped-xattr mmap' }),
      want: '9p-mapped-xattr-mmap',
    },
    {
      name: 'a config that crashed is never recommended, whatever its checks say',
      needs: ['ownership'],
      results: results({ mount: '9p mapped-xattr mmap', status: 'crashed' }, { mount: '9p mapped-file mmap' }),
      want: '9p-mapped-file-mmap',
    },
    {
      name: 'nor one that failed its infrastructure',
      needs: ['ownership'],
      results: results({ mount: 'virtiofs', status: 'infra-failed' }, { mount: '9p mapped-file mmap' }),
      want: '9p-mapped-file-mmap',
    },
    {
      name: 'a failing TODO is a failure (a known deviation is still one)',
      needs: ['ownership', 'symlinks'],
      results: results({ mount: '9p mapped-xattr mmap', not: { 'symlink/host-made/readlink': 'todo-loud' } }, { mount: '9p mapped-file mmap' }),
      want: '9p-mapped-file-mmap',
    },
    {
      name: 'a TODO that passes is a pass',
      needs: ['ownership', 'symlinks'],
      results: results({ mount: '9p mapped-xattr mmap', not: { 'symlink/host-made/readlink': 'todo-ok' } }, { mount: '9p mapped-file mmap' }),
      want: '9p-mapped-xattr-mmap',
    },
    {
      name: 'failing caveats (trusted.* xattrs, inotify, mmap, drop_caches) do not decide',
      needs: ['xattrs', 'host-edits'],
      results: results({ mount: '9p none mmap', not: { 'xattr/trusted/file': 'loud', 'xattr/empty-value/file': 'loud', 'coherence/inotify/host-change': 'silent', 'coherence/guest-mmap-write/host-sees': 'loud' } }),
      want: '9p-none-mmap',
    },
    {
      name: 'nothing meets the needs: no recommendation',
      needs: ['ownership', 'xattrs'],
      results: results({ mount: '9p mapped-xattr mmap', not: XATTR_FAILS }, { mount: '9p none mmap', not: NO_CHOWN }),
      want: undefined,
    },
    {
      name: 'speed asked for, no bench figures: no recommendation (nothing measured it)',
      needs: ['ownership', 'speed'],
      results: results({ mount: '9p mapped-xattr mmap' }),
      want: undefined,
    },
    {
      name: 'a need nothing measured (suite not run) is not met',
      needs: ['ownership', 'host-edits'],
      results: results({ mount: '9p mapped-xattr mmap', without: /^coherence\// }),
      want: undefined,
    },
    {
      name: 'a need whose every check was skipped is not met',
      needs: ['xattrs'],
      results: results({ mount: '9p mapped-xattr mmap', not: { 'xattr/set-get/1b': 'skip', 'xattr/after-remount/file': 'skip' } }),
      want: undefined,
    },
  ]
  for (const c of cases) {
    const rec = recommend(c.results, { needs: c.needs })
    t.equal(chosen(rec), c.want, c.name)
    t.equal(recommendExitCode(rec), c.want ? 0 : 1, `${c.name}: exit ${c.want ? 0 : 1}`)
  }
})

t.test('which checks count for which need (and chown -h on symlinks only when both are asked for)', async (t) => {
  const all: Need[] = ['ownership', 'symlinks', 'xattrs', 'host-edits']
  t.same(needsOf('chown/after-restart/file', all), ['ownership'])
  t.same(needsOf('modes/setuid/file', all), ['ownership'], 'modes are ownership too')
  t.same(needsOf('times/chmod/ctime', ['times']), ['times'], 'a suite another area adds counts by its glob')
  t.same(needsOf('host-side/atomic-replace/mode', all), ['host-edits'])
  t.same(needsOf('symlink/host-made/readlink', ['symlinks']), ['symlinks'])
  t.same(needsOf('symlink/host-made/lchown', ['symlinks']), [], 'chown -h: not a symlink need without chown')
  t.same(needsOf('symlink/host-made/lchown', ['ownership']), [], 'nor an ownership need: chown -h on a symlink is a symlink matter')
  t.same(needsOf('symlink/lchown-call/guest-made', all), ['symlinks'])
  t.same(needsOf('xattr/set-get/1b', all), ['xattrs'])
  t.same(needsOf('xattr/trusted/file', all), [], 'trusted.* is a caveat, not the need')
  t.same(needsOf('coherence/host-edit-in-place/open-fd', all), ['host-edits'])
  t.same(needsOf('coherence/guest-write-fsync/host-sees', all), ['host-edits'])
  t.same(needsOf('coherence/host-edit-in-place/after-drop-caches', all), [])
  t.same(needsOf('coherence/inotify/host-change', all), [])
})

t.test('each choice quotes the checks it rests on, with status and class', async (t) => {
  const rec = recommend(results({ mount: '9p mapped-xattr mmap', not: XATTR_FAILS }, { mount: '9p mapped-file mmap' }, { mount: '9p mapped-file loose', not: STALE }, { mount: '9p none mmap', not: NO_CHOWN }), {
    needs: ['ownership', 'xattrs', 'host-edits'],
  })
  const model = rec.axes.find((a) => a.axis === 'securityModel')!
  t.equal(model.chosen, 'mapped-file')
  t.match(model.alternatives.find((a) => a.value === 'mapped-xattr'), {
    verdict: 'fails',
    failed: [{ need: 'xattrs', evidence: [{ id: 'xattr/set-get/1b', status: 'fail', class: 'silent' }, { id: 'xattr/after-remount/file', status: 'fail', class: 'loud', errno: 'EPERM' }] }],
  })
  t.match(model.alternatives.find((a) => a.value === 'none'), { verdict: 'fails', failed: [{ need: 'ownership', evidence: [{ id: 'chown/call/file', class: 'loud' }] }] })
  const cache = rec.axes.find((a) => a.axis === 'cache')!
  t.match(cache.alternatives, [{ value: 'loose', verdict: 'fails', failed: [{ need: 'host-edits', evidence: [{ id: 'coherence/host-edit-in-place/visible', class: 'silent' }] }] }])
  t.match(rec.chosen!.needs.find((n) => n.need === 'ownership')!.passed.map((e) => e.id), ['chown/call/file', 'chown/after-restart/file'])
  const text = recommendationText(rec, { source: 'out/results.json' })
  t.match(text, 'limafs recommend: 9p-mapped-file-mmap (9p mapped-file cache=mmap) meets ownership, xattrs, host-edits')
  t.match(text, '  - mapped-xattr (9p-mapped-xattr-mmap): fails xattrs: xattr/set-get/1b fail (silent: stale after 2000 ms: v1), xattr/after-remount/file fail (loud EPERM)')
  t.match(text, '  - loose (9p-mapped-file-loose): fails host-edits: coherence/host-edit-in-place/visible fail (silent: stale after 2000 ms: v1)')
  t.match(text, '  host-edits: 3 checks pass: coherence/host-edit-in-place/visible ok (at once), coherence/host-edit-in-place/open-fd ok (at once), coherence/guest-write-close/host-sees ok (at once)')
  t.match(text, 'Measured on: Darwin 24.5.0 arm64 · Lima 2.2.0 · QEMU 10.0.2 (out/results.json)')
})

t.test('the lima.yaml lines use Lima\'s vocabulary: a mountType line and a mounts entry with 9p settings', async (t) => {
  const rec = recommend(results({ mount: '9p mapped-xattr mmap' }), { needs: ['ownership'] })
  t.equal(limaYamlSnippet(rec.chosen!.settings), [
    'mountType: 9p',
    '# 9p: with vmType qemu',
    'mounts:',
    '  - location: "~"  # the host directory to share',
    '    writable: true',
    '    9p: { securityModel: mapped-xattr, cache: mmap, msize: 128KiB, protocolVersion: 9p2000.L }',
    '',
  ].join('\n'))
  t.match(recommendationText(rec, { source: 'r.json' }), /Put this in lima\.yaml:\n\nmountType: 9p\n/)
  t.equal(limaYamlSnippet({ mountType: 'virtiofs', writable: true }), 'mountType: virtiofs\n# virtiofs: with vmType vz (macOS 13+), or vmType qemu on a Linux host\nmounts:\n  - location: "~"  # the host directory to share\n    writable: true\n')
  t.same(shareSettings({ mountType: '9p', '9p': { securityModel: 'none', cache: 'loose' } }), { mountType: '9p', securityModel: 'none', cache: 'loose' }, 'a matrix file\'s `9p:` spelling reads too')
})

t.test('with speed, the ratios it rests on are quoted; a slower alternative says how fast it was', async (t) => {
  const rec = recommend(results({ mount: '9p mapped-xattr loose', bench: { create: 0.4, stat: 0.9 } }, { mount: '9p mapped-xattr mmap', bench: { create: 0.05, stat: 0.2 } }), { needs: ['ownership', 'speed'] })
  t.equal(chosen(rec), '9p-mapped-xattr-loose')
  const text = recommendationText(rec, { source: 'r.json' })
  t.match(text, '  speed: 0.60x tmpfs (geometric mean over create, stat): bench/create/share 0.40x, bench/stat/share 0.90x')
  t.match(text, '  - mmap (9p-mapped-xattr-mmap): meets the needs too; slower: 0.10x tmpfs')
})

t.test('no recommendation: says so, lists every config closest first with what fails, and what was not considered', async (t) => {
  const rec = recommend(results(
    { mount: '9p mapped-xattr mmap', not: XATTR_FAILS },
    { mount: '9p none mmap', not: { ...NO_CHOWN, ...XATTR_FAILS } },
    { mount: 'virtiofs', status: 'crashed' },
  ), { needs: ['ownership', 'xattrs'] })
  t.equal(rec.chosen, undefined)
  t.same(rec.verdicts.map((v) => v.config), ['9p-mapped-xattr-mmap', '9p-none-mmap'])
  const text = recommendationText(rec, { source: 'r.json' })
  t.match(text, /^limafs recommend: no measured configuration meets ownership, xattrs\n/)
  t.match(text, '  9p-mapped-xattr-mmap (9p mapped-xattr cache=mmap): meets ownership; fails xattrs\n    xattrs: xattr/set-get/1b fail (silent: stale after 2000 ms: v1), xattr/after-remount/file fail (loud EPERM)')
  t.match(text, 'Not considered (never recommended):\n  virtiofs crashed: the guest died')
  t.equal(rec.compromise?.verdict.config, '9p-mapped-xattr-mmap', 'the best compromise: it keeps ownership')
  t.match(text, 'Best compromise: 9p-mapped-xattr-mmap (9p mapped-xattr cache=mmap) keeps ownership; it gives up:\n  xattrs: fails silently: xattr/set-get/1b fail (silent: stale after 2000 ms: v1), xattr/after-remount/file fail (loud EPERM)')
  t.match(text, 'If that is acceptable, this is its lima.yaml:\n\nmountType: 9p\n')
  t.equal(recommendExitCode(rec), 1, 'a compromise is no recommendation: exit 1')
})

t.test('the best compromise: fewest needs given up, then the one that gives them up loudly (its user is told)', async (t) => {
  const rec = recommend(results(
    { mount: '9p mapped-xattr mmap', not: XATTR_FAILS },
    { mount: '9p mapped-file mmap', not: { 'xattr/set-get/1b': 'loud', 'xattr/after-remount/file': 'loud' } },
  ), { needs: ['ownership', 'xattrs', 'speed'] })
  t.equal(rec.chosen, undefined)
  t.equal(rec.compromise?.verdict.config, '9p-mapped-file-mmap', 'xattrs fail loud there, silently under mapped-xattr')
  t.same(rec.compromise?.givesUp.map((n) => [n.need, n.state]), [['xattrs', 'fails-loud']])
  const none = recommend(results({ mount: '9p none mmap', not: { ...NO_CHOWN, ...XATTR_FAILS } }), { needs: ['ownership', 'xattrs'] })
  t.equal(none.compromise, undefined, 'no compromise when the closest config keeps none of the needs')
  t.notMatch(recommendationText(none, { source: 'r.json' }), /lima\.yaml/)
})

t.test('caveats: failing checks near a need, not required by it, listed on the chosen config', async (t) => {
  const rec = recommend(results({ mount: '9p mapped-xattr mmap', not: { 'xattr/trusted/file': 'loud', 'coherence/inotify/host-change': 'silent' } }), { needs: ['xattrs', 'host-edits'] })
  t.same(rec.caveats.map((c) => c.evidence.map((e) => e.id)), [['xattr/trusted/file'], ['coherence/inotify/host-change']])
  t.match(recommendationText(rec, { source: 'r.json' }), 'Caveats on 9p-mapped-xattr-mmap (failing here, not required by these needs):\n  trusted.* and security.* xattrs, POSIX ACLs, empty values: xattr/trusted/file fail (loud EPERM)')
})

t.test('evidence reads as id plus outcome', async (t) => {
  t.equal(evidenceText({ id: 'a/b', status: 'ok', latencyMs: 3220 }), 'a/b ok (3220 ms)')
  t.equal(evidenceText({ id: 'a/b', status: 'todo', todoPassed: true }), 'a/b todo passes')
  t.equal(evidenceText({ id: 'a/b', status: 'todo', class: 'loud', errno: 'ELOOP' }), 'a/b todo (loud ELOOP)')
  t.equal(evidenceText({ id: 'a/b', status: 'skip', reason: 'needs root' }), 'a/b skip (needs root)')
  t.equal(evidenceText({ id: 'a/b', status: 'fail', class: 'silent', found: 'x'.repeat(80) }), `a/b fail (silent: ${'x'.repeat(47)}…)`)
  t.equal(evidenceText({ id: 'a/b', status: 'todo', class: 'silent', found: '' }), 'a/b todo (silent: "")', 'a read that found nothing')
})

t.test('over a real run (QEMU 7.2, Linux host): what it says, from what was measured', async (t) => {
  const run2 = resultsFixture('run2/results.json')
  t.equal(chosen(recommend(run2, { needs: ['ownership', 'xattrs'] })), '9p-mapped-xattr-mmap', 'chown + xattrs: mapped-xattr, mmap')
  t.equal(chosen(recommend(run2, { needs: ['ownership', 'symlinks'] })), 'virtiofs', 'chown + symlinks: only virtiofs keeps host symlinks readable')
  const all = recommend(run2, { needs: ['ownership', 'symlinks', 'xattrs'] })
  t.equal(all.chosen, undefined, 'all three: nothing (virtiofs drops xattrs; the mapped models break host symlinks before QEMU 11)')
  const mappedFile = all.verdicts.find((v) => v.config === '9p-mapped-file-mmap')!
  t.match(mappedFile.needs.find((n) => n.need === 'symlinks')!.failed.map((e) => `${e.id} ${e.class}`), ['symlink/host-stored/guest-made silent', 'symlink/host-made/readlink loud', 'symlink/host-made/follow loud'])
})
