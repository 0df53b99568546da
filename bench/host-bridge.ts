// `npm run bench:bridge`: what the host bridge costs, on this host's tmp dir.
//   start + claim    a new BridgeServer's first answer (python3 helper started), median of 5
//   coherence burst  17 shares x 22 requests at once, as the coherence suite fires them
//                    (write, append, truncate, replace, chmod, touch, mkdir, rename, unlink, read,
//                    look...), through the same channel as a run, median of 5
//   look             one look (stat, xattrs, .virtfs_metadata), median of 200
// It prints figures and exits 0 even on a slow machine; non-zero only when a request failed.
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BridgeServer } from '../provision/host-bridge/server.ts'

const SHARES = 17
const RUNS = 5

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`)

let id = 1
async function ask(server: BridgeServer, mount: string, verb: string, path: string, args?: Record<string, unknown>) {
  const answer = JSON.parse(await server.handle(JSON.stringify({ id: id++, verb, mount, path, ...(args ? { args } : {}) }))) as { ok: boolean; error?: string }
  if (!answer.ok) throw new Error(`${verb} ${path}: ${answer.error}`)
  return answer
}

/** SHARES share dirs, each with a scratch dir made after the bridge began; claimed. */
async function setup(base: string) {
  const shares = Array.from({ length: SHARES }, (_, i) => ({ mountPoint: `/mnt/limafs/s${i}`, hostDir: join(base, `s${i}`) }))
  for (const s of shares) mkdirSync(s.hostDir)
  const t0 = performance.now()
  const server = new BridgeServer(shares, { refused: (r) => progress(`refused: ${r}`) })
  const scratch = '.limafs-bench00'
  for (const s of shares) mkdirSync(join(s.hostDir, scratch))
  await ask(server, shares[0]!.mountPoint, 'claim', scratch)
  const firstMs = performance.now() - t0
  for (const s of shares.slice(1)) await ask(server, s.mountPoint, 'claim', scratch)
  return { server, shares, scratch, firstMs }
}

/** One coherence-like burst: every share's host events at once (set up, then fired). */
async function burst(server: BridgeServer, shares: Array<{ mountPoint: string }>, scratch: string, round: number): Promise<number> {
  const t0 = performance.now()
  await Promise.all(shares.map(async (s) => {
    const d = `${scratch}/r${round}`
    await ask(server, s.mountPoint, 'mkdir', d)
    const f = (n: string) => `${d}/${n}`
    const v1 = 'limafs-coherence-v1-aaaaaaaaaaaa\n'
    await Promise.all(['edit', 'append', 'truncate', 'replace', 'delete', 'rename', 'chmod', 'touch'].map((n) => ask(server, s.mountPoint, 'write', f(n), { content: v1 })))
    await ask(server, s.mountPoint, 'mkdir', f('readdir'))
    await Promise.all([
      ask(server, s.mountPoint, 'write', f('edit'), { content: v1.toUpperCase() }),
      ask(server, s.mountPoint, 'append', f('append'), { content: 'appended\n' }),
      ask(server, s.mountPoint, 'truncate', f('truncate'), { size: 8 }),
      ask(server, s.mountPoint, 'replace', f('replace'), { content: v1 }),
      ask(server, s.mountPoint, 'write', f('create'), { content: v1 }),
      ask(server, s.mountPoint, 'unlink', f('delete')),
      ask(server, s.mountPoint, 'rename', f('rename'), { to: f('renamed') }),
      ask(server, s.mountPoint, 'chmod', f('chmod'), { mode: 0o600 }),
      ask(server, s.mountPoint, 'touch', f('touch')),
      ask(server, s.mountPoint, 'write', f('readdir/new-entry'), { content: v1 }),
      ask(server, s.mountPoint, 'read', f('edit')),
      ask(server, s.mountPoint, 'look', f('chmod')),
    ])
  }))
  return performance.now() - t0
}

const base = mkdtempSync(join(tmpdir(), 'limafs-bench-bridge-'))
chmodSync(base, 0o755)
try {
  const starts: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const dir = join(base, `start${i}`)
    mkdirSync(dir)
    const { server, firstMs } = await setup(dir)
    starts.push(firstMs)
    server.close()
  }
  mkdirSync(join(base, 'main'))
  const { server, shares, scratch } = await setup(join(base, 'main'))
  const bursts: number[] = []
  for (let r = 0; r < RUNS; r++) bursts.push(await burst(server, shares, scratch, r))
  const looks: number[] = []
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now()
    await ask(server, shares[0]!.mountPoint, 'look', `${scratch}/r0/chmod`)
    looks.push(performance.now() - t0)
  }
  server.close()
  const requests = SHARES * 22
  console.log(`start + claim      ${median(starts).toFixed(0)} ms (median of ${RUNS})`)
  console.log(`coherence burst    ${median(bursts).toFixed(0)} ms for ${requests} requests (${((median(bursts) / requests) * 1000).toFixed(0)} us each; median of ${RUNS})`)
  console.log(`look               ${median(looks).toFixed(2)} ms (median of ${looks.length})`)
} finally {
  rmSync(base, { recursive: true, force: true })
}
