// results.json and run.json as written to disk: pretty JSON, schema name and version first.
import { RUN_SCHEMA, RUN_VERSION, type MergedResults, type Results, type RunRecord } from './types.ts'

export function resultsJson(results: Results): string {
  return `${JSON.stringify(results, null, 2)}\n`
}

/** run.json: the run record behind its header, so `limafs report` can tell it from other JSON. */
export function runJson(run: RunRecord): string {
  return `${JSON.stringify({ schema: RUN_SCHEMA, version: RUN_VERSION, ...run }, null, 2)}\n`
}

/** The results.json of `limafs report merge`: the merge as it is, schema name and version first. */
export function mergedResultsJson(merged: MergedResults): string {
  return `${JSON.stringify(merged, null, 2)}\n`
}
