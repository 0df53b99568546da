// The verdicts a heat-map cell can show, each with a colour from the Okabe-Ito palette (told
// apart with every common colour-vision deficiency) AND a glyph, so no verdict is told by colour
// alone, on screen or on a black-and-white printout. Whether the matrix expected it (a known
// deviation, TAP TODO) is a separate mark on top (KNOWN_MARK): the verdict stays what it is.
import type { CheckResult } from '../types.ts'
import { isKnown, verdictOf } from '../verdicts.ts'

export const CELL_STATES = ['ok', 'loud', 'silent', 'skip', 'crashed', 'none'] as const
export type CellState = (typeof CELL_STATES)[number]

export interface StateStyle {
  label: string
  glyph: string
  background: string
  foreground: string
  description: string
}

/** Okabe & Ito (2008): bluish green, yellow, vermillion; black for a crash; white/grey for nothing measured. */
export const STATE_STYLES: Record<CellState, StateStyle> = {
  ok: { label: 'ok', glyph: '✓', background: '#009E73', foreground: '#000000', description: 'the call and its effect are as POSIX wants' },
  loud: { label: 'fails loud', glyph: '✗', background: '#F0E442', foreground: '#000000', description: 'the call returned an error the user sees' },
  silent: { label: 'fails silently', glyph: '!', background: '#D55E00', foreground: '#000000', description: 'the call said OK but the effect was wrong or lost: the dangerous kind' },
  skip: { label: 'skip', glyph: '–', background: '#FFFFFF', foreground: '#000000', description: 'not measured here (the details say why)' },
  crashed: { label: 'crashed', glyph: '↯', background: '#000000', foreground: '#FFFFFF', description: 'not run: the guest died or ssh dropped while this config ran' },
  none: { label: 'not run', glyph: '', background: '#E8E8E8', foreground: '#000000', description: 'no such check in this config (another suite, or the config never started)' },
}

/** The mark of a known deviation, over its verdict's colour: white stripes and a black corner. */
export const KNOWN_MARK = {
  label: 'known deviation',
  description: 'the matrix expects this (TODO, with its reason): CI does not fail on it, but the verdict under the stripes is what the share did',
}

export function cellState(check: CheckResult | undefined): CellState {
  return check ? verdictOf(check) : 'none'
}

/** The cell's classes: its verdict, and `known` for a known deviation. */
export function cellClasses(check: CheckResult | undefined): string {
  return `s-${cellState(check)}${check && isKnown(check) ? ' known' : ''}`
}

/** "fails silently", "fails loud (known deviation)", "ok (known deviation: passes now)". */
export function cellStateText(check: CheckResult): string {
  const label = STATE_STYLES[cellState(check)].label
  if (!isKnown(check)) return label
  return `${label} (known deviation${check.todoPassed ? ': passes now' : ''})`
}
