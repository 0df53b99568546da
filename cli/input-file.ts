// Reading a file the user named: a missing or unreadable one is a UsageError (exit 64) that
// names the file and says what was expected there.
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { UsageError } from '../provision/errors.ts'
import { RESULTS_FILE } from './output-files.ts'

/** The text of `file`; `what` says what it should be ("the run record of a limafs run"). */
export async function readInputFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    throw new UsageError(`${file}: ${reason(err)} (expected ${what})`)
  }
}

/** Whether `path` is a directory; false when it does not exist. */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false
    throw new UsageError(`${path}: ${reason(err)}`)
  }
}

export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined
}

function reason(err: unknown): string {
  switch (errorCode(err)) {
    case 'ENOENT':
      return 'no such file'
    case 'EISDIR':
      return 'is a directory, not a file'
    case 'EACCES':
      return 'permission denied'
    default:
      return err instanceof Error ? err.message : String(err)
  }
}

/** A results.json named by the user: the file itself, or the one in the output dir named. */
export async function resultsPathOf(path: string): Promise<string> {
  return (await isDirectory(path)) ? join(path, RESULTS_FILE) : path
}
