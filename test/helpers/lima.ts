// Helpers of the Lima and ssh backend tests: golden files in test/fixtures/lima/, and the
// limactl STAND-IN (test/lima-standin/) put first on PATH for a run.
//
// After an intended change to a generated lima.yaml, accept the new one with
//   LIMAFS_UPDATE_GOLDEN=1 npx tap test/lima/lima-yaml.test.ts
// and review `git diff test/fixtures/lima/` before keeping it.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'

export const LIMA_FIXTURES = fileURLToPath(new URL('../fixtures/lima/', import.meta.url))
export const STANDIN_DIR = fileURLToPath(new URL('../lima-standin/', import.meta.url))

export function matchLimaGolden(t: Test, text: string, name: string): void {
  const file = join(LIMA_FIXTURES, name)
  if (process.env.LIMAFS_UPDATE_GOLDEN) writeFileSync(file, text)
  t.equal(text, readFileSync(file, 'utf8'), `${name} matches its golden file (LIMAFS_UPDATE_GOLDEN=1 to accept a change)`)
}

/** An environment whose `limactl` is the stand-in, with its own LIMA_HOME. */
export function standinEnv(limaHome: string): Record<string, string> {
  return { ...(process.env as Record<string, string>), LIMA_HOME: limaHome, PATH: `${STANDIN_DIR.replace(/\/$/, '')}:${process.env.PATH ?? ''}` }
}
