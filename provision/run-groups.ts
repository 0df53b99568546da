// `limafs run` over a backend that needs more than one guest (Lima: one instance per mount
// type; ssh: shares with and without a host dir): runs the matrix on each guest in turn (never
// two at once), then merges their run records into one, as if one guest had carried them all.
// A guest that does not come up fails only its own configurations (infra-failed, with the
// reason); the others still run. With one group this is runMatrix itself.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { unmetNeed } from '../agent/suite-run.ts'
import type { RunRecord } from '../reports/types.ts'
import type { GuestGroup } from './backend.ts'
import { InfraError } from './errors.ts'
import { matrixRecord, runMatrix, type RunMatrixOptions, type RunProgress } from './run-matrix.ts'

/** The agent's own SKIP reason for a host-side check when it runs without the host bridge. */
export const AGENT_NO_BRIDGE_REASON = unmetNeed(['host'], {
  isRoot: true, user: { uid: 0, gid: 0 }, other: { uid: 0, gid: 0 }, xattr: 'python3', acl: true, python3: true, bridge: false, remount: true,
})!

/** A TAP text with the agent's no-bridge SKIP reason replaced by the backend's own (pure). */
export function relabelNoBridgeSkips(tap: string, reason: string): string {
  return tap.split(`# SKIP ${AGENT_NO_BRIDGE_REASON}`).join(`# SKIP ${reason.replace(/[\r\n]+/g, ' ')}`)
}

export function groupsOf(o: Pick<RunMatrixOptions, 'backend' | 'matrix'>): GuestGroup[] {
  return o.backend.groups?.(o.matrix.configs) ?? [{ label: o.backend.name, configs: [...o.matrix.configs] }]
}

export async function runGroups(o: RunMatrixOptions): Promise<RunRecord> {
  const groups = groupsOf(o)
  if (groups.length === 1 && !groups[0]!.noHostReason) return runMatrix(o)
  const many = groups.length > 1
  const done: Array<{ group: GuestGroup; record: RunRecord }> = []
  for (const [index, group] of groups.entries()) {
    const prefix = many ? `${group.label} ` : ''
    const onProgress = (e: RunProgress) => o.onProgress(e.type === 'phase' ? { ...e, name: `${prefix}${e.name}` } : e)
    if (o.signal.aborted) {
      done.push({ group, record: notRunRecord(o, group, 'not run: interrupted') })
      continue
    }
    if (many) o.onProgress({ type: 'log', line: `guest ${index + 1}/${groups.length} (${group.label}): ${group.configs.map((c) => c.name).join(', ')}` })
    try {
      const record = await runMatrix({ ...o, matrix: { ...o.matrix, configs: group.configs }, onProgress, hostBridge: !group.noHostReason })
      if (group.noHostReason) relabelTapFiles(o.outDir, record, group.noHostReason)
      done.push({ group, record })
    } catch (err) {
      // runMatrix throws an InfraError only when its guest never came up (what ran is kept otherwise).
      if (!(err instanceof InfraError) || !many) throw err
      const error = `the ${group.label} guest did not come up: ${err.message}${err.details.hint ? ` (what to do: ${err.details.hint})` : ''}`
      for (const c of group.configs) o.onProgress({ type: 'config-infra-failed', config: c.name, error })
      done.push({ group, record: notRunRecord(o, group, error) })
    }
  }
  return mergeRecords(o, done, many)
}

function relabelTapFiles(outDir: string, record: RunRecord, reason: string): void {
  for (const file of record.configs.flatMap((c) => c.tapFiles)) {
    const path = join(outDir, file)
    if (existsSync(path)) writeFileSync(path, relabelNoBridgeSkips(readFileSync(path, 'utf8'), reason))
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const disjoint = (keys: string[][]) => new Set(keys.flat()).size === keys.flat().length

function notRunRecord(o: Pick<RunMatrixOptions, 'backend'>, group: GuestGroup, error: string): RunRecord {
  const now = new Date().toISOString()
  return {
    startedAt: now, finishedAt: now, complete: true,
    matrix: { suites: [], configs: group.configs.map((c) => c.name) },
    environment: { backend: o.backend.name },
    phases: [], declaredChecks: [],
    configs: group.configs.map((c) => ({ name: c.name, config: { ...c }, status: 'infra-failed', error, tapFiles: [] })),
  }
}

/**
 * One record for the whole matrix. Environment: what every guest agrees on stays as it is; a
 * value that differs is "label: value; label: value" (strings), one map (maps over different
 * keys: per-config ones such as mountinfo), or left to `guests`, which keeps every guest's own.
 */
export function mergeRecords(o: Pick<RunMatrixOptions, 'matrix' | 'suites' | 'declaredChecks'>, done: ReadonlyArray<{ group: GuestGroup; record: RunRecord }>, prefixPhases: boolean): RunRecord {
  const byName = new Map(done.flatMap(({ record }) => record.configs.map((c) => [c.name, c] as const)))
  const envs = done.filter(({ record }) => Object.keys(record.environment).length > 1).map(({ group, record }) => ({ label: group.label, env: record.environment }))
  const environment: RunRecord['environment'] = {}
  const keys = [...new Set(envs.flatMap(({ env }) => Object.keys(env)))].filter((k) => k !== 'mountinfo')
  for (const key of keys) {
    const values = envs.filter(({ env }) => env[key] !== undefined).map(({ label, env }) => ({ label, value: env[key] }))
    const same = values.every((v) => JSON.stringify(v.value) === JSON.stringify(values[0]!.value))
    if (same && values.length) environment[key] = values[0]!.value
    else if (values.every((v) => typeof v.value === 'string')) environment[key] = values.map((v) => `${v.label}: ${String(v.value)}`).join('; ')
    else if (values.every((v) => isPlainObject(v.value)) && disjoint(values.map((v) => Object.keys(v.value as object)))) environment[key] = Object.assign({}, ...values.map((v) => v.value))
  }
  const mountinfo = Object.assign({}, ...envs.map(({ env }) => env.mountinfo ?? {})) as Record<string, string>
  if (Object.keys(mountinfo).length) environment.mountinfo = mountinfo
  if (envs.length > 1) environment.guests = Object.fromEntries(envs.map(({ label, env }) => [label, Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'mountinfo'))]))
  return {
    startedAt: done[0]?.record.startedAt ?? new Date().toISOString(),
    finishedAt: done.at(-1)?.record.finishedAt ?? new Date().toISOString(),
    complete: done.every(({ record }) => record.complete),
    matrix: matrixRecord(o),
    environment,
    phases: done.flatMap(({ group, record }) => record.phases.map((p) => ({ name: prefixPhases ? `${group.label} ${p.name}` : p.name, seconds: p.seconds }))),
    declaredChecks: o.declaredChecks,
    configs: o.matrix.configs.map((c) => byName.get(c.name) ?? { name: c.name, config: { ...c }, status: 'infra-failed' as const, error: 'not run', tapFiles: [] }),
  }
}
