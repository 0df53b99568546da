// The states a heat-map cell can be in, each with a colour from the Okabe-Ito palette (told
// apart with every common colour-vision deficiency) AND a glyph, so no state is told by colour
// alone, on screen or on a black-and-white printout.
import type { CheckResult } from '../types.ts'

export const CELL_STATES = ['ok', 'loud', 'silent', 'todo', 'skip', 'crashed', 'none'] as const
export type CellState = (typeof CELL_STATES)[number]

export interface StateStyle {
  label: string
  glyph: string
  background: string
  foreground: string
  description: string
}

/** Okabe & Ito (2008): bluish green, yellow, vermillion, sky blue; black for a crash; white/grey for nothing measured. */
export const STATE_STYLES: Record<CellState, StateStyle> = {
  ok: { label: 'ok', glyph: '✓', background: '#009E73', foreground: '#000000', description: 'the call and its effect are as POSIX wants' },
  loud: { label: 'loud fail', glyph: '✗', background: '#F0E442', foreground: '#000000', description: 'the call returned an error the user sees' },
  silent: { label: 'silent fail', glyph: '!', background: '#D55E00', foreground: '#000000', description: 'the call said OK but the effect was wrong or lost: the dangerous kind' },
  todo: { label: 'todo', glyph: 'T', background: '#56B4E9', foreground: '#000000', description: 'a known deviation of this config (the matrix says why); its verdict is in the details' },
  skip: { label: 'skip', glyph: '–', background: '#FFFFFF', foreground: '#000000', description: 'not measured here (the details say why)' },
  crashed: { label: 'crashed', glyph: '↯', background: '#000000', foreground: '#FFFFFF', description: 'not run: the guest died or ssh dropped while this config ran' },
  none: { label: 'not run', glyph: '', background: '#E8E8E8', foreground: '#000000', description: 'no such check in this config (another suite, or the config never started)' },
}

export function cellState(check: CheckResult | undefined): CellState {
  if (!check) return 'none'
  if (check.status === 'fail') return check.class ?? 'silent'
  return check.status
}
