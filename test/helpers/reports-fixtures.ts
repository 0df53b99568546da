// Fixtures and golden files of the reports/ tests.
//
// Golden files live in test/fixtures/reports/golden/. After an intended change to a report,
// accept the new output with
//   LIMAFS_UPDATE_GOLDEN=1 npx tap test/reports/*.test.ts
// and review `git diff test/fixtures/reports/golden/` before keeping it.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { buildResults } from '../../reports/build-results.ts'
import { parseResults, parseRunRecord } from '../../reports/results-schema.ts'
import type { Results, RunRecord } from '../../reports/types.ts'

export const FIXTURES = fileURLToPath(new URL('../fixtures/reports/', import.meta.url))
/** An output dir as a run leaves it: run.json and tap/<config>.tap. */
export const RUN_DIR = `${FIXTURES}run/`

/** Asserts that `text` is the golden file `name` (rewrites it first when LIMAFS_UPDATE_GOLDEN is set). */
export function matchGolden(t: Test, text: string, name: string): void {
  const file = `${FIXTURES}golden/${name}`
  if (process.env.LIMAFS_UPDATE_GOLDEN) writeFileSync(file, text)
  t.equal(text, readFileSync(file, 'utf8'), `${name} matches its golden file (LIMAFS_UPDATE_GOLDEN=1 to accept a change)`)
}

export function fixture(path: string): string {
  return readFileSync(`${FIXTURES}${path}`, 'utf8')
}

export function fixtureRun(): RunRecord {
  return parseRunRecord(fixture('run/run.json'), 'run/run.json')
}

/** The fixture run's TAP by its path in run.json; undefined when the file does not exist. */
export function fixtureTap(file: string): string | undefined {
  try {
    return readFileSync(`${RUN_DIR}${file}`, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** The results of the fixture run: 4 configs, one of each kind (completed x2, crashed, infra-failed). */
export function fixtureResults(): Results {
  return buildResults(fixtureRun(), fixtureTap)
}

/** Runs fn with process.stdout and process.stderr captured (a command module prints to them). */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<{ value: T; stdout: string; stderr: string }> {
  const { stdout, stderr } = process
  const out = { stdout: '', stderr: '' }
  const original = { stdout: stdout.write, stderr: stderr.write }
  stdout.write = ((chunk: string | Uint8Array) => ((out.stdout += chunk.toString()), true)) as typeof stdout.write
  stderr.write = ((chunk: string | Uint8Array) => ((out.stderr += chunk.toString()), true)) as typeof stderr.write
  try {
    return { value: await fn(), ...out }
  } finally {
    stdout.write = original.stdout
    stderr.write = original.stderr
  }
}

/** A results.json fixture (coherence/results.json, run2/results.json, bench/results.json), read as `limafs` reads one. */
export function resultsFixture(path: string): Results {
  return parseResults(fixture(path), path)
}
