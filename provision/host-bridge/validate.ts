// Which host-bridge requests the orchestrator will carry out. The agent (in the guest) asks the
// host to act and to look, but only inside the host dir of the share it names: absolute
// paths, `..`, oversized payloads and unknown verbs are refused (and logged), never executed.
// Pure: a request and the shares in, a host path or a refusal out. Symlinks leading out are
// checked where the file system is (serve.ts).
import { isAbsolute, join, normalize } from 'node:path'
import type { BridgeRequest } from '../../agent/host-bridge.ts'

/** Verbs and the arguments each takes. */
const BRIDGE_VERBS = {
  look: [],
  read: [],
  write: ['content'],
  append: ['content'],
  replace: ['content'],
  truncate: ['size'],
  symlink: ['target'],
  mkdir: [],
  unlink: [],
  rename: ['to'],
  chmod: ['mode'],
  chown: ['uid', 'gid'],
  touch: [],
} as const satisfies Record<string, readonly string[]>

export type BridgeVerb = keyof typeof BRIDGE_VERBS

/** Largest payload (file content) a request may carry. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024
/** Longest relative path a request may name. */
const MAX_PATH_LENGTH = 4096

export interface ShareDirs {
  /** guest mount point -> host dir */
  hostDirFor(mountPoint: string): string | undefined
}

export type Validated =
  | { ok: true; verb: BridgeVerb; hostDir: string; hostPath: string; args: Record<string, unknown>; to?: string }
  | { ok: false; reason: string }

/** A path relative to a share: not absolute, no `..`, not empty, not too long. */
function insidePath(rel: unknown): string | undefined {
  if (typeof rel !== 'string' || !rel || rel.length > MAX_PATH_LENGTH || rel.includes('\0')) return undefined
  if (isAbsolute(rel)) return undefined
  const parts = rel.split('/')
  if (parts.some((p) => p === '..')) return undefined
  const n = normalize(rel)
  return n === '.' ? undefined : n
}

export function validateRequest(request: unknown, shares: ShareDirs): Validated {
  const r = request as Partial<BridgeRequest> | null
  if (!r || typeof r !== 'object' || typeof r.verb !== 'string') return { ok: false, reason: 'not a bridge request' }
  if (!Object.hasOwn(BRIDGE_VERBS, r.verb)) return { ok: false, reason: `unknown verb ${JSON.stringify(r.verb).slice(0, 40)}` }
  const verb = r.verb as BridgeVerb
  const hostDir = typeof r.mount === 'string' ? shares.hostDirFor(r.mount) : undefined
  if (!hostDir) return { ok: false, reason: `no share is mounted at ${JSON.stringify(r.mount)}` }
  const rel = insidePath(r.path)
  if (!rel) return { ok: false, reason: `path ${JSON.stringify(r.path)?.slice(0, 80)} is not a relative path inside the share` }
  const args = (r.args ?? {}) as Record<string, unknown>
  for (const name of BRIDGE_VERBS[verb]) if (!(name in args)) return { ok: false, reason: `${verb} needs ${name}` }
  if ('content' in args && (typeof args.content !== 'string' || Buffer.byteLength(args.content) > MAX_PAYLOAD_BYTES)) {
    return { ok: false, reason: `content must be a string of at most ${MAX_PAYLOAD_BYTES} bytes` }
  }
  for (const n of ['size', 'mode', 'uid', 'gid', 'mtime'] as const) {
    if (n in args && (!Number.isInteger(args[n]) || (args[n] as number) < 0)) return { ok: false, reason: `${n} must be a non-negative integer` }
  }
  if (verb === 'symlink') {
    // The link's target, read from the link's own dir, must stay in the share too.
    const target = args.target
    const linkDir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : ''
    if (typeof target !== 'string' || isAbsolute(target) || !insidePath(join(linkDir || '.', target))) return { ok: false, reason: `symlink target ${JSON.stringify(target)} leads out of the share` }
  }
  let to: string | undefined
  if (verb === 'rename') {
    const dest = insidePath(args.to)
    if (!dest) return { ok: false, reason: `rename destination ${JSON.stringify(args.to)} is not inside the share` }
    to = join(hostDir, dest)
  }
  return { ok: true, verb, hostDir, hostPath: join(hostDir, rel), args, ...(to ? { to } : {}) }
}
