// The host side of `limafs migrate`: the dir read and changed through python3 running the same
// tree ops as the guest agent (agent/worker/python/tree.ts): every path reached through
// directory descriptors opened with O_NOFOLLOW from the dir's own, so nothing follows a
// symlink out of it. Node has no xattr calls; python3 has them (Linux hosts).
import { platform } from 'node:os'
import { pythonProgram } from '../../agent/worker/python/program.ts'
import { treePy } from '../../agent/worker/python/tree.ts'
import { normalizeErrno } from '../../agent/errno-names.ts'
import { InfraError } from '../errors.ts'
import { run } from '../process.ts'
import { isMapped, metadataFiles, symlinkFiles, type MigrateModel, type Snapshot } from './guest-view.ts'
import type { Step } from './transition.ts'

const PROGRAM = pythonProgram([treePy])
/** A big tree on a slow disk: looking at it may take a while. */
const HELPER_TIMEOUT_MS = 10 * 60_000

/** One request to a fresh helper; its value, or an InfraError saying what failed. */
async function call(op: string, args: unknown[]): Promise<unknown> {
  if (platform() !== 'linux') {
    throw new InfraError(`limafs migrate runs on Linux hosts for now: it reads and writes xattrs through python3's os.*xattr, which ${platform()} lacks`, {
      hint: 'convert the dir on a Linux host, or stop the VM and copy the tree through a guest of the new model',
    })
  }
  const r = await run('python3', ['-c', PROGRAM], { input: `${JSON.stringify({ op, args })}\n`, timeoutMs: HELPER_TIMEOUT_MS })
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'))
  if (!line) throw new InfraError(`python3 did not answer ${op}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').at(-1)}` : ` (exit ${r.exitCode})`}`, { hint: 'limafs migrate needs python3 (3.7 or later) on the host' })
  const answer = JSON.parse(line) as { ok: boolean; value?: unknown; errno?: string; message?: string }
  if (!answer.ok) throw new InfraError(`${op} failed: ${normalizeErrno(answer.errno ?? 'EIO')} ${answer.message ?? ''}`.trim())
  return answer.value
}

/** One tree-look of dir: entries with all their xattrs, content of the files named. */
async function look(dir: string, content: readonly string[]): Promise<Snapshot> {
  const [tree] = (await call('tree-look', [[[dir, { xattrs: '*', content }]]])) as Array<Snapshot | { errno: string }>
  if (!tree || 'errno' in tree) throw new InfraError(`cannot read ${dir}: ${normalizeErrno(String((tree as { errno?: string })?.errno ?? 'EIO'))}`)
  return tree
}

/**
 * The dir as a model shows it needs reading: every entry, its xattrs, and the content of the
 * files that hold metadata (mapped-file) or a symlink's target (the mapped models), plus `more`.
 */
export async function snapshotOf(dir: string, model: MigrateModel, more: readonly string[] = []): Promise<Snapshot> {
  let snapshot = await look(dir, more)
  if (!isMapped(model)) return snapshot
  // The metadata first (which files are symlinks is in it), then the symlinks' targets.
  for (let round = 0; round < 2; round++) {
    const wanted = [...new Set([...more, ...metadataFiles(snapshot, model), ...symlinkFiles(snapshot, model)])]
    if (wanted.every((rel) => typeof snapshot[rel]?.content === 'string')) break
    snapshot = await look(dir, wanted)
  }
  return snapshot
}

/** Runs the steps in order, stopping at the first that fails; each step's errno name, null when done, NOTRUN after a failure. */
export async function runSteps(dir: string, steps: readonly Step[]): Promise<Array<string | null>> {
  const [results] = (await call('tree-make', [[[dir, steps, { stop: true }]]])) as Array<Array<string | null> | { errno: string }>
  if (!results || !Array.isArray(results)) throw new InfraError(`cannot change ${dir}: ${normalizeErrno(String((results as { errno?: string })?.errno ?? 'EIO'))}`)
  return results.map((r) => (r === null || r === 'NOTRUN' ? r : normalizeErrno(r)))
}
