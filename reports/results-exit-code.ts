// The exit code a run's results call for (cli/main.ts's convention): 2 when the run or a config
// could not complete, else 1 when a check failed (TODO and SKIP do not count), else 0.
import type { Results } from './types.ts'

export function resultsExitCode(results: Results): 0 | 1 | 2 {
  if (!results.complete || results.configs.some((c) => c.status !== 'completed')) return 2
  return results.configs.some((c) => c.counts.fail > 0) ? 1 : 0
}
