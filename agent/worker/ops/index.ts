// The file system operations a check can ask for, by name, as pjdfstest names them: one table
// made of the op families (a file each). Each runs inside a worker process and returns
// {ok, value} or {ok: false, errno NAME}. Paths are guarded first: `assertNoFollow` = inside
// the scratch dir (last component not followed), `assertFollow` = and where symlinks lead too.
import { normalizeErrno } from '../../errno-names.ts'
import { OutsideScratch } from '../path-guard.ts'
import type { OpResult } from '../protocol.ts'
import { benchAppOps } from './bench-apps.ts'
import { benchWorkload } from './bench-workload.ts'
import { childOps } from './children.ts'
import { contentOps } from './content.ts'
import { createOps } from './create.ts'
import { descriptorOps } from './descriptors.ts'
import { dirHoldOps } from './dir-hold.ts'
import { dirOps } from './dirs.ts'
import { lockOps } from './locks.ts'
import { lookOps } from './look.ts'
import { mmapOps } from './mmap.ts'
import { nameOps } from './names.ts'
import { objectsOps } from './objects.ts'
import type { OpEnv, OpFamily } from './op-env.ts'
import { openFileOps } from './open-files.ts'
import { ownershipOps } from './ownership.ts'
import { scratchOps } from './scratch.ts'
import { shareOps } from './share.ts'
import { timesOps } from './times.ts'
import { treeOps } from './tree.ts'
import { spaceOps } from './space.ts'
import { watchOps } from './watch.ts'
import { xattrOps } from './xattr.ts'

export type { OpEnv } from './op-env.ts'

const FAMILIES: readonly OpFamily[] = [
  createOps, ownershipOps, lookOps, contentOps, xattrOps, descriptorOps, dirHoldOps, watchOps, mmapOps, objectsOps, shareOps, scratchOps, timesOps, treeOps,
  lockOps, openFileOps, spaceOps, childOps, nameOps, dirOps,
  // the bench suite: one workload in a dir, each call timed here (see bench-workload.ts, bench-apps.ts)
  { 'bench-workload': ({ guard, special }, args) => benchWorkload(guard, special, args) },
  benchAppOps,
]

/** Every op by name; a name two families both claim is a bug, caught at load. */
const OPS: OpFamily = {}
for (const family of FAMILIES) {
  for (const [name, op] of Object.entries(family)) {
    if (Object.hasOwn(OPS, name)) throw new Error(`op ${name} is defined twice`)
    OPS[name] = op
  }
}

export const OP_NAMES: readonly string[] = Object.keys(OPS)

export async function runOp(env: OpEnv, op: string, args: unknown[]): Promise<OpResult> {
  const fn = Object.hasOwn(OPS, op) ? OPS[op] : undefined
  if (!fn) return { ok: false, errno: 'EBADOP', message: `unknown op ${op}` }
  try {
    const value = await fn(env, args)
    // Ops that delegate (helpers, commands) already return an OpResult.
    if (value && typeof value === 'object' && 'ok' in value) return value as OpResult
    return value === undefined ? { ok: true } : { ok: true, value }
  } catch (err) {
    if (err instanceof OutsideScratch) return { ok: false, errno: err.errno, message: err.message }
    const e = err as NodeJS.ErrnoException
    return { ok: false, errno: normalizeErrno(e.code ?? 'EUNKNOWN'), message: e.message }
  }
}
