// The matrix: a YAML file in Lima's vocabulary -> a typed Matrix, defaults filled, every problem reported.
export { DEFAULT_BACKEND, DEFAULT_SUITES } from './fill-defaults.ts'
export { globMatch } from '../../agent/glob.ts'
export { DEFAULT_MATRIX_FILE, loadDefaultMatrix, loadMatrix, parseMatrix } from './load-matrix.ts'
export { formatProblem, MatrixError } from './matrix-error.ts'
export { formatMatrix, matrixDocument } from './print-matrix.ts'
export { todosFor } from './todos-for.ts'
export { BACKENDS, KNOWN_SUITES, type Backend, type Expectation, type Matrix, type MatrixProblem, type SuiteName } from './types.ts'
