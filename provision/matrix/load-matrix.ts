// Load -> check shape -> validate -> fill defaults, like Lima's Load/FillDefault/Validate: the only
// way to get a Matrix. Every problem in the file is collected and thrown at once as a MatrixError.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { fillDefaults } from './fill-defaults.ts'
import { MatrixError } from './matrix-error.ts'
import { readYaml } from './read-yaml.ts'
import { checkSchema } from './schema.ts'
import type { Matrix } from './types.ts'
import { validate } from './validate.ts'

/**
 * The matrix limafs ships and runs when given none: 16 9p configurations and virtiofs. Beside
 * this module in the sources; in the CLI bundle, dist/default-matrix.yaml (build.mjs copies it).
 */
export const DEFAULT_MATRIX_FILE = fileURLToPath(new URL('./default-matrix.yaml', import.meta.url))

/** Parses matrix text; `file` names it in problems and in the result. Pure. */
export function parseMatrix(text: string, file: string): Matrix {
  const source = readYaml(text, file)
  if (source.syntaxProblems.length) throw new MatrixError(file, source.syntaxProblems)
  const schema = checkSchema(source.value)
  const problems = [...schema.problems, ...validate(source.value)]
    .map(source.locate)
    .sort((a, b) => a.line - b.line || a.col - b.col)
  if (problems.length || !schema.input) throw new MatrixError(file, problems)
  return fillDefaults(schema.input, file)
}

/** Reads and parses a matrix file. */
export function loadMatrix(file: string): Matrix {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new MatrixError(file, [], { message: `cannot read the matrix file ${file}: ${(err as Error).message}`, cause: err })
  }
  return parseMatrix(text, file)
}

export function loadDefaultMatrix(): Matrix {
  return loadMatrix(DEFAULT_MATRIX_FILE)
}
