// Types of the matrix: which configurations to test, with which suites, where, and which
// deviations are known. Logic-free; the loader (load-matrix.ts) is the only way to make one.
import type { ShareConfig } from '../types.ts'

/** Where the shares come from: the built-in QEMU testbed, a Lima instance, or a host over ssh. */
export const BACKENDS = ['testbed', 'lima', 'ssh'] as const
export type Backend = (typeof BACKENDS)[number]

/** Every suite the agent knows. `bench` measures speed rather than conformance. */
export const KNOWN_SUITES = ['chown', 'symlink', 'xattr', 'modes', 'times', 'host-side', 'locks', 'open-files', 'space', 'names', 'dirs', 'read-only', 'coherence', 'migrate', 'bench'] as const
export type SuiteName = (typeof KNOWN_SUITES)[number]

/** A known deviation: checks matching `check` on configurations matching `config` report TAP TODO. */
export interface Expectation {
  /** Glob over check ids (`*` any run of characters, `/` included; `?` one character). */
  check: string
  /** Glob over configuration names. */
  config: string
  reason: string
}

/** The matrix, every default filled in. */
export interface Matrix {
  /** The file it was read from, when it was read from one. */
  file?: string
  backend: Backend
  configs: ShareConfig[]
  suites: string[]
  expect: Expectation[]
}

/** One thing wrong with a matrix file, where it is. line and col are 1-based. */
export interface MatrixProblem {
  file: string
  line: number
  col: number
  /** Key path such as `configs[3].9p.cache`; empty for the document itself (and YAML syntax errors). */
  path: string
  message: string
}

/** A path into the document: map keys and list indexes, e.g. ['configs', 3, '9p', 'cache']. */
export type KeyPath = ReadonlyArray<string | number>

/** A problem known by its key path only, before read-yaml.ts gives it a line and column. */
export interface PathProblem {
  path: KeyPath
  message: string
  /** Point at the key (`cachee:`) rather than its value; for problems about the key itself. */
  at?: 'key' | 'value'
}
