// The results model: what a run found, per configuration and check. Written as results.json
// (a versioned schema) and read back by `limafs report`, `gate`, `recommend` and `report merge`.
// Logic-free: the schema that validates it lives in reports/results-schema.ts.
import type { Diagnostics, FailureClass } from '../agent/diagnostics.ts'

export const RESULTS_SCHEMA = 'limafs-results'
export const RESULTS_VERSION = 1

export type CheckStatus = 'ok' | 'fail' | 'todo' | 'skip' | 'crashed'

export interface CheckResult {
  /** Stable check id, e.g. "chown/after-remount/file". */
  id: string
  /** The suite the check belongs to (first segment of the id). */
  suite: string
  status: CheckStatus
  /** For status fail (and todo that failed): loud or silent. */
  class?: FailureClass
  /** SKIP or TODO reason. */
  reason?: string
  /** The agent's YAML diagnostics, host truth included, as it wrote them. */
  diagnostics?: Partial<Diagnostics> & Record<string, unknown>
  /** A TODO point that passed: the known deviation may be gone, time to drop its TODO entry. */
  todoPassed?: boolean
  /** The TAP ended inside this point's diagnostics (the config crashed): what is kept is partial. */
  cutOff?: boolean
}

/**
 * completed: the agent ran to the end on this config.
 * crashed: the guest died or ssh dropped while this config ran (its TAP is kept).
 * infra-failed: the share never mounted, or the agent could not start; not a test failure.
 */
export type ConfigStatus = 'completed' | 'crashed' | 'infra-failed'

export interface Counts {
  ok: number
  fail: number
  todo: number
  skip: number
  crashed: number
  /** Of fail: how many silent (call said OK, effect wrong or lost). */
  silent: number
  /** Of fail: how many loud. */
  loud: number
}

export interface ConfigResult {
  /** The matrix config name, e.g. "9p-mapped-xattr-mmap". */
  name: string
  /** The config as run (Lima vocabulary: mountType, writable, 9p settings). */
  config: Record<string, unknown>
  status: ConfigStatus
  /** Why the config crashed or failed its infrastructure. */
  error?: string
  counts: Counts
  checks: CheckResult[]
  /** TAP file(s) the results were read from, relative to the results dir. */
  tapFiles: string[]
}

export interface Phase {
  name: string
  seconds: number
}

export interface Environment {
  hostOs?: string
  backend?: string
  qemuVersion?: string
  qemuUid?: number
  accelerator?: string
  guestKernel?: string
  guestNode?: string
  limaVersion?: string
  /** Effective mount options per config, from the guest's /proc/self/mountinfo. */
  mountinfo?: Record<string, string>
  [key: string]: unknown
}

export interface Results {
  schema: typeof RESULTS_SCHEMA
  version: typeof RESULTS_VERSION
  startedAt: string
  finishedAt: string
  /** False when the run itself was cut short (Ctrl-C, a fatal infrastructure error). */
  complete: boolean
  /** The suites and configs that were asked for: two results are comparable when these match. */
  matrix: { suites: string[]; configs: string[]; file?: string }
  environment: Environment
  configs: ConfigResult[]
  phases: Phase[]
}

export const RUN_SCHEMA = 'limafs-run'
export const RUN_VERSION = 1

/** One configuration as the orchestrator saw it run; its checks come from its TAP files. */
export interface RunConfig {
  name: string
  config: Record<string, unknown>
  status: ConfigStatus
  /** Why the config crashed or failed its infrastructure. */
  error?: string
  /** TAP file(s) the agent wrote for this config, relative to the output dir (tap/<config>.tap). */
  tapFiles: string[]
}

/**
 * What the orchestrator knows apart from the TAP, saved as OUT/run.json (with RUN_SCHEMA and
 * RUN_VERSION in front): `limafs report OUT` rebuilds results.json from it and OUT/tap/*.tap.
 */
export interface RunRecord {
  startedAt: string
  finishedAt: string
  /** False when the run itself was cut short (Ctrl-C, a fatal infrastructure error). */
  complete: boolean
  matrix: Results['matrix']
  environment: Environment
  phases: Phase[]
  /** Every check id the selected suites can emit: a crashed config's missing ones become 'crashed'. */
  declaredChecks: string[]
  configs: RunConfig[]
}

export const MERGED_RESULTS_SCHEMA = 'limafs-merged-results'
export const MERGED_RESULTS_VERSION = 1

/**
 * One source of a merged result: a whole run's results (everything results.json has but its
 * schema header), under a label unique within the merge ("Darwin 24.5 · Lima 2.2.0 · QEMU 10.0").
 */
export interface MergedEnvironment extends Omit<Results, 'schema' | 'version'> {
  /** Unique within the merge: from the run's environment, or given with --label. */
  label: string
  /** The file it was read from, as given to `limafs report merge`. */
  source: string
}

/**
 * Several runs side by side (macOS versions, Lima or QEMU versions, hosts), written by `limafs
 * report merge` as its results.json. A schema of its own, so that nothing that reads one run
 * (`limafs gate`) takes it for one; `limafs report`, `recommend --env` and report.html read it.
 */
export interface MergedResults {
  schema: typeof MERGED_RESULTS_SCHEMA
  version: typeof MERGED_RESULTS_VERSION
  /** The results.json version of every source (a merge refuses to mix versions). */
  resultsVersion: typeof RESULTS_VERSION
  environments: MergedEnvironment[]
}
