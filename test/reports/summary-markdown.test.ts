import t from 'tap'
import { code, md } from '../../reports/markdown.ts'
import { summaryMarkdown } from '../../reports/summary-markdown.ts'
import type { Results } from '../../reports/types.ts'
import { fixtureResults, matchGolden } from '../helpers/reports-fixtures.ts'

/** The cells of a markdown table row, split at unescaped pipes. */
const cells = (row: string) => row.replace(/^\| | \|$/g, '').split(/(?<!\\)\|/).map((c) => c.trim())

/** The lines of a "## heading" section, up to the next heading or collapsed <details> block. */
function section(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n')
  const start = lines.findIndex((l) => l.startsWith(`## ${heading}`))
  if (start < 0) return []
  const end = lines.findIndex((l, i) => i > start && (l.startsWith('## ') || l.startsWith('<details>')))
  return lines.slice(start, end < 0 ? undefined : end)
}

t.test('the fixture run gives the golden summary.md', async (t) => {
  matchGolden(t, summaryMarkdown(fixtureResults()), 'summary.md')
})

t.test('the first line is the verdict: security findings, then silent and loud failures counted known or not, then the configs', async (t) => {
  const [title] = summaryMarkdown(fixtureResults()).split('\n')
  t.equal(title, '# limafs: 1 security finding · 5 silent (2 known) · 3 loud (1 known) · 10 ok · 2 skip · 5 crashed · 4 configs (1 crashed, 1 infra-failed)')
})

t.test('regression: known deviations that fail silently are counted as silent (the TODO mark no longer hides them)', async (t) => {
  // A run whose every failure is a known deviation used to say "0 silent" while some TODOs failed silently.
  const fixture = fixtureResults()
  const allKnown: Results = {
    ...fixture,
    configs: fixture.configs.map((c) => ({ ...c, checks: c.checks.map((k) => (k.status === 'fail' ? { ...k, status: 'todo' as const, reason: 'known' } : k)) })),
  }
  const [title] = summaryMarkdown(allKnown).split('\n')
  t.match(title, / 5 silent \(5 known\) · 3 loud \(3 known\) /)
  t.same(section(summaryMarkdown(allKnown), 'Silent failures').slice(0, 1), ['## Silent failures (5: 5 known)'])
})

t.test('security findings come right after the title, known deviation or not', async (t) => {
  const markdown = summaryMarkdown(fixtureResults())
  const headings = markdown.split('\n').filter((l) => l.startsWith('## '))
  t.equal(headings[0], '## Security findings (1)')
  const rows = section(markdown, 'Security findings').filter((l) => l.startsWith('|'))
  t.same(cells(rows[2]!), ['9p-none-mmap', '`host-side/atomic-replace/mode`', '**a file the host wrote shows the setuid bit the guest set on the file it replaced**', '`4755`', "yes: security\\_model=none: the host's new file shows the guest's setuid bit"])
})

t.test('the answer: configs x needs (keeps / fails loud / fails silently / not measured), then a line per profile', async (t) => {
  const markdown = summaryMarkdown(fixtureResults())
  const rows = section(markdown, 'What each configuration keeps').filter((l) => l.startsWith('|'))
  t.same(cells(rows[0]!), ['config', 'ownership', 'symlinks', 'xattrs', 'host edits seen', 'times'], 'only the needs this run measures')
  t.same(rows.slice(2).map(cells), [
    ['9p-none-mmap', 'fails loud', 'fails loud', 'not measured', '**fails silently**', '**fails silently**'],
    ['9p-mapped-xattr-mmap', '**fails silently**', '**fails silently**', '**fails silently**', 'keeps', 'not measured'],
    ['9p-passthrough-loose **(crashed)**', 'not measured', 'fails loud', 'not measured', 'not measured', 'not measured'],
    ['virtiofs **(infra-failed)**', '—', '—', '—', '—', '—'],
  ], 'a crash before a need\'s checks all ran leaves it not measured, never kept')
  t.match(markdown, /\nNot measured in this run \(no check of theirs ran\): locks, open files, names, big dirs, space, read-only, model switch, speed\.\n/)
  const profiles = section(markdown, 'Which to use').filter((l) => l.startsWith('- '))
  t.equal(profiles.length, 4)
  t.match(profiles[0], /^- \*\*edit on the host, build in the guest\*\* \(host-edits, times, symlinks, dirs\): no configuration keeps all of it; best compromise `9p-mapped-xattr-mmap` .* gives up symlinks \(\*\*fails silently\*\*: `symlink\/guest-made\/lstat`\)/)
})

t.test('the matrix has a row per config and a column per suite, status shown when not completed', async (t) => {
  const rows = section(summaryMarkdown(fixtureResults()), 'Matrix').filter((l) => l.startsWith('|'))
  t.same(cells(rows[0]!), ['config', 'chown', 'symlink', 'xattr', 'coherence', 'times', 'host-side'], 'the matrix\'s suites, then any other suite met')
  t.same(rows.slice(2).map(cells), [
    ['9p-none-mmap', '1 loud · 1 ok · 1 skip', '1 loud (1 known)', '–', '1 ok', '**1 silent (1 known)**', '**1 security finding** · **1 silent (1 known)**'],
    ['9p-mapped-xattr-mmap', '**1 silent** · 3 ok', '**1 silent** · 1 ok', '**1 silent**', '2 ok', '–', '–'],
    ['9p-passthrough-loose **(crashed)**', '2 ok · 1 skip · 1 crashed', '1 loud · 1 crashed', '1 crashed', '2 crashed', '–', '–'],
    ['virtiofs **(infra-failed)**', '—', '—', '—', '—', '—', '—'],
  ])
})

t.test('each silent failure is named with its call, wanted vs found, and host truth; table cells stay intact', async (t) => {
  const rows = section(summaryMarkdown(fixtureResults()), 'Silent failures').filter((l) => l.startsWith('|'))
  t.equal(rows.length, 2 + 3 + 2 + 2, 'the unexpected ones, then the known ones')
  for (const row of rows.slice(0, 5)) t.equal(cells(row).length, 6, `six cells: ${row}`)
  t.same(rows.slice(7).map(cells), [
    ['`times/chmod/ctime`', '9p-none-mmap', '`1000`', '9p: ctime does not move on chmod'],
    ['`host-side/atomic-replace/mode`', '9p-none-mmap', '`4755`', "security\\_model=none: the host's new file shows the guest's setuid bit"],
  ])
  t.same(cells(rows[2]!), [
    '9p-mapped-xattr-mmap', '`symlink/guest-made/lstat`', '`lstat guest-link type`', '`symlink`', '`file`',
    'guest-link: file uid=501 gid=20 mode=0644 size=6 user.virtfs{uid=0 gid=0 mode=0120777}',
  ])
  t.same(cells(rows[3]!).slice(2), ['`getxattr "odd\\|name <&>" user.limafs`', '`v\\|al<ue>&"q"\\x01`', '`""`', 'odd\\|name \\<\\&\\>: file xattrs{user.limafs=76616c}'])
})

t.test('the crashed / infrastructure section names each config and why', async (t) => {
  t.same(section(summaryMarkdown(fixtureResults()), 'Crashed / infrastructure').filter((l) => l.startsWith('- ')), [
    '- **9p-passthrough-loose** crashed: ssh to the guest dropped during suite symlink (guest kernel panic) (5 checks not run)',
    "- **virtiofs** infra-failed: mount -t virtiofs mount3 /mnt/limafs/virtiofs: unknown filesystem type 'virtiofs'",
  ])
})

t.test('a clean run says so: no silent failures, nothing crashed', async (t) => {
  const fixture = fixtureResults()
  const clean: Results = { ...fixture, configs: [{ ...fixture.configs[0]!, checks: [], counts: { ok: 0, fail: 0, todo: 0, skip: 0, crashed: 0, silent: 0, loud: 0 } }] }
  const markdown = summaryMarkdown(clean)
  t.same(section(markdown, 'Silent failures'), ['## Silent failures (0: 0 known)', '', 'None.', ''])
  t.notMatch(markdown, /Security findings/)
  t.same(section(markdown, 'Crashed / infrastructure'), ['## Crashed / infrastructure', '', 'None.', ''])
  t.notMatch(markdown, /Loud failures/)
  t.notMatch(markdown, /did not complete/)
})

t.test('an incomplete run is flagged at the top', async (t) => {
  t.match(summaryMarkdown({ ...fixtureResults(), complete: false }), /^# limafs: .*\n\n> \*\*The run did not complete\*\*/)
})

t.test('markdown escaping', async (t) => {
  t.equal(md('a|b <script> *x* _y_ `z` [l](u) & #h\nnext'), 'a\\|b \\<script\\> \\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) \\& \\#h next')
  t.equal(code('a|b'), '`a\\|b`')
  t.equal(code('has `tick`'), '`` has `tick` ``', 'a longer fence, padded where a backtick touches it')
  t.equal(code('`edge'), '`` `edge ``')
  t.equal(code(''), '` `')
  t.equal(md('bell\x07'), 'bell\\\\x07', 'a control character is shown, and its backslash escaped')
})
