// The results model of a run: the orchestrator's run record plus the checks in each config's TAP.
import { countChecks } from './counts.ts'
import { ResultsFileError } from './results-file-error.ts'
import { checksFromTap, suiteOf, worseOf } from './tap-checks.ts'
import { RESULTS_SCHEMA, RESULTS_VERSION, type CheckResult, type ConfigResult, type Results, type RunConfig, type RunRecord } from './types.ts'

/**
 * Results of a run. `tapText` gives a TAP file's text by its path relative to the output dir, or
 * undefined when it does not exist: a crashed config may have died before writing any.
 */
export function buildResults(run: RunRecord, tapText: (file: string) => string | undefined): Results {
  return {
    schema: RESULTS_SCHEMA,
    version: RESULTS_VERSION,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    complete: run.complete,
    matrix: run.matrix,
    environment: run.environment,
    configs: run.configs.map((config) => configResult(config, run.declaredChecks, tapText)),
    phases: run.phases,
  }
}

function configResult(run: RunConfig, declaredChecks: readonly string[], tapText: (file: string) => string | undefined): ConfigResult {
  const checks = run.status === 'infra-failed' ? [] : checksOf(run, declaredChecks, tapText)
  return {
    name: run.name,
    config: run.config,
    status: run.status,
    ...(run.error === undefined ? {} : { error: run.error }),
    counts: countChecks(checks),
    checks,
    tapFiles: run.tapFiles,
  }
}

function checksOf(run: RunConfig, declaredChecks: readonly string[], tapText: (file: string) => string | undefined): CheckResult[] {
  const crashed = run.status === 'crashed'
  const byId = new Map<string, CheckResult>()
  for (const file of run.tapFiles) {
    const text = tapText(file)
    if (text === undefined) {
      if (crashed) continue
      throw new ResultsFileError(`${file} is missing: run.json lists it as the TAP of config ${run.name}, which completed`, file)
    }
    for (const check of checksFromTap(text, { crashed })) {
      const seen = byId.get(check.id)
      byId.set(check.id, seen ? worseOf(seen, check) : check)
    }
  }
  if (crashed) {
    for (const id of declaredChecks) {
      if (!byId.has(id)) byId.set(id, { id, suite: suiteOf(id), status: 'crashed' })
    }
  }
  return [...byId.values()]
}
