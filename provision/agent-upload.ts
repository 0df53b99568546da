// Putting the agent into a guest: check the guest's Node (the bundle needs >= 18), then copy
// the one-file bundle (and the run's known-deviation list) into the guest's /tmp over SFTP.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { InfraError } from './errors.ts'
import type { SshConnection } from './ssh.ts'

export const MIN_GUEST_NODE_MAJOR = 18

export interface UploadedAgent {
  /** Guest path of the bundle. */
  path: string
  /** The guest's `node --version`. */
  nodeVersion: string
}

/** Major version from `node --version` output ("v18.19.1" -> 18). */
export function nodeMajor(version: string): number | undefined {
  const m = /^v(\d+)\./.exec(version.trim())
  return m ? Number(m[1]) : undefined
}

async function checkGuestNode(ssh: SshConnection): Promise<string> {
  const result = await ssh.exec('node --version', { timeoutMs: 60_000 })
  const version = result.stdout.trim()
  const major = nodeMajor(version)
  if (result.code !== 0 || major === undefined) {
    throw new InfraError(`the guest has no usable node (\`node --version\` said: ${(result.stderr || result.stdout).trim() || `exit ${result.code}`})`, {
      hint: `install Node >= ${MIN_GUEST_NODE_MAJOR} in the guest (e.g. apt-get install nodejs on Ubuntu 24.04+)`,
    })
  }
  if (major < MIN_GUEST_NODE_MAJOR) {
    throw new InfraError(`the guest's node is ${version}; the limafs agent needs Node >= ${MIN_GUEST_NODE_MAJOR}`, {
      hint: 'install a newer Node in the guest (Ubuntu 22.04 ships 12.22: use 24.04 or later, or a Node binary)',
    })
  }
  return version
}

/** Puts the bundle in the guest's /tmp; checks the guest's node unless it is already known (the same guest booted again). */
export async function uploadAgent(ssh: SshConnection, bundlePath: string, knownNodeVersion?: string): Promise<UploadedAgent> {
  const nodeVersion = knownNodeVersion ?? (await checkGuestNode(ssh))
  const bundle = readFileSync(bundlePath)
  const path = `/tmp/limafs-agent-${createHash('sha256').update(bundle).digest('hex').slice(0, 12)}.mjs`
  await ssh.upload(bundle, path, 0o644)
  return { path, nodeVersion }
}

/** Writes a small text file into the guest (the known deviations for --todo-file). */
export async function uploadText(ssh: SshConnection, text: string, path: string): Promise<string> {
  await ssh.upload(Buffer.from(text), path, 0o644)
  return path
}
