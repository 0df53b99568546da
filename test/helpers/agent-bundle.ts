// The bundled guest agent, as the tests run it: built once per test process from the current
// sources (with the CLI's bundle: build.mjs builds both), run as a plain
// `node dist/limafs-agent.mjs ...`, its TAP read back with tap-parser.
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa, type Options } from 'execa'
import { Parser, type Result } from 'tap-parser'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const AGENT_BUNDLE = join(ROOT, 'dist', 'limafs-agent.mjs')

let built: Promise<unknown> | undefined

/** Builds dist/ (the agent's and the CLI's bundles) from the sources, once per process. */
export async function buildBundles(): Promise<void> {
  built ??= execa(process.execPath, [join(ROOT, 'build.mjs')], { cwd: ROOT })
  await built
}

/** Builds dist/limafs-agent.mjs from the sources (once per process) and returns its path. */
export async function agentBundle(): Promise<string> {
  await buildBundles()
  return AGENT_BUNDLE
}

export interface AgentResult {
  exitCode: number | undefined
  signal: string | undefined
  stdout: string
  stderr: string
  durationMs: number
}

export type AgentOptions = Omit<Options, 'node'> & {
  /** Another node binary (Node 18) than the one running the tests. */
  nodeBinary?: string
  /** Another copy of the bundle (see bundleCopy). */
  bundle?: string
}

/**
 * Starts a bundle (agentBundle() or a bundleCopy()) with `node`; the caller awaits or signals
 * the subprocess. Not async on purpose: awaiting it would wait for the end of the run.
 */
export function startAgent(bundle: string, args: string[], options: Omit<AgentOptions, 'bundle'> = {}) {
  const { nodeBinary = process.execPath, ...rest } = options
  // The agent runs as on a guest: without the NODE_OPTIONS tap's process-info hook puts into
  // every child (it loads tap code into the agent and its workers, and fails on Node 18).
  // env(1) execs node, so the subprocess's pid is the agent's.
  return execa('env', ['-u', 'NODE_OPTIONS', nodeBinary, bundle, ...args], { reject: false, stdin: 'ignore', timeout: 120_000, ...rest })
}

/** Runs the bundle to its end and never throws on a non-zero exit. */
export async function runAgent(args: string[], options: AgentOptions = {}): Promise<AgentResult> {
  const { bundle, ...rest } = options
  const script = bundle ?? (await agentBundle())
  const started = Date.now()
  const r = await startAgent(script, args, rest)
  return {
    exitCode: r.exitCode,
    signal: r.signal,
    stdout: String(r.stdout),
    stderr: String(r.stderr),
    durationMs: Date.now() - started,
  }
}

/** One leaf point of a TAP document, at any depth. */
export interface Leaf {
  name: string
  fullname: string
  ok: boolean
  skip: string | false
  todo: string | false
  diag: Record<string, unknown> | null
}

export interface ParsedTap {
  leaves: Leaf[]
  parseErrors: unknown[]
  bailout: string | false
  ok: boolean
}

/** Every leaf point (subtests' own closing points left out) and what tap-parser complained about. */
export function parseTap(text: string): ParsedTap {
  const leaves: Leaf[] = []
  const parseErrors: unknown[] = []
  const parser = new Parser()
  let bailout: string | false = false
  let ok = false
  parser.on('result', (r: Result) => {
    if (r.closingTestPoint) return
    leaves.push({
      name: r.name,
      fullname: r.fullname,
      ok: r.ok,
      skip: typeof r.skip === 'string' ? r.skip : r.skip ? '' : false,
      todo: typeof r.todo === 'string' ? r.todo : r.todo ? '' : false,
      diag: (r.diag as Record<string, unknown> | null) ?? null,
    })
  })
  parser.on('parseError', (e: unknown) => parseErrors.push(e))
  parser.on('bailout', (reason: string) => (bailout = reason ?? ''))
  parser.on('complete', (results: { ok: boolean }) => (ok = results.ok))
  parser.end(text)
  return { leaves, parseErrors, bailout, ok }
}

/** Counts of plain ok (no directive), not ok (no directive), skip and todo leaves. */
export function countLeaves(leaves: readonly Leaf[]): { ok: number; notOk: number; skip: number; todo: number } {
  const c = { ok: 0, notOk: 0, skip: 0, todo: 0 }
  for (const l of leaves) {
    if (l.skip !== false) c.skip++
    else if (l.todo !== false) c.todo++
    else if (l.ok) c.ok++
    else c.notOk++
  }
  return c
}

/**
 * A fresh directory under the system temp dir (its real path), removed when the test ends.
 * Mode 0755 like a share's root, so the guest's ordinary user can reach the agent's dirs in it.
 */
export function tempDir(t: { teardown(fn: () => void): void }, prefix = 'limafs-test-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)))
  chmodSync(dir, 0o755)
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The entries of dir whose name the agent gives its scratch dirs. */
export const SCRATCH_PREFIX = '.limafs-'

/**
 * A copy of the bundle at a path of its own (a 0755 dir any user can read): the agent forks its
 * workers from its own path, so their command lines name this copy and nothing else.
 */
export async function bundleCopy(t: { teardown(fn: () => void): void }): Promise<string> {
  const dir = tempDir(t, 'limafs-bundle-')
  const copy = join(dir, 'limafs-agent.mjs')
  copyFileSync(await agentBundle(), copy)
  chmodSync(copy, 0o755)
  return copy
}

/** Pids of live (not zombie) processes whose command line contains text. */
export function processesWith(text: string): number[] {
  const pids: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ')
      const state = readFileSync(`/proc/${name}/stat`, 'utf8').replace(/^.*\) /, '')[0]
      if (cmdline.includes(text) && state !== 'Z') pids.push(Number(name))
    } catch {
      // gone while we looked: not alive
    }
  }
  return pids
}

/** Whether a pid is a live process (a zombie counts as gone). */
export function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0] !== 'Z'
  } catch {
    return false
  }
}

/** Polls until cond() holds or timeoutMs passes; returns whether it held. */
export async function waitFor(cond: () => boolean, timeoutMs: number, everyMs = 10): Promise<boolean> {
  const end = Date.now() + timeoutMs
  for (;;) {
    if (cond()) return true
    if (Date.now() > end) return false
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** Ids and titles the agent declares (`list --json`). */
export interface ListedCheck {
  id: string
  suite: string
  title: string
  needs: string[]
}

export async function listedChecks(options: Parameters<typeof runAgent>[1] = {}): Promise<ListedCheck[]> {
  const r = await runAgent(['list', '--json'], options)
  if (r.exitCode !== 0) throw new Error(`list --json exited ${r.exitCode}: ${r.stderr}`)
  return JSON.parse(r.stdout) as ListedCheck[]
}
