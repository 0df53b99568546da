// The heat map: every check (rows, grouped by suite) x every config (columns, grouped by
// environment in a merge). A cell is a button showing its verdict by colour AND glyph, a known
// deviation marked on top; its details (guest view, host truth) go into the page's JSON data,
// shown on hover or click.
import { esc } from './escape.ts'
import { detailRows, type DetailRows } from './detail.ts'
import { cellClasses, cellState, cellStateText, STATE_STYLES, type CellState } from './states.ts'
import { isKnown } from '../verdicts.ts'
import type { Column, EnvView, RowGroup } from './view.ts'

/** One cell's entry in the page data: row and column index, state label, details. */
export interface CellData {
  r: number
  c: number
  s: string
  d?: DetailRows
}

export interface HeatMapData {
  cols: Array<{ config: string; env?: string }>
  rows: string[]
  cells: CellData[]
}

export interface HeatMap {
  html: string
  data: HeatMapData
  /** Cell index by column and check id, for other sections' cells to show the same details. */
  index: Map<string, number>
  /** How many cells are in each state. */
  counts: Record<CellState, number>
  /** Of those, how many are known deviations. */
  known: Record<CellState, number>
}

/** The short name of an environment in the heat map's header ("E1"); the key above it says which is which. */
const envTag = (env: number) => `E${env + 1}`

export const cellKey = (column: number, id: string) => `${column}\n${id}`

export function heatMap(envs: readonly EnvView[], columns: readonly Column[], groups: readonly RowGroup[]): HeatMap {
  const merged = envs.some((e) => e.label !== undefined)
  const ids = groups.flatMap((g) => g.ids)
  const data: HeatMapData = {
    cols: columns.map((c) => ({ config: c.config.name, ...(merged ? { env: envs[c.env]!.label! } : {}) })),
    rows: ids,
    cells: [],
  }
  const index = new Map<string, number>()
  const counts = Object.fromEntries(Object.keys(STATE_STYLES).map((s) => [s, 0])) as Record<CellState, number>
  const known = { ...counts }
  const byId = columns.map((c) => new Map(c.config.checks.map((check) => [check.id, check])))
  const first = (i: number) => i === 0 || columns[i - 1]!.env !== columns[i]!.env
  const head: string[] = []
  if (merged) {
    const spans = envs.map((env, i) => ({ env, n: columns.filter((c) => c.env === i).length })).filter((s) => s.n)
    head.push(`<tr><th></th>${spans.map((s) => `<th class="env" colspan="${s.n}" scope="colgroup" title="${esc(s.env.label!)}">${esc(envTag(envs.indexOf(s.env)))}</th>`).join('')}</tr>`)
  }
  head.push(`<tr><th class="corner">check \\ config</th>${columns.map((c, i) => {
    const bad = c.config.status !== 'completed'
    const label = `${c.config.name}${bad ? ` (${c.config.status})` : ''}`
    return `<th class="config${bad ? ' bad' : ''}${merged && first(i) ? ' first' : ''}" scope="col" title="${esc(label)}"><span>${esc(label)}</span></th>`
  }).join('')}</tr>`)
  const body: string[] = []
  let row = 0
  for (const group of groups) {
    body.push(`<tr class="suite"><th colspan="${columns.length + 1}" scope="rowgroup">${esc(group.suite)}</th></tr>`)
    for (const id of group.ids) {
      const cells = columns.map((column, c) => {
        const check = byId[c]!.get(id)
        const state = cellState(check)
        counts[state]++
        if (check && isKnown(check)) known[state]++
        const style = STATE_STYLES[state]
        const td = merged && first(c) ? '<td class="first">' : '<td>'
        if (!check) {
          const why = column.config.status === 'infra-failed' ? 'not run: the config could not be set up' : 'not run'
          return `${td}<span class="cell s-none" title="${esc(`${column.config.name} · ${id}: ${why}`)}"></span></td>`
        }
        const i = data.cells.length
        const stateText = cellStateText(check)
        const rows = detailRows(check)
        data.cells.push({ r: row, c, s: stateText, ...(rows.length ? { d: rows } : {}) })
        index.set(cellKey(c, id), i)
        return `${td}<button type="button" class="cell ${cellClasses(check)}" data-i="${i}" title="${esc(`${column.config.name} · ${id}: ${stateText}`)}">${style.glyph}</button></td>`
      })
      body.push(`<tr><th class="check mono" scope="row">${esc(id)}</th>${cells.join('')}</tr>`)
      row++
    }
  }
  const key = merged ? `<p>${envs.map((env, i) => `<b>${envTag(i)}</b> = ${esc(env.label!)}`).join(' · ')}</p>` : ''
  const html = `${key}<div class="scroll"><table class="heatmap" id="heatmap"><thead>${head.join('')}</thead><tbody>${body.join('\n')}</tbody></table></div>`
  return { html, data, index, counts, known }
}
