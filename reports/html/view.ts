// What report.html shows, in the shape it shows it: one or more environments (a run, or the
// runs of a merge side by side), their configs as heat-map columns, every check id as a row.
import { suiteOf } from '../tap-checks.ts'
import type { ConfigResult, MergedResults, Results } from '../types.ts'

/** One run: a plain results.json has one, without a label; a merge has one per environment. */
export interface EnvView {
  label?: string
  source?: string
  run: Omit<Results, 'schema' | 'version'>
}

export interface Column {
  env: number
  config: ConfigResult
}

export interface RowGroup {
  suite: string
  ids: string[]
}

export function envViews(input: Results | MergedResults): EnvView[] {
  if (input.schema === 'limafs-merged-results') {
    return input.environments.map(({ label, source, ...run }) => ({ label, source, run }))
  }
  const { schema: _schema, version: _version, ...run } = input
  return [{ run }]
}

export function columnsOf(envs: readonly EnvView[]): Column[] {
  return envs.flatMap((env, i) => env.run.configs.map((config) => ({ env: i, config })))
}

/** Check ids grouped by suite: the matrices' suite order first, then as met; ids in the order first met. */
export function rowGroups(envs: readonly EnvView[]): RowGroup[] {
  const suites: string[] = []
  for (const env of envs) for (const s of env.run.matrix.suites) if (!suites.includes(s)) suites.push(s)
  const ids = new Map<string, string[]>()
  for (const env of envs) {
    for (const config of env.run.configs) {
      for (const check of config.checks) {
        const suite = suiteOf(check.id)
        if (!suites.includes(suite)) suites.push(suite)
        const list = ids.get(suite) ?? []
        if (!list.includes(check.id)) list.push(check.id)
        ids.set(suite, list)
      }
    }
  }
  return suites.filter((s) => ids.has(s)).map((suite) => ({ suite, ids: ids.get(suite)! }))
}
