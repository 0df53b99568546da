// The only place the CLI reads process.env; everything below gets values passed in.
import { homedir } from 'node:os'
import { join } from 'node:path'

export interface CliEnvironment {
  cacheDir: string
  /** Parent of testbed instance dirs: /var/tmp/limafs-<uid> (on disk, traversable by QEMU's user). */
  instancesDir: string
  isCi: boolean
  githubStepSummary?: string
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): CliEnvironment {
  const cacheHome = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache')
  return {
    cacheDir: join(cacheHome, 'limafs'),
    instancesDir: `/var/tmp/limafs-${process.getuid?.() ?? 0}`,
    isCi: !!env.CI,
    ...(env.GITHUB_STEP_SUMMARY ? { githubStepSummary: env.GITHUB_STEP_SUMMARY } : {}),
  }
}
