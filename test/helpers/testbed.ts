// Helpers of the testbed tests: golden files, the real cache (warm kernel, initramfs, keys), the
// CLI run as a user runs it, and what processes are still alive.
//
// Golden files live in test/fixtures/testbed/. After an intended change to the QEMU command line,
// accept the new one with
//   LIMAFS_UPDATE_GOLDEN=1 npx tap test/testbed/qemu-command.test.ts
// and review `git diff test/fixtures/testbed/` before keeping it.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import type { Test } from 'tap'
import { readEnvironment } from '../../cli/environment.ts'
import { buildBundles } from './agent-bundle.ts'

export const REPO = fileURLToPath(new URL('../../', import.meta.url))
export const FIXTURES = fileURLToPath(new URL('../fixtures/testbed/', import.meta.url))
export const CLI = join(REPO, 'bin', 'limafs.js')

/** Asserts that `text` is the golden file `name` (rewrites it first when LIMAFS_UPDATE_GOLDEN is set). */
export function matchGolden(t: Test, text: string, name: string): void {
  const file = join(FIXTURES, name)
  if (process.env.LIMAFS_UPDATE_GOLDEN) writeFileSync(file, text)
  t.equal(text, readFileSync(file, 'utf8'), `${name} matches its golden file (LIMAFS_UPDATE_GOLDEN=1 to accept a change)`)
}

/** The cache a user's `limafs testbed up` fills ($XDG_CACHE_HOME/limafs or ~/.cache/limafs). */
export const REAL_CACHE_DIR = readEnvironment().cacheDir

export interface CachedKernel {
  dir: string
  vmlinuz: string
  /** Present when the kernel could be unpacked for a PVH boot. */
  vmlinux?: string
  /** Every .ko under the kernel dir. */
  modules: string[]
}

function walk(dir: string, match: (name: string) => boolean, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) walk(path, match, out)
    else if (match(entry.name)) out.push(path)
  }
  return out
}

/** A kernel the testbed has already unpacked into the real cache, or undefined (then tests skip). */
export function cachedKernel(): CachedKernel | undefined {
  const root = join(REAL_CACHE_DIR, 'kernels')
  if (!existsSync(root)) return undefined
  for (const name of readdirSync(root).sort().reverse()) {
    const dir = join(root, name)
    if (!existsSync(join(dir, '.complete'))) continue
    const vmlinuz = walk(dir, (n) => n.startsWith('vmlinuz-'))[0]
    if (!vmlinuz) continue
    const vmlinux = join(dir, 'vmlinux')
    return { dir, vmlinuz, modules: walk(dir, (n) => n.endsWith('.ko')), ...(existsSync(vmlinux) ? { vmlinux } : {}) }
  }
  return undefined
}

export const NO_CACHED_KERNEL = `no unpacked kernel under ${REAL_CACHE_DIR}/kernels (run \`limafs testbed up\` once to fill the cache)`

export interface CliResult {
  exitCode: number | undefined
  stdout: string
  stderr: string
  seconds: number
}

/** Runs `limafs ARGS` the way a user does (node bin/limafs.js, its bundle built from the current sources), never throwing on a non-zero exit. */
export async function limafs(args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number; input?: string } = {}): Promise<CliResult> {
  await buildBundles()
  const started = Date.now()
  const result = await execa(process.execPath, [CLI, ...args], {
    cwd: REPO,
    reject: false,
    stripFinalNewline: false,
    timeout: options.timeoutMs ?? 180_000,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    ...(options.env ? { env: options.env } : {}),
  })
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr), seconds: (Date.now() - started) / 1000 }
}

export interface ProcessEntry {
  pid: number
  argv: string[]
}

/** Live processes whose command line mentions `text` (a run dir, a cache dir), this one excluded. */
export function processesMentioning(text: string): ProcessEntry[] {
  const found: ProcessEntry[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    let cmdline: string
    let stat: string
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'latin1')
      if (!cmdline.includes(text)) continue
      stat = readFileSync(`/proc/${name}/stat`, 'latin1')
    } catch {
      continue // gone meanwhile
    }
    // A zombie still shows up in /proc; only living processes count as left behind.
    if (/^\d+ \(.*\) Z /.test(stat)) continue
    found.push({ pid: Number(name), argv: cmdline.split('\0').filter(Boolean) })
  }
  return found
}

/** The QEMU and virtiofsd processes among them, as `pid argv0` lines (empty when none is left). */
export function qemuOrVirtiofsdMentioning(text: string): string[] {
  return processesMentioning(text)
    .filter((p) => /qemu-system|virtiofsd/.test(p.argv[0] ?? ''))
    .map((p) => `${p.pid} ${p.argv.join(' ').slice(0, 200)}`)
}
