// `npm run bench:cli`: how fast the limafs CLI starts, beside the guest agent, as users start them.
//   node bin/limafs.js --help             this checkout's bundle                 target 150 ms
//   npx limafs --help                     the packed tarball installed in an empty dir (npx's own start included)
//   node_modules/.bin/limafs --help       the same install, without npx           target 150 ms
//   node dist/limafs-agent.mjs --help     the agent bundle, for comparison
// Median of 5 runs each, after one to warm the page cache. Prints figures; exits non-zero only
// when a step failed.
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { packAndInstall } from '../test/helpers/packed.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const RUNS = 5
const TARGET_MS = 150

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function startMs(command: string, args: string[], cwd: string): Promise<number> {
  const once = async () => {
    const started = performance.now()
    const r = await execa(command, args, { cwd, reject: false, stdin: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } })
    if (r.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.exitCode}: ${String(r.stderr).trim()}`)
    return performance.now() - started
  }
  await once()
  const runs: number[] = []
  for (let i = 0; i < RUNS; i++) runs.push(await once())
  return median(runs)
}

await execa(process.execPath, [join(ROOT, 'build.mjs')], { cwd: ROOT })
const installed = await packAndInstall()
try {
  const rows: Array<[string, number, number | undefined]> = [
    ['node bin/limafs.js --help (checkout)', await startMs(process.execPath, [join(ROOT, 'bin', 'limafs.js'), '--help'], ROOT), TARGET_MS],
    ['npx limafs --help (installed tarball)', await startMs('npx', ['--no-install', 'limafs', '--help'], installed.dir), undefined],
    ['node_modules/.bin/limafs --help (installed)', await startMs(join(installed.dir, 'node_modules', '.bin', 'limafs'), ['--help'], installed.dir), TARGET_MS],
    ['node dist/limafs-agent.mjs --help (agent)', await startMs(process.execPath, [join(ROOT, 'dist', 'limafs-agent.mjs'), '--help'], ROOT), TARGET_MS],
  ]
  process.stdout.write(`limafs start-up, median of ${RUNS} (Node ${process.version}):\n`)
  for (const [what, ms, target] of rows) {
    process.stdout.write(`  ${what.padEnd(46)} ${ms.toFixed(0).padStart(5)} ms${target ? `  (target ${target} ms: ${ms <= target ? 'met' : 'MISSED'})` : ''}\n`)
  }
} finally {
  rmSync(dirname(installed.tarball), { recursive: true, force: true })
}
