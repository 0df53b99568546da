// The failures written out (visible on screen and on paper, no click needed): silent ones
// first, known deviations (TODO) among them, then loud ones the matrix did not expect, then the
// known deviations grouped by reason, then what could not run.
import { callText, foundText, hostText, valueText } from '../diagnostics-text.ts'
import type { CheckResult, ConfigResult } from '../types.ts'
import { isKnown, verdictOf } from '../verdicts.ts'
import { esc } from './escape.ts'
import type { EnvView } from './view.ts'

interface Found {
  env?: string
  config: ConfigResult
  check: CheckResult
}

export function failuresHtml(envs: readonly EnvView[]): string {
  const all: Found[] = envs.flatMap((e) => e.run.configs.flatMap((config) => config.checks.map((check) => ({ ...(e.label ? { env: e.label } : {}), config, check }))))
  const merged = envs.some((e) => e.label !== undefined)
  const envCell = (f: Found) => (merged ? `<td>${esc(f.env ?? '')}</td>` : '')
  const envHead = merged ? '<th>environment</th>' : ''
  const failureTable = (found: Found[]) => {
    const withKnown = found.some((f) => isKnown(f.check))
    return `<div class="scroll"><table class="data"><tr>${envHead}<th>config</th><th>check</th><th>call</th><th>wanted</th><th>found</th><th>stage</th><th>host truth</th>${withKnown ? '<th>known deviation</th>' : ''}</tr>${found.map((f) => {
      const d = f.check.diagnostics
      return `<tr>${envCell(f)}<td>${esc(f.config.name)}</td><td class="mono">${esc(f.check.id)}${f.check.cutOff ? ' (diagnostics cut off)' : ''}</td>` +
        `<td class="mono">${d ? esc(callText(d)) : '?'}</td><td class="mono">${d ? esc(valueText(d.wanted)) : '?'}</td><td class="mono">${d ? esc(foundText(d)) : '?'}</td>` +
        `<td>${esc(d?.stage ?? '')}</td><td>${d?.host ? esc(hostText(d.host)) : '–'}</td>` +
        `${withKnown ? `<td>${isKnown(f.check) ? esc(f.check.reason ?? 'yes') : '<b>no</b>'}</td>` : ''}</tr>`
    }).join('')}</table></div>`
  }
  // Unexpected ones first: they are what a CI run fails on.
  const silent = all.filter((f) => verdictOf(f.check) === 'silent').sort((a, b) => Number(isKnown(a.check)) - Number(isKnown(b.check)))
  const knownSilent = silent.filter((f) => isKnown(f.check)).length
  const loud = all.filter((f) => f.check.status === 'fail' && f.check.class !== 'silent')
  const todo = all.filter((f) => f.check.status === 'todo')
  const parts = [
    `<h2 id="silent">Silent failures (${silent.length}: ${knownSilent} known)</h2>`,
    silent.length ? `<p>The call said OK but the effect was wrong, or was lost later (after a cache drop, remount or restart). Known deviations (TODO) are listed too: CI does not fail on them, but this is what the share does.</p>${failureTable(silent)}` : '<p>None.</p>',
    `<h2 id="loud">Loud failures the matrix does not expect (${loud.length})</h2>`,
    loud.length ? `<p>The call returned an error the user sees.</p>${failureTable(loud)}` : '<p>None. (Known deviations that fail loud are in the next section.)</p>',
  ]
  if (todo.length) parts.push(`<h2 id="todo">Known deviations (TODO: ${todo.length})</h2>`, todoHtml(todo, merged))
  const broken = envs.flatMap((e) => e.run.configs.filter((c) => c.status !== 'completed').map((c) =>
    `<li><b>${esc(c.name)}</b>${e.label ? ` in ${esc(e.label)}` : ''}: ${esc(c.status)}${c.error ? `: ${esc(c.error)}` : ''}${c.status === 'crashed' ? ` (${c.counts.crashed} checks not run)` : ''}</li>`))
  parts.push('<h2 id="crashed">Crashed / infrastructure</h2>', broken.length ? `<ul>${broken.join('')}</ul>` : '<p>None.</p>')
  return parts.join('\n')
}

/** Largest number of check ids listed per known deviation before "+N more". */
const TODO_IDS = 6

/**
 * TODOs grouped by their reason (one matrix `expect` entry each, usually): how they came out,
 * on which configs, which checks. Each TODO that passes now is named: its entry may be obsolete.
 */
function todoHtml(todo: readonly Found[], merged: boolean): string {
  const groups = new Map<string, Found[]>()
  for (const f of todo) groups.set(f.check.reason ?? '', [...(groups.get(f.check.reason ?? '') ?? []), f])
  const rows = [...groups].map(([reason, found]) => {
    const verdicts = new Map<string, number>()
    for (const f of found) {
      const v = f.check.todoPassed ? 'passes now' : `fails ${f.check.class ?? 'silent'}`
      verdicts.set(v, (verdicts.get(v) ?? 0) + 1)
    }
    const configs = [...new Set(found.map((f) => (merged && f.env ? `${f.config.name} (${f.env})` : f.config.name)))]
    const ids = [...new Set(found.map((f) => f.check.id))]
    const shown = ids.slice(0, TODO_IDS).map((id) => `<span class="mono">${esc(id)}</span>`).join(', ') + (ids.length > TODO_IDS ? `, +${ids.length - TODO_IDS} more` : '')
    const verdictText = [...verdicts].map(([v, n]) => (v === 'passes now' ? `<b>${n} ${v}</b>` : `${n} ${esc(v)}`)).join(', ')
    return `<tr><td>${esc(reason || '(no reason given)')}</td><td>${verdictText}</td><td>${esc(configs.join(', '))}</td><td>${ids.length}: ${shown}</td></tr>`
  })
  const passing = todo.filter((f) => f.check.todoPassed)
  const passingList = passing.length
    ? `<p>TODOs that pass now (the known deviation did not show: its entry may be obsolete):</p><ul>${passing.map((f) =>
        `<li>${esc(f.config.name)}${merged && f.env ? ` (${esc(f.env)})` : ''} <span class="mono">${esc(f.check.id)}</span></li>`).join('')}</ul>`
    : ''
  return `<p>Checks the matrix marks as known deviations, grouped by the reason it gives; each one's verdict and diagnostics are in its heat-map cell (striped, with a corner mark).</p>
<div class="scroll"><table class="data"><tr><th>reason</th><th>verdicts</th><th>configs</th><th>checks</th></tr>${rows.join('')}</table></div>${passingList}`
}
