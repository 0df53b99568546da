// Where the results were measured: one column per environment (one for a plain run), then each
// run's effective mount options.
import { ENVIRONMENT_ROWS, scalar } from '../environment-fields.ts'
import { esc } from './escape.ts'
import type { EnvView } from './view.ts'

export function environmentHtml(envs: readonly EnvView[]): string {
  const extra = [...new Set(envs.flatMap((e) => Object.keys(e.run.environment)))]
    .filter((k) => !ENVIRONMENT_ROWS.some(([o]) => o === k) && envs.some((e) => scalar(e.run.environment[k]) !== undefined))
  const keys = [...ENVIRONMENT_ROWS.filter(([k]) => envs.some((e) => scalar(e.run.environment[k]) !== undefined)), ...extra.map((k): [string, string] => [k, k])]
  const merged = envs.some((e) => e.label !== undefined)
  const head = merged ? `<tr><th></th>${envs.map((e) => `<th scope="col">${esc(e.label!)}</th>`).join('')}</tr>` : ''
  const row = (label: string, values: string[]) => `<tr><th scope="row">${esc(label)}</th>${values.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`
  const rows = [
    ...(merged ? [row('source', envs.map((e) => e.source ?? ''))] : []),
    row('run', envs.map((e) => `${e.run.startedAt} to ${e.run.finishedAt}${e.run.complete ? '' : ' (did not complete)'}`)),
    ...(envs.some((e) => e.run.matrix.file) ? [row('matrix', envs.map((e) => e.run.matrix.file ?? '–'))] : []),
    ...keys.map(([k, label]) => row(label, envs.map((e) => scalar(e.run.environment[k]) ?? '–'))),
    row('phases', envs.map((e) => e.run.phases.map((p) => `${p.name} ${p.seconds.toFixed(1)} s`).join(' · ') || '–')),
  ]
  const mounts = envs.map((e) => {
    const entries = Object.entries(e.run.environment.mountinfo ?? {})
    if (!entries.length) return ''
    return `<h3>Effective mount options${e.label ? `: ${esc(e.label)}` : ''} (guest mountinfo)</h3>
<div class="scroll"><table class="data"><tr><th>config</th><th>options</th></tr>${entries.map(([c, o]) => `<tr><td>${esc(c)}</td><td class="mono">${esc(o)}</td></tr>`).join('')}</table></div>`
  })
  return `<div class="scroll"><table class="data">${head}${rows.join('')}</table></div>\n${mounts.join('\n')}`
}
