// `npm run bench:agent`: what the guest agent costs, side by side with its targets.
//   bundle size     dist/limafs-agent.mjs, built fresh             target 1 MB (uploaded to every guest)
//   --help start    node + bundle load, median of 10               target 150 ms (under emulation it is ~10x)
//   full run        `run --allow-any-fs` on a local temp dir, median of 3   (no target: a local baseline)
// On this Node, and on Node 18 too when test/helpers/node18.ts has cached it (nothing downloaded).
// It prints figures and exits 0 even on a slow machine; non-zero only when a step failed.
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { DEFAULT_NODE18_CACHE, NODE18_VERSION, runnableByAll } from '../test/helpers/node18.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const BUNDLE = join(ROOT, 'dist', 'limafs-agent.mjs')
const HELP_RUNS = 10
const FULL_RUNS = 3
/** From the issue: the bundle is uploaded to every guest; the agent starts on every pass. */
const TARGET_KB = 1024
const TARGET_HELP_MS = 150

const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`)

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** Wall time of one agent command, in ms; throws when it fails. */
async function timed(node: string, args: string[]): Promise<number> {
  const started = performance.now()
  const r = await execa(node, [BUNDLE, ...args], { reject: false, stdin: 'ignore', timeout: 300_000 })
  const ms = performance.now() - started
  if (r.exitCode !== 0) throw new Error(`${node} limafs-agent ${args.join(' ')} exited ${r.exitCode}:\n${String(r.stderr).trim()}`)
  return ms
}

async function helpMs(node: string): Promise<number> {
  await timed(node, ['--help']) // warm the page cache: the figure is the start, not the disk
  const runs: number[] = []
  for (let i = 0; i < HELP_RUNS; i++) runs.push(await timed(node, ['--help']))
  return median(runs)
}

async function fullRunMs(node: string): Promise<number> {
  const runs: number[] = []
  for (let i = 0; i < FULL_RUNS; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'limafs-bench-'))
    chmodSync(dir, 0o755) // like a share's root: the ordinary user's checks reach their dir
    try {
      runs.push(await timed(node, ['run', '--mount', dir, '--allow-any-fs']))
      const left = readdirSync(dir)
      if (left.length) throw new Error(`the run left ${left.join(', ')} in ${dir}`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  return median(runs)
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  const line = (r: string[]) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | ')} |`
  return [line(rows[0]!), `|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.slice(1).map(line)].join('\n')
}

async function main(): Promise<void> {
  progress('building dist/limafs-agent.mjs')
  await execa(process.execPath, [join(ROOT, 'build.mjs')], { cwd: ROOT })
  const kb = statSync(BUNDLE).size / 1024

  const node18 = join(DEFAULT_NODE18_CACHE, `node-linux-${process.arch}-${NODE18_VERSION}`, 'bin', 'node')
  const nodes: Array<{ label: string; node: string }> = [{ label: `node ${process.version}`, node: process.execPath }]
  const linked = existsSync(node18) ? runnableByAll(node18) : undefined
  if (linked) nodes.push({ label: `node v${NODE18_VERSION}`, node: linked.node })
  else progress(`no cached Node ${NODE18_VERSION} (node --import tsx test/helpers/node18.ts fetches it): this Node only`)

  const help: string[] = []
  const full: string[] = []
  try {
    for (const { label, node } of nodes) {
      progress(`${label}: --help x${HELP_RUNS + 1}, full run x${FULL_RUNS}`)
      help.push(`${Math.round(await helpMs(node))} ms`)
      full.push(`${Math.round(await fullRunMs(node))} ms`)
    }
  } finally {
    linked?.remove()
  }
  const verdict = (ok: boolean) => (ok ? 'within' : 'OVER')
  const helpWorst = Math.max(...help.map((h) => Number.parseInt(h, 10)))
  const rows = [
    ['figure', ...nodes.map((n) => n.label), 'target', ''],
    ['bundle size', ...nodes.map(() => `${Math.round(kb)} KB`), `${TARGET_KB} KB`, verdict(kb <= TARGET_KB)],
    [`--help start (median of ${HELP_RUNS})`, ...help, `${TARGET_HELP_MS} ms`, verdict(helpWorst <= TARGET_HELP_MS)],
    [`full run, local dir (median of ${FULL_RUNS})`, ...full, '-', ''],
  ]
  process.stdout.write(`limafs agent benchmark: ${process.platform}/${process.arch}, ${process.getuid?.() === 0 ? 'root' : 'not root'}\n${table(rows)}\n`)
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:agent failed: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exitCode = 1
})
