// The cache coherence table of one environment: config x event, "at once", "N ms" or how it
// stayed stale (from reports/coherence.ts, as in summary.md). A cell shows the same details as
// the heat map's cell for that check.
import { coherenceEventLabel, type CoherenceTable } from '../coherence.ts'
import type { ConfigResult } from '../types.ts'
import { esc } from './escape.ts'
import { cellKey } from './heat-map.ts'
import { cellClasses } from './states.ts'

/** `table` is coherenceTable(configs); `column(i)` is the heat-map column of this environment's i-th config. */
export function coherenceHtml(table: CoherenceTable | undefined, configs: readonly ConfigResult[], column: (i: number) => number, index: ReadonlyMap<string, number>): string {
  if (!table) return ''
  const head = `<tr><th class="cfg">config</th>${table.events.map((id) => `<th class="ev mono" scope="col" title="${esc(id)}">${esc(coherenceEventLabel(id))}</th>`).join('')}</tr>`
  const rows = table.rows.map((row, r) => {
    const config = configs[r]!
    const cells = row.cells.map((cell) => {
      if (!cell || row.status === 'infra-failed') return '<td class="c s-none">–</td>'
      const check = config.checks.find((c) => c.id === cell.checkId)
      const i = index.get(cellKey(column(r), cell.checkId))
      const text = esc(cell.text)
      const inner = i === undefined ? text : `<button type="button" data-i="${i}" title="${esc(`${row.config} · ${cell.checkId}`)}">${text}</button>`
      return `<td class="c ${cellClasses(check)}">${inner}</td>`
    })
    return `<tr><th scope="row">${esc(row.config)}${row.status === 'completed' ? '' : ` (${esc(row.status)})`}</th>${cells.join('')}</tr>`
  })
  return `<div class="scroll"><table class="data coherence">${head}${rows.join('\n')}</table></div>`
}

/** What the cells say, once for all the coherence tables; `windowMs` as the stale points name it. */
export function coherenceLegendHtml(windowMs: number | undefined): string {
  const window = windowMs === undefined ? 'the whole window' : `the whole ${windowMs} ms window`
  const items = [
    '<b>at once</b>: seen at the first look',
    '<b>N ms</b>: seen that long after the change (an upper bound)',
    `<b>stale</b>: unseen for ${esc(window)}`,
    '<b>stale until drop_caches</b>: unseen in the window, seen after <code>echo 3 &gt; /proc/sys/vm/drop_caches</code>',
    '<b>stale even after drop_caches</b>: still unseen after it',
    '<b>error E</b>: the call failed',
    '<b>(TODO)</b>: a known deviation of this config (striped)',
  ]
  return `<p>How soon a change made on one side showed on the other: host changes in the guest, guest writes on the host. ${items.join(' · ')}. Colours as in the heat map; a cell shows its check's details.</p>`
}
