// A recommendation as text: the lima.yaml lines to use, then why, each step quoting the check
// ids (and their status and class) it rests on; or, when nothing meets the needs, what fails.
import { valueText } from './diagnostics-text.ts'
import type { Profile } from './needs.ts'
import type { Alternative, Evidence, NeedVerdict, Recommendation } from './recommend.ts'
import { limaYamlSnippet, settingsText } from './share-settings.ts'

export interface RecommendTextOptions {
  /** The results file the recommendation was made from. */
  source: string
  /** Check ids quoted per need before "+N more". */
  maxIds?: number
  /** The usage profile the needs came from (--profile). */
  profile?: Profile
}

const DEFAULT_MAX_IDS = 6
/** Longest `found` quoted in a line. */
const FOUND_CLIP = 48
/** Check ids quoted per failing need of each config when nothing meets the needs (the list is long). */
const CLOSEST_IDS = 3

export function recommendationText(rec: Recommendation, { source, maxIds = DEFAULT_MAX_IDS, profile }: RecommendTextOptions): string {
  const needs = (rec.needs.join(', ') || '(none)') + (profile ? ` (profile ${profile.name}: ${profile.title})` : '')
  const lines: string[] = []
  const measuredOn = environmentLine(rec)
  if (!rec.chosen) {
    lines.push(`limafs recommend: no measured configuration meets ${needs}`, `Measured on: ${measuredOn} (${source})`, '')
    if (rec.compromise) lines.push(...compromiseLines(rec.compromise, maxIds), '')
    if (!rec.verdicts.length) lines.push('No configuration completed in these results.')
    else lines.push('Closest first:')
    for (const v of rec.verdicts) {
      const met = v.needs.filter((n) => n.met).map((n) => n.need)
      lines.push(`  ${v.config} (${settingsText(v.settings)}): ${met.length ? `meets ${met.join(', ')}; ` : ''}fails ${v.needs.filter((n) => !n.met).map((n): string => n.need).concat(v.speed && !v.speed.met ? ['speed'] : []).join(', ')}`)
      for (const n of v.needs.filter((n) => !n.met)) lines.push(`    ${n.need}: ${failureText(n.failed, n.notMeasured, Math.min(maxIds, CLOSEST_IDS))}`)
      if (v.speed && !v.speed.met) lines.push(`    speed: ${v.speed.notMeasured ?? 'not measured'}`)
    }
    lines.push(...notConsideredLines(rec))
    return `${lines.join('\n')}\n`
  }
  const chosen = rec.chosen
  lines.push(
    `limafs recommend: ${chosen.config} (${settingsText(chosen.settings)}) meets ${needs}`,
    `Measured on: ${measuredOn} (${source})`,
    '',
    'Put this in lima.yaml:',
    '',
    limaYamlSnippet(chosen.settings).trimEnd(),
    '',
    'Why:',
  )
  for (const axis of rec.axes) {
    lines.push(`${axis.axis}: ${axis.chosen}  (order: ${axis.order})`)
    if (!axis.alternatives.length) lines.push('  - no other was measured')
    for (const alt of axis.alternatives) lines.push(`  - ${alt.value} (${alt.config}): ${alternativeText(alt, maxIds)}`)
  }
  lines.push(`Rests on (${chosen.config}):`)
  for (const n of chosen.needs) lines.push(`  ${n.need}: ${passText(n, maxIds)}`)
  if (chosen.speed?.score !== undefined) {
    const ratios = chosen.speed.ratios.filter((r) => chosen.speed!.workloads.includes(r.workload))
    lines.push(`  speed: ${ratioNumber(chosen.speed.score)}x tmpfs (geometric mean over ${chosen.speed.workloads.join(', ')}): ${ratios.map((r) => `${r.id} ${ratioNumber(r.ratio)}x`).join(', ')}`)
  }
  const unmeasured = chosen.needs.flatMap((n) => n.unmeasured)
  if (unmeasured.length) lines.push(`  not measured (skipped): ${idList(unmeasured, maxIds)}`)
  if (rec.caveats.length) {
    lines.push(`Caveats on ${chosen.config} (failing here, not required by these needs):`)
    for (const c of rec.caveats) lines.push(`  ${c.what}: ${idList(c.evidence, maxIds)}`)
  }
  lines.push(...notConsideredLines(rec))
  return `${lines.join('\n')}\n`
}

function compromiseLines({ verdict, givesUp }: NonNullable<Recommendation['compromise']>, maxIds: number): string[] {
  const kept = verdict.needs.filter((n) => n.met).map((n) => n.need)
  return [
    `Best compromise: ${verdict.config} (${settingsText(verdict.settings)}) keeps ${kept.join(', ')}; it gives up:`,
    ...givesUp.map((n) => `  ${n.need}: ${givesUpText(n, maxIds)}`),
    ...kept.map((need) => `  rests on (${need}): ${idList(verdict.needs.find((n) => n.need === need)!.passed, Math.min(maxIds, CLOSEST_IDS))}`),
    '',
    'If that is acceptable, this is its lima.yaml:',
    '',
    limaYamlSnippet(verdict.settings).trimEnd(),
  ]
}

/** "fails silently: a, b", "fails loud: c", "not measured: ...". */
export function givesUpText(n: NeedVerdict, maxIds: number): string {
  if (n.state === 'not-measured') return n.notMeasured ?? 'not measured'
  return `${n.state === 'fails-silently' ? 'fails silently' : 'fails loud'}: ${idList(n.failed, maxIds)}`
}

function alternativeText(alt: Alternative, maxIds: number): string {
  if (alt.verdict === 'ranked-lower') return 'meets the needs too; ranked lower in the order'
  if (alt.verdict === 'slower') return `meets the needs too; slower: ${ratioNumber(alt.score ?? 0)}x tmpfs`
  return alt.failed.map((f) => `fails ${f.need}: ${failureText(f.evidence, f.notMeasured, maxIds)}`).join('; ')
}

function failureText(failed: readonly Evidence[], notMeasured: string | undefined, maxIds: number): string {
  return failed.length ? idList(failed, maxIds) : (notMeasured ?? 'not measured')
}

function passText(n: NeedVerdict, maxIds: number): string {
  return `${n.passed.length} check${n.passed.length === 1 ? '' : 's'} pass: ${idList(n.passed, maxIds)}`
}

/** Ids with their outcome, the first maxIds of them, then "+N more". */
function idList(evidence: readonly Evidence[], maxIds: number): string {
  const shown = evidence.slice(0, maxIds).map(evidenceText)
  if (evidence.length > maxIds) shown.push(`+${evidence.length - maxIds} more (--json lists them all)`)
  return shown.join(', ')
}

/** `chown/call/file fail (loud EPERM)`, `coherence/host-edit-in-place/visible ok (at once)`. */
export function evidenceText(e: Evidence): string {
  if (e.status === 'ok' || e.todoPassed) {
    const when = e.atOnce ? ' (at once)' : e.latencyMs !== undefined ? ` (${Math.round(e.latencyMs)} ms)` : ''
    return `${e.id} ${e.todoPassed ? 'todo passes' : 'ok'}${when}`
  }
  if (e.status === 'skip') return `${e.id} skip${e.reason ? ` (${e.reason})` : ''}`
  if (e.status === 'crashed') return `${e.id} crashed`
  const detail = e.errno ?? (e.found === undefined ? '' : `: ${clip(valueText(e.found))}`)
  return `${e.id} ${e.status} (${e.class ?? 'silent'}${detail && !detail.startsWith(':') ? ' ' : ''}${detail})`
}

function notConsideredLines(rec: Recommendation): string[] {
  if (!rec.notConsidered.length) return []
  return ['Not considered (never recommended):', ...rec.notConsidered.map((c) => `  ${c.config} ${c.status}${c.error ? `: ${c.error}` : ''}`)]
}

function environmentLine(rec: Recommendation): string {
  const env = rec.environment
  const parts = [
    env.hostOs,
    env.limaVersion && `Lima ${env.limaVersion}`,
    env.qemuVersion && `QEMU ${env.qemuVersion}`,
    env.accelerator,
    env.guestKernel && `guest kernel ${env.guestKernel}`,
  ].filter((p): p is string => typeof p === 'string' && p !== '')
  return parts.join(' · ') || 'environment not recorded'
}

function ratioNumber(ratio: number): string {
  return ratio.toPrecision(2)
}

function clip(s: string): string {
  const line = s.replace(/\n/g, '\\n')
  return line.length > FOUND_CLIP ? `${line.slice(0, FOUND_CLIP - 1)}…` : line
}
