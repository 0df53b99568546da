// The top of report.html: security findings (above everything, known deviation or not), then the
// answer: configs x what users need (keeps / fails loud / fails silently / not measured, in the
// heat map's colours) and which configuration to use for a few ways of working, each resting on
// the check ids it names (reports/answer.ts decides; this renders).
import { profileEvidence, type Answer, type AnswerCell } from '../answer.ts'
import { ratioText } from '../bench.ts'
import { foundText } from '../diagnostics-text.ts'
import type { NeedState } from '../need-verdict.ts'
import { CAVEAT_GROUPS, specOf } from '../needs.ts'
import { settingsText } from '../share-settings.ts'
import { isKnown, securityOf } from '../verdicts.ts'
import { esc } from './escape.ts'
import type { CellState } from './states.ts'
import type { EnvView } from './view.ts'

/** A need's state in the heat map's colours. */
const STATE_CELL: Record<NeedState, CellState> = { keeps: 'ok', 'fails-loud': 'loud', 'fails-silently': 'silent', 'not-measured': 'none' }
const STATE_TEXT: Record<NeedState, string> = { keeps: 'keeps', 'fails-loud': 'fails loud', 'fails-silently': 'fails silently', 'not-measured': 'not measured' }

/** Check ids named per profile line (and per cell title) before "+N more". */
const IDS = 4

/** Every point whose diagnostics carry `security`, in a table; '' when there is none. */
export function securityHtml(envs: readonly EnvView[]): string {
  const merged = envs.some((e) => e.label !== undefined)
  const rows = envs.flatMap((env) => env.run.configs.flatMap((config) => config.checks.flatMap((check) => {
    const why = securityOf(check)
    if (why === undefined) return []
    const known = isKnown(check) ? `yes${check.reason ? `: ${esc(check.reason)}` : ''}` : '<b>no</b>'
    return [`<tr>${merged ? `<td>${esc(env.label ?? '')}</td>` : ''}<td>${esc(config.name)}</td><td class="mono">${esc(check.id)}</td><td><b>${esc(why)}</b></td>` +
      `<td class="mono">${check.diagnostics ? esc(foundText(check.diagnostics)) : '?'}</td><td>${known}</td></tr>`]
  })))
  if (!rows.length) return ''
  return `<section class="security" id="security"><h2>Security findings (${rows.length})</h2>
<p>A guest-set owner, setuid/setgid bit or type reached an object the host made, or plain guest data became ownership: listed whether the matrix expects it or not.</p>
<div class="scroll"><table class="data"><tr>${merged ? '<th>environment</th>' : ''}<th>config</th><th>check</th><th>why</th><th>found</th><th>known deviation</th></tr>${rows.join('')}</table></div></section>`
}

/** The answer of one environment: the config x need table, then a recommendation per profile. */
export function answerHtml(answer: Answer | undefined): string {
  if (!answer) return ''
  const head = `<tr><th>config</th>${answer.needs.map((n) => `<th scope="col" title="${esc(specOf(n).what)}">${esc(specOf(n).label)}</th>`).join('')}</tr>`
  const rows = answer.rows.map((row) => {
    const label = `${esc(row.config)}${row.status === 'completed' ? '' : ` (${esc(row.status)})`}`
    const cells = row.status === 'infra-failed'
      ? answer.needs.map(() => '<td class="need s-none">not set up</td>').join('')
      : row.cells.map((cell) => cellHtml(row.config, cell)).join('')
    return `<tr><th scope="row">${label}</th>${cells}</tr>`
  })
  const caveatNeeds = answer.needs.filter((n) => answer.rows.some((r) => r.cells.find((c) => c.verdict.need === n)?.caveats.length))
  const notes = [
    '<p><b>keeps</b>: every check behind the need that ran passed · <b>fails loud</b>: a call returned an error · <b>fails silently</b>: a call said OK and the effect was wrong or lost · <b>not measured</b>: no check behind it ran (never counted as keeping). Known deviations count by what they did. A cell\'s title names the checks.' +
      (answer.needs.includes('speed') ? ` Speed: geometric mean of the ratios to tmpfs over ${esc(answer.speedWorkloads.join(', ') || 'no common workload')}.` : '') + '</p>',
    ...(caveatNeeds.length ? [`<p>* Checks near the need but not part of it fail there: ${caveatNeeds.map((n) => `${esc(specOf(n).label)}: ${esc(CAVEAT_GROUPS.filter((g) => g.need === n).map((g) => g.what).join('; '))}`).join(' · ')}.</p>`] : []),
    ...(answer.unmeasured.length ? [`<p class="muted">Not measured in this run (no check of theirs ran): ${esc(answer.unmeasured.map((n) => specOf(n).label).join(', '))}.</p>`] : []),
  ]
  return `<div class="scroll"><table class="data answer">${head}${rows.join('\n')}</table></div>${notes.join('')}
<h3>Which to use</h3>
<p>From what was measured here, for a few ways of working (<code>limafs recommend --profile NAME</code> gives the lima.yaml lines and every check id).</p>
<ul class="profiles">${answer.profiles.map(profileHtml).join('')}</ul>`
}

function cellHtml(config: string, cell: AnswerCell): string {
  const v = cell.verdict
  const text = v.need === 'speed' && cell.speed !== undefined ? `${ratioText(cell.speed)} tmpfs` : STATE_TEXT[v.state]
  const evidence = v.state === 'not-measured' ? [] : v.failed.length ? v.failed : v.passed
  const title = `${config} · ${specOf(v.need).label}: ${STATE_TEXT[v.state]}` +
    (evidence.length ? ` (${idsText(evidence.map((e) => `${e.id}${v.failed.length ? ` ${e.class ?? 'silent'}` : ''}`), 8)})` : v.notMeasured ? ` (${v.notMeasured.replace(/^not measured: /, '')})` : '') +
    (cell.caveats.length ? `; nearby, failing: ${idsText(cell.caveats.map((e) => e.id), 8)}` : '')
  return `<td class="need s-${STATE_CELL[v.state]}" title="${esc(title)}">${esc(text)}${cell.caveats.length ? '*' : ''}</td>`
}

function profileHtml({ profile, recommendation: rec }: Answer['profiles'][number]): string {
  const what = `<b>${esc(profile.title)}</b> <span class="muted">(${esc(profile.needs.join(', '))})</span>`
  const { kept } = profileEvidence(rec)
  const ids = (list: readonly string[]) => list.slice(0, IDS).map((id) => `<span class="mono">${esc(id)}</span>`).join(', ') + (list.length > IDS ? ` +${list.length - IDS} more` : '')
  if (rec.chosen) {
    return `<li>${what}: <b class="mono">${esc(rec.chosen.config)}</b> (${esc(settingsText(rec.chosen.settings))}) keeps all of it; rests on ${ids(kept.map((e) => e.id))}</li>`
  }
  if (!rec.compromise) return `<li>${what}: nothing measured here keeps any of it</li>`
  const c = rec.compromise
  const gives = c.givesUp.map((n) => `${esc(n.need)} (${n.state === 'not-measured'
    ? esc(n.notMeasured ?? 'not measured')
    : `<span class="need-text s-${STATE_CELL[n.state]}">${STATE_TEXT[n.state]}</span>: ${ids(n.failed.map((e) => e.id))}`})`).join('; ')
  return `<li>${what}: no configuration keeps all of it; best compromise <b class="mono">${esc(c.verdict.config)}</b> (${esc(settingsText(c.verdict.settings))}) gives up ${gives}${kept.length ? `; keeps the rest, resting on ${ids(kept.map((e) => e.id))}` : ''}</li>`
}

function idsText(ids: readonly string[], max: number): string {
  return ids.slice(0, max).join(', ') + (ids.length > max ? `, +${ids.length - max} more` : '')
}
