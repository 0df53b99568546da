// Bench ratios as inline SVG bars, one chart per workload: each config's ops/s as a ratio to
// the guest's tmpfs, with a line at 1.0x (as fast as tmpfs). The value is written beside each
// bar, so the chart reads without colour or scale.
import { benchTable, ratioOf, ratioText } from '../bench.ts'
import type { ConfigResult } from '../types.ts'
import { esc } from './escape.ts'

const LABEL_WIDTH = 210
const BAR_WIDTH = 300
const VALUE_WIDTH = 70
const ROW_HEIGHT = 20
const TOP = 18

export function benchHtml(configs: readonly ConfigResult[]): string {
  const table = benchTable(configs)
  if (!table) return ''
  const charts = table.workloads.map((workload, w) => {
    const bars = table.rows.flatMap((row) => {
      const figures = row.figures[w]
      const ratio = figures ? ratioOf(figures) : undefined
      return figures && ratio !== undefined ? [{ config: row.config, figures, ratio }] : []
    })
    if (!bars.length) return ''
    const max = Math.max(1, ...bars.map((b) => b.ratio))
    const x = (ratio: number) => LABEL_WIDTH + (Math.max(0, ratio) / max) * BAR_WIDTH
    const height = TOP + bars.length * ROW_HEIGHT + 4
    const width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    const rows = bars.map((b, i) => {
      const y = TOP + i * ROW_HEIGHT
      const f = b.figures
      return `<g><title>${esc(`${b.config} · ${workload}: ${f.opsPerSec} ops/s, tmpfs ${f.baselineOpsPerSec ?? '?'} ops/s`)}</title>` +
        `<text x="${LABEL_WIDTH - 6}" y="${y + 14}" text-anchor="end">${esc(b.config)}</text>` +
        `<rect x="${LABEL_WIDTH}" y="${y + 3}" width="${(x(b.ratio) - LABEL_WIDTH).toFixed(1)}" height="${ROW_HEIGHT - 6}" fill="#0072B2"/>` +
        `<text x="${(x(b.ratio) + 4).toFixed(1)}" y="${y + 14}">${esc(ratioText(b.ratio))}</text></g>`
    })
    const one = x(1).toFixed(1)
    return `<figure><figcaption><b>${esc(workload)}</b></figcaption>` +
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`${workload}: ratio to tmpfs per config`)}">` +
      `<line x1="${one}" y1="12" x2="${one}" y2="${height}" stroke="#000" stroke-dasharray="4 3"/><text x="${one}" y="10" text-anchor="middle">tmpfs 1.0x</text>` +
      `${rows.join('')}</svg></figure>`
  })
  if (!charts.some(Boolean)) return ''
  return `<p>Median ops/s of each workload on the share divided by the same on the guest's tmpfs (1.0x: as fast as tmpfs; longer is faster). Figures without a tmpfs baseline have no bar.</p><div class="side bench">${charts.join('')}</div>`
}
