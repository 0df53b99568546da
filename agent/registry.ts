// Every suite the agent knows, in the order they run.
import type { SuiteSpec } from './check-api.ts'
import chown from '../suites/chown/index.ts'

export const SUITES: readonly SuiteSpec[] = [chown]

export function suiteNames(): string[] {
  return SUITES.map((s) => s.name)
}
