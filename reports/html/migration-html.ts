// report.html's migration table (reports/migration.ts): from model x to model, what a switch
// keeps, breaks and lets a guest user plant; per switch, the broken properties and what
// `limafs migrate` keeps, folded.
import { cellCounts, cellOf, migrateKeeps, migrationTable, type MigrationCell } from '../migration.ts'
import type { ConfigResult } from '../types.ts'
import { esc } from './escape.ts'

function cellHtml(c: MigrationCell | undefined, same: boolean): string {
  if (same) return '<td class="muted">–</td>'
  if (!c || !c.configs.length) return '<td class="muted">not measured</td>'
  const n = cellCounts(c)
  const parts = [`${n.kept} kept`, n.silent ? `<b>${n.silent} silent</b>` : '', n.loud ? `${n.loud} loud` : '', n.security ? `<b>${n.security} security</b>` : ''].filter(Boolean)
  return `<td>${parts.join(' · ')}</td>`
}

function detailHtml(c: MigrationCell): string {
  const list = (title: string, items: string[]) => (items.length ? `<dt>${title}</dt><dd>${items.map(esc).join(', ')}</dd>` : '')
  const keeps = migrateKeeps(c.from, c.to)
  return `<details><summary>${esc(c.from)} → ${esc(c.to)} <span class="muted">(from ${esc(c.configs.join(', '))})</span></summary><dl>` +
    list('breaks silently', c.broken.filter((b) => b.verdict === 'silent' && !b.security).map((b) => `${b.what} (${b.found})`)) +
    list('breaks loudly', c.broken.filter((b) => b.verdict === 'loud' && !b.security).map((b) => `${b.what} (${b.found})`)) +
    (c.broken.some((b) => b.security) ? `<dt><b>security</b></dt><dd>${c.broken.filter((b) => b.security).map((b) => `<b>${esc(b.what)}</b>: ${esc(b.security!)}`).join('<br>')}</dd>` : '') +
    list('kept', c.kept) +
    `<dt>limafs migrate</dt><dd><code>limafs migrate --from ${esc(c.from)} --to ${esc(c.to)}</code> keeps ${esc(keeps.keeps)}${keeps.loses.length ? `; but: ${esc(keeps.loses.join('; '))}` : ''}</dd></dl></details>`
}

/** The table and its details; '' when the run has no migrate points. */
export function migrationHtml(configs: readonly ConfigResult[]): string {
  const t = migrationTable(configs)
  if (!t) return ''
  const head = `<tr><th>from \\ to</th>${t.models.map((m) => `<th scope="col">${esc(m)}</th>`).join('')}</tr>`
  const rows = t.models.map((from) => `<tr><th scope="row">${esc(from)}</th>${t.models.map((to) => cellHtml(cellOf(t, from, to), from === to)).join('')}</tr>`)
  const intro = "A tree made through each configuration's sibling share, seen through a configuration of another model after drop_caches, on the same host files: object properties kept from every source configuration (each cache mode), broken silently or loudly, and security findings (a guest user's plain data read as a root owner, a setuid mode or a device)."
  return `<p>${esc(intro)}</p><div class="scroll"><table class="data">${head}${rows.join('\n')}</table></div>${t.cells.filter((c) => c.configs.length && c.from !== c.to).map(detailHtml).join('\n')}`
}
