// The manifest `limafs migrate --apply` writes before it changes anything: every change with
// the path's state before and after, so `--undo MANIFEST` can put each back (and tell a path
// someone changed since from one it may restore). Validated once, here, when read back.
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { z } from 'zod'
import { UsageError } from '../errors.ts'
import { MIGRATE_MODELS } from './guest-view.ts'
import type { Change } from './plan.ts'

export const MANIFEST_SCHEMA = 'limafs-migrate-manifest'

const state = z.object({
  type: z.enum(['file', 'dir', 'symlink', 'fifo', 'socket', 'char', 'block', 'other']),
  perm: z.string().regex(/^[0-7]{4}$/),
  uid: z.number().int().nonnegative(),
  gid: z.number().int().nonnegative(),
  virtfs: z.record(z.string(), z.string().regex(/^[0-9a-f]*$/)),
  content: z.string().regex(/^[0-9a-f]*$/).optional(),
  target: z.string().optional(),
  ino: z.number().optional(),
}).strict()

const manifestSchema = z.object({
  schema: z.literal(MANIFEST_SCHEMA),
  version: z.literal(1),
  dir: z.string().startsWith('/'),
  from: z.enum(MIGRATE_MODELS),
  to: z.enum(MIGRATE_MODELS),
  createdAt: z.string(),
  changes: z.array(z.object({ path: z.string().min(1).refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'a path inside the dir'), before: state.nullable(), after: state.nullable(), what: z.string() }).strict()),
}).strict()

export type Manifest = z.infer<typeof manifestSchema>

/** Writes the manifest whole or not at all (a temp file renamed over it). */
export function writeManifest(file: string, m: Omit<Manifest, 'schema' | 'version'> & { changes: Change[] }): void {
  const tmp = `${file}.tmp-${process.pid}`
  writeFileSync(tmp, `${JSON.stringify({ schema: MANIFEST_SCHEMA, version: 1, ...m }, null, 2)}\n`)
  renameSync(tmp, file)
}

export function readManifest(file: string): Manifest {
  let data: unknown
  try {
    data = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new UsageError(`${file}: not a manifest of limafs migrate (${(err as Error).message})`)
  }
  const parsed = manifestSchema.safeParse(data)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new UsageError(`${file}: ${issue.path.join('.') || 'the file'}: ${issue.message} (a manifest written by limafs migrate --apply, schema ${MANIFEST_SCHEMA} version 1)`)
  }
  return parsed.data
}
