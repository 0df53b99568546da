// Known deviations for one configuration: the expect entries whose config glob matches it.
import { globMatch } from '../../agent/glob.ts'
import type { Matrix } from './types.ts'

/** The checks to report as TAP TODO on `configName`, with why; `check` stays a glob. */
export function todosFor(matrix: Pick<Matrix, 'expect'>, configName: string): Array<{ check: string; reason: string }> {
  return matrix.expect.filter((e) => globMatch(e.config, configName)).map(({ check, reason }) => ({ check, reason }))
}
