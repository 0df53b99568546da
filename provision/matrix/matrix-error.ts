// The matrix boundary's one error class: a UsageError (exit 64) listing every problem, one per
// line, as `FILE:LINE:COL: keypath: message` (the form editors and CI annotations understand).
import { UsageError } from '../errors.ts'
import type { MatrixProblem } from './types.ts'

export class MatrixError extends UsageError {
  override name = 'MatrixError'
  constructor(
    readonly file: string,
    readonly problems: readonly MatrixProblem[],
    options: { message?: string; cause?: unknown } = {},
  ) {
    super(options.message ?? problems.map(formatProblem).join('\n'), options.cause === undefined ? {} : { cause: options.cause })
  }
}

function formatProblem(p: MatrixProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.path ? `${p.path}: ` : ''}${p.message}`
}
