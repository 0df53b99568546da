import { createHash } from 'node:crypto'
import t from 'tap'
import { CELL_STATES, STATE_STYLES } from '../../reports/html/states.ts'
import { esc, jsonForScript } from '../../reports/html/escape.ts'
import { reportHtml } from '../../reports/html/report-html.ts'
import { mergeResults } from '../../reports/merge.ts'
import { resultsJson } from '../../reports/results-json.ts'
import { EVIL_CONFIG, EVIL_FOUND, EVIL_ID, evilResults } from '../helpers/html-fixtures.ts'
import { fixture, fixtureResults, resultsFixture } from '../helpers/reports-fixtures.ts'

/** The inline scripts of a page: [attributes, body]. */
const scripts = (html: string) => [...html.matchAll(/<script([^>]*)>([^]*?)<\/script>/g)].map((m) => [m[1]!, m[2]!] as const)
const count = (html: string, re: RegExp) => html.match(re)?.length ?? 0

t.test('one self-contained file: nothing to fetch (no link, src, href, url(), @import; the only URL is SVG\'s namespace)', async (t) => {
  for (const html of [reportHtml(resultsFixture('run2/results.json')), reportHtml(resultsFixture('bench/results.json'))]) {
    t.notMatch(html, /<link\b|<img\b|<iframe\b|<object\b|<embed\b|@import|url\(|\shref=|\ssrc=/i)
    t.same([...new Set(html.match(/https?:\/\/[^\s"'<>)]*/g) ?? [])].filter((u) => u !== 'http://www.w3.org/2000/svg'), [])
  }
})

t.test('a CSP forbids loading anything, and allows the one inline script by its hash', async (t) => {
  const html = reportHtml(fixtureResults())
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]?.replace(/&#39;/g, "'")
  t.match(csp, /^default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[^']+'; img-src 'none'/)
  const code = scripts(html).filter(([attrs]) => !attrs.includes('application/json'))
  t.equal(code.length, 1, 'one script to run')
  t.match(csp, `'sha256-${createHash('sha256').update(code[0]![1]).digest('base64')}'`, 'its hash is the one allowed')
})

t.test('the heat map has a cell per check x config, a button where the config has that check', async (t) => {
  const results = resultsFixture('run2/results.json')
  const html = reportHtml(results)
  const ids = new Set(results.configs.flatMap((c) => c.checks.map((k) => k.id)))
  const checks = results.configs.reduce((n, c) => n + c.checks.length, 0)
  const heatmap = html.slice(html.indexOf('<table class="heatmap"'), html.indexOf('</table>', html.indexOf('<table class="heatmap"')))
  t.equal(count(heatmap, /class="cell /g), ids.size * results.configs.length)
  t.equal(count(heatmap, /<button type="button" class="cell /g), checks)
  t.equal(count(heatmap, /<th class="check mono" scope="row">/g), ids.size)
  t.equal(count(heatmap, /class="cell s-silent"/g), results.configs.reduce((n, c) => n + c.counts.silent, 0), 'silent cells as counted')
})

t.test('every verdict has a legend entry: colour (Okabe-Ito), glyph and words; the known-deviation mark has its own', async (t) => {
  const html = reportHtml(fixtureResults())
  for (const state of CELL_STATES) {
    const style = STATE_STYLES[state]
    t.match(html, `.s-${state}{background-color:${style.background};color:${style.foreground}}`)
    t.match(html, `<span class="swatch s-${state}`)
    t.match(html, `<b>${esc(style.label)}</b>`)
  }
  t.same(CELL_STATES.filter((s) => s !== 'none').map((s) => STATE_STYLES[s].glyph).filter((g, i, all) => all.indexOf(g) === i).length, 5, 'five verdicts, five glyphs')
  t.match(html, '<b>fails silently</b> (5, 2 known)', 'a verdict counts its known deviations')
  t.match(html, /<li class="known-key"><span class="swatch s-silent known"[^>]*>!<\/span><span class="swatch s-loud known"[^>]*>✗<\/span><span><b>known deviation<\/b> \(4\)/)
})

t.test('a known deviation\'s cell shows its verdict, marked known: a silent one and a loud one differ', async (t) => {
  const html = reportHtml(fixtureResults())
  t.match(html, /<button type="button" class="cell s-silent known" data-i="\d+" title="9p-none-mmap · times\/chmod\/ctime: fails silently \(known deviation\)">!<\/button>/)
  t.match(html, /<button type="button" class="cell s-loud known" data-i="\d+" title="9p-none-mmap · symlink\/host-made\/readlink: fails loud \(known deviation\)">✗<\/button>/)
  t.match(html, /<button type="button" class="cell s-ok known" data-i="\d+" title="9p-mapped-xattr-mmap · symlink\/host-made\/readlink: ok \(known deviation: passes now\)">✓<\/button>/)
  t.notMatch(html, /s-todo/, 'no "todo" state hides the verdict')
})

t.test('the top of the page: the verdict, security findings, then the answer', async (t) => {
  const html = reportHtml(fixtureResults())
  t.match(html, '<p class="verdict" id="verdict"><b>1 security finding</b> · <b>5 silent (2 known)</b> · 3 loud (1 known) · 10 ok · 2 skip · 5 crashed · 2 configs crashed or not set up</p>')
  const order = ['id="verdict"', 'id="security"', 'id="answer"', 'id="matrix"', 'id="legend"', 'id="heatmap"', 'id="silent"']
  const at = order.map((id) => html.indexOf(id))
  t.ok(at.every((i) => i > 0), 'every part is there')
  t.same([...at].sort((a, b) => a - b), at, `in this order: ${order.join(', ')}`)
  t.match(html, '<td class="mono">host-side/atomic-replace/mode</td><td><b>a file the host wrote shows the setuid bit the guest set on the file it replaced</b></td>')
  t.match(html, /<td class="need s-silent" title="9p-none-mmap · times: fails silently \(times\/chmod\/ctime silent\)">fails silently<\/td>/)
  t.match(html, '<td class="need s-none" title="9p-passthrough-loose · ownership: not measured (the config crashed before 1 of its checks ran)">not measured</td>')
  t.match(html, '<h3>Which to use</h3>')
  t.equal(count(html, /<ul class="profiles"><li>/g), 1)
})

t.test('escaping: markup from a check id, diagnostics, config, reason or environment is text; only our two scripts', async (t) => {
  const html = reportHtml(evilResults())
  t.equal(count(html, /<script/g), 2, 'the JSON data and the code: no other <script')
  t.notMatch(html, /<img|<svg onload|<i>evil|<b>bold|<u>p<\/u>|<s>/, 'no markup from the data as markup')
  t.match(html, `<th class="check mono" scope="row">${esc(EVIL_ID)}</th>`)
  t.match(html, esc(EVIL_CONFIG))
  t.match(html, '&lt;script&gt;alert(6)&lt;/script&gt;', 'environment')
  t.match(html, '&lt;script&gt;alert(5)&lt;/script&gt;', 'config error')
  t.match(html, '&lt;script&gt;alert(4)&lt;/script&gt;', 'TODO reason')
  const [attrs, data] = scripts(html)[0]!
  t.match(attrs, 'type="application/json"')
  t.notMatch(data, /[<>&]/, 'the data has no raw < > &')
  const parsed = JSON.parse(data) as { rows: string[]; cells: Array<{ d?: Array<[string, string]> }> }
  t.ok(parsed.rows.includes(EVIL_ID), 'the data gives the id back as it was')
  t.ok(parsed.cells.some((c) => c.d?.some(([k, v]) => k === 'found' && v === EVIL_FOUND)), 'and the diagnostics')
  t.equal(esc(`<a href="x">'&`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;')
  t.equal(jsonForScript({ a: '</script>&\u2028' }), '{"a":"\\u003c/script\\u003e\\u0026\\u2028"}')
})

t.test('a cell\'s data holds the guest view (op args wanted found errno stage class) and the host truth', async (t) => {
  const html = reportHtml(evilResults())
  const data = JSON.parse(scripts(html)[0]![1]) as { rows: string[]; cols: Array<{ config: string }>; cells: Array<{ r: number; c: number; s: string; d?: Array<[string, string]> }> }
  const cell = data.cells.find((c) => data.rows[c.r] === EVIL_ID)!
  t.equal(data.cols[cell.c]!.config, EVIL_CONFIG)
  t.equal(cell.s, 'fails silently')
  t.same(cell.d!.map(([k]) => k), ['op', 'args', 'wanted', 'found', 'stage', 'class', 'host truth', '<odd key>'])
  t.same(Object.fromEntries(cell.d!), {
    op: '"><svg onload=alert(3)>', args: '"<b>bold</b>" 1234', wanted: "v'al\"ue", found: EVIL_FOUND, stage: 'at-once', class: 'silent',
    'host truth': '<u>p</u>: file xattrs{user.<x>=3c}', '<odd key>': '<odd value>',
  })
})

t.test('the coherence table and the bench bars appear when the run has them', async (t) => {
  const coherence = reportHtml(resultsFixture('coherence/results.json'))
  t.match(coherence, '<h2 id="coherence">Cache coherence</h2>')
  t.match(coherence, /<td class="c s-silent known"><button type="button" data-i="\d+" title="9p-none-loose · coherence\/host-edit-in-place\/visible">stale until drop_caches \(TODO\)<\/button><\/td>/)
  t.notMatch(coherence, /id="bench"/)
  const bench = reportHtml(resultsFixture('bench/results.json'))
  t.match(bench, '<h2 id="bench">Bench: ratio to tmpfs</h2>')
  t.equal(count(bench, /<svg /g), 3, 'a chart per workload')
  t.match(bench, /<rect x="210" y="\d+" width="[\d.]+" height="14" fill="#0072B2"\/><text x="[\d.]+" y="\d+">0\.48x<\/text>/)
  t.notMatch(bench, /id="coherence"/)
})

t.test('a merge shows its environments side by side: column groups E1, E2 with a key', async (t) => {
  const merged = mergeResults([
    { source: 'linux/results.json', text: fixture('coherence/results.json') },
    { source: 'mac/results.json', text: fixture('bench/results.json') },
  ], { labels: { 'linux/results.json': 'linux <qemu 7.2>' } })
  const html = reportHtml(merged)
  t.match(html, '<b>E1</b> = linux &lt;qemu 7.2&gt; · <b>E2</b> = Darwin 24.5.0 arm64 · Lima 2.2.0 · QEMU 10.0.2')
  t.match(html, '<th class="env" colspan="5" scope="colgroup" title="linux &lt;qemu 7.2&gt;">E1</th><th class="env" colspan="3" scope="colgroup"')
  t.equal(count(html, /<th class="config[^"]*" scope="col"/g), 8, 'every config of every environment')
  t.match(html, /<table class="data"><tr><th><\/th><th scope="col">linux &lt;qemu 7\.2&gt;<\/th><th scope="col">Darwin/, 'the environment table: a column each')
  t.match(html, '<title>limafs report: 2 environments side by side</title>')
})

t.test('print: the details panel is left out, everything else is laid out open in colour', async (t) => {
  const html = reportHtml(fixtureResults())
  const print = html.slice(html.indexOf('@media print'))
  t.match(print, '.detail,.hint{display:none!important}')
  t.match(print, 'print-color-adjust:exact')
  t.match(print, '.scroll{overflow:visible}')
  t.notMatch(html, /<details/, 'nothing collapsed')
  t.match(html, '<h2 id="silent">Silent failures (5: 2 known)</h2>', 'the failures are written out, no click needed')
})

t.test('the same results give the same page (deterministic)', async (t) => {
  const results = fixtureResults()
  t.equal(reportHtml(results), reportHtml(JSON.parse(resultsJson(results))))
})

t.test('known deviations are grouped by their reason, with verdicts; each TODO that passes now is named', async (t) => {
  const html = reportHtml(resultsFixture('coherence/results.json'))
  t.match(html, '<h2 id="todo">Known deviations (TODO: 12)</h2>')
  t.match(html, '<tr><td>cache=loose: host edits stay unseen until drop_caches</td><td>2 fails silent, <b>1 passes now</b></td><td>9p-none-loose</td><td>3: <span class="mono">coherence/host-edit-in-place/visible</span>')
  t.match(html, '<li>9p-none-loose <span class="mono">coherence/guest-write-close/host-sees</span></li>')
})
