// `limafs matrix print`: the matrix with every default filled in, so users see what will run.
import { UsageError } from '../provision/errors.ts'
import { formatMatrix } from '../provision/matrix/print-matrix.ts'
import { loadDefaultMatrix, loadMatrix } from '../provision/matrix/load-matrix.ts'
import { parse } from './args.ts'
import type { CliEnvironment } from './environment.ts'

export const MATRIX_USAGE = `Usage: limafs matrix print [--matrix FILE] [--json]

The matrix says which share configurations to test (9p security model x cache mode, virtiofs,
reverse-sshfs; writable or not; mountInotify),
with which suites, and which known deviations to report as TODO. It is YAML in Lima's own
vocabulary; settings left out get Lima's defaults.

Commands:
  print              print the matrix with every default filled in; the output is itself a
                     valid matrix file. A file with problems prints every one as
                     FILE:LINE:COL: key.path: message, and exits 64.

Options:
  --matrix FILE      the matrix to read (default: the built-in one, 16 9p configurations,
                     virtiofs, reverse-sshfs, mountInotify and read-only ones:
                     provision/matrix/default-matrix.yaml, a commented example to copy)
  --json             print JSON instead of YAML (same keys)
  -h, --help         this help`

const options = {
  matrix: { type: 'string' },
  json: { type: 'boolean' },
} as const

export interface MatrixCommandIo {
  /** Where the printed matrix goes (default: stdout). */
  write(text: string): void
}

const stdoutIo: MatrixCommandIo = { write: (text) => void process.stdout.write(text) }

export async function matrixCommand(argv: string[], _env: CliEnvironment, io: MatrixCommandIo = stdoutIo): Promise<number> {
  const { values, positionals } = parse(argv, options, MATRIX_USAGE)
  const [sub, ...extra] = positionals
  if (values.help || !sub) {
    io.write(`${MATRIX_USAGE}\n`)
    return values.help ? 0 : 64
  }
  if (sub !== 'print') throw new UsageError(`unknown matrix command ${JSON.stringify(sub)}\n\n${MATRIX_USAGE}`)
  if (extra.length) throw new UsageError(`matrix print takes no arguments, got ${extra.map((a) => JSON.stringify(a)).join(' ')}\n\n${MATRIX_USAGE}`)
  const matrix = values.matrix === undefined ? loadDefaultMatrix() : loadMatrix(values.matrix)
  io.write(formatMatrix(matrix, { format: values.json ? 'json' : 'yaml' }))
  return 0
}
