// report.html: one self-contained page (no external scripts, styles, fonts or images; a CSP
// that forbids loading any) from a run's results or a merge's. The verdict counts first,
// security findings, the answer (configs x needs, which to use per profile), then a heat map of
// checks x configs with a legend, each cell's details on hover or click, the coherence
// latencies, bench ratios as SVG bars, the failures written out, and the environment. Pure:
// results in, text out.
import { createHash } from 'node:crypto'
import { answerOf } from '../answer.ts'
import { runVerdictCounts, verdictCountsText } from '../verdicts.ts'
import { answerHtml, securityHtml } from './answer-html.ts'
import type { MergedResults, Results } from '../types.ts'
import { benchHtml } from './bench-svg.ts'
import { coherenceHtml, coherenceLegendHtml } from './coherence-html.ts'
import { coherenceTable, type CoherenceTable } from '../coherence.ts'
import { environmentHtml } from './environment-html.ts'
import { esc, jsonForScript } from './escape.ts'
import { failuresHtml } from './failures-html.ts'
import { heatMap } from './heat-map.ts'
import { SCRIPT } from './script.ts'
import { CELL_STATES, KNOWN_MARK, STATE_STYLES, type CellState } from './states.ts'
import { STYLES } from './styles.ts'
import { columnsOf, envViews, rowGroups, type EnvView } from './view.ts'

export function reportHtml(input: Results | MergedResults): string {
  const envs = envViews(input)
  const columns = columnsOf(envs)
  const map = heatMap(envs, columns, rowGroups(envs))
  const columnOf = (env: number) => (i: number) => columns.findIndex((c) => c.env === env && c.config === envs[env]!.run.configs[i])
  const perEnv = (render: (env: EnvView, i: number) => string) => {
    const parts = envs.map((env, i) => ({ env, html: render(env, i) })).filter((p) => p.html)
    if (envs.length === 1) return parts.map((p) => p.html).join('')
    return parts.length ? `<div class="side">${parts.map((p) => `<section><h3>${esc(p.env.label ?? '')}</h3>${p.html}</section>`).join('')}</div>` : ''
  }
  const tables = envs.map((env) => coherenceTable(env.run.configs))
  const coherence = perEnv((env, i) => coherenceHtml(tables[i], env.run.configs, columnOf(i), map.index))
  const bench = perEnv((env) => benchHtml(env.run.configs))
  const answer = perEnv((env) => answerHtml(answerOf(env.run)))
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${createHash('sha256').update(SCRIPT).digest('base64')}'; img-src 'none'; base-uri 'none'; form-action 'none'`
  const body = [
    header(envs),
    securityHtml(envs),
    ...(answer ? ['<h2 id="answer">What each configuration keeps</h2>', answer] : []),
    '<h2 id="matrix">Checks x configs</h2>',
    legend(map.counts, map.known),
    '<p class="hint muted">Hover over or click a cell (or tab to it) for its diagnostics: the guest\'s view and the host\'s truth. A click pins them; Escape closes.</p>',
    map.html,
    ...(coherence ? ['<h2 id="coherence">Cache coherence</h2>', coherenceLegendHtml(windowMs(tables)), coherence] : []),
    ...(bench ? ['<h2 id="bench">Bench: ratio to tmpfs</h2>', bench] : []),
    failuresHtml(envs),
    '<h2 id="environment">Environment</h2>',
    environmentHtml(envs),
    '<aside id="detail" class="detail" hidden aria-live="polite"><button type="button" id="detail-close" class="close" aria-label="close">×</button><h2 id="detail-title"></h2><p id="detail-state"></p><dl id="detail-rows"></dl></aside>',
  ]
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(titleText(envs))}</title>
<style>${STYLES}</style>
</head>
<body>
${body.join('\n')}
<script type="application/json" id="limafs-data">${jsonForScript(map.data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`
}

/** The longest observation window any stale coherence point names. */
function windowMs(tables: ReadonlyArray<CoherenceTable | undefined>): number | undefined {
  const windows = tables.map((t) => t?.windowMs).filter((w): w is number => w !== undefined)
  return windows.length ? Math.max(...windows) : undefined
}

function titleText(envs: readonly EnvView[]): string {
  if (envs.length === 1 && envs[0]!.label === undefined) {
    const n = envs[0]!.run.configs.length
    return `limafs report: ${n} config${n === 1 ? '' : 's'}`
  }
  return `limafs report: ${envs.length} environment${envs.length === 1 ? '' : 's'} side by side`
}

function header(envs: readonly EnvView[]): string {
  const total = runVerdictCounts(envs.flatMap((e) => e.run.configs))
  const broken = envs.flatMap((e) => e.run.configs).filter((c) => c.status !== 'completed')
  const counts = verdictCountsText(total, { zeros: true, strong: (t) => `<b>${esc(t)}</b>` })
  const lines = [`<h1>${esc(titleText(envs))}</h1>`, `<p class="verdict" id="verdict">${counts}${broken.length ? ` · ${broken.length} config${broken.length === 1 ? '' : 's'} crashed or not set up` : ''}</p>`]
  for (const env of envs) {
    const run = env.run
    const what = `${env.label ? `<b>${esc(env.label)}</b>: ` : ''}run ${esc(run.startedAt)} to ${esc(run.finishedAt)}${run.matrix.file ? ` · matrix <code>${esc(run.matrix.file)}</code>` : ''} · suites: ${esc(run.matrix.suites.join(', ') || '(none)')}`
    lines.push(`<p class="muted">${what}</p>`)
    if (!run.complete) lines.push(`<p class="warn"><b>${env.label ? esc(env.label) : 'The run'} did not complete</b> (it was cut short): configs it never reached are missing.</p>`)
  }
  return lines.join('\n')
}

/** Each verdict (colour, glyph, words, how many cells, how many of them known), then the known-deviation mark. */
function legend(counts: Record<CellState, number>, known: Record<CellState, number>): string {
  const items = CELL_STATES.map((s) => {
    const style = STATE_STYLES[s]
    const howMany = known[s] ? `${counts[s]}, ${known[s]} known` : `${counts[s]}`
    return `<li><span class="swatch s-${s}${s === 'none' ? ' cell' : ''}" aria-hidden="true">${style.glyph}</span><span><b>${esc(style.label)}</b> (${howMany}): ${esc(style.description)}</span></li>`
  })
  const totalKnown = Object.values(known).reduce((a, b) => a + b, 0)
  items.push(`<li class="known-key"><span class="swatch s-silent known" aria-hidden="true">${STATE_STYLES.silent.glyph}</span><span class="swatch s-loud known" aria-hidden="true">${STATE_STYLES.loud.glyph}</span><span><b>${esc(KNOWN_MARK.label)}</b> (${totalKnown}): stripes and a corner mark over the verdict's colour: ${esc(KNOWN_MARK.description)}</span></li>`)
  return `<ul class="legend" id="legend">${items.join('')}</ul>`
}
