// Every suite the agent knows, in the order they run.
import type { SuiteSpec } from './check-api.ts'
import chown from '../suites/chown/index.ts'
import modes from '../suites/modes/index.ts'
import symlink from '../suites/symlink/index.ts'
import xattr from '../suites/xattr/index.ts'

export const SUITES: readonly SuiteSpec[] = [chown, symlink, xattr, modes]

export function suiteNames(): string[] {
  return SUITES.map((s) => s.name)
}
