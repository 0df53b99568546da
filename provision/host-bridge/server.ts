// The orchestrator's end of the host bridge: request lines (marked, on the agent's stderr) in,
// answer lines (on the agent's stdin) out. A request is any JSON the guest sends: it is checked
// at this boundary (zod: the envelope, then the verb's args; the path as text; its first
// component a scratch dir this run claimed on that share), refused with the reason otherwise
// (and logged), never thrown; what passes is carried out by a host helper (./helpers.ts) that
// resolves it beneath the held scratch dir without following any symlink. Answers say an
// errno and the request's relative path, never a host path.
import { readdirSync, statSync } from 'node:fs'
import { basename, dirname, posix, resolve } from 'node:path'
import { z } from 'zod'
import type { BridgeResponse } from '../../agent/host-bridge.ts'
import { SCRATCH_NAME } from '../../agent/worker/path-guard.ts'
import type { HelperAnswer } from './helper-process.ts'
import { HostHelpers, type HeldScratch } from './helpers.ts'
import { splitPath, type RequestPath } from './request-path.ts'
import { VERBS, type Owner, type VerbSpec } from './verbs/index.ts'

export interface BridgeShare {
  /** The guest path the agent names as `mount` (its --mount path). */
  mountPoint: string
  /** The host dir behind it. */
  hostDir: string
}

export interface BridgeLog {
  refused(reason: string, request: string): void
  /** The helpers' own news (one stopped, a traceback). */
  note?(line: string): void
}

export interface BridgeOptions {
  /** python3 to run the helpers with (default: python3 from PATH). */
  python?: string
  /** Take macOS's way (no O_PATH) on Linux too: for tests. */
  portable?: boolean
}

/** Before anything else: the shape of a request. */
const Envelope = z.object({
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  verb: z.string().min(1).max(64),
  mount: z.string().min(1).max(4096),
  path: z.string().max(4096),
  args: z.record(z.string(), z.unknown()).optional(),
}).strict()

type Reply = Omit<BridgeResponse, 'id'>

interface Share extends BridgeShare {
  index: number
  /** The owner of the share's host dir: claims (a look at a dir, no more) run with their rights. */
  owner: Owner
  /** The `.limafs-*` names that were there when the bridge began: never claimable. */
  preexisting: Set<string>
  /** Claimed scratch dirs by name (a claim being made is there already). */
  claims: Map<string, Promise<HeldScratch | Reply>>
}

const mountKey = (m: string) => posix.normalize(m).replace(/(.)\/+$/, '$1')

function ownerOf(dir: string): Owner {
  try {
    const { uid, gid } = statSync(dir)
    return { uid, gid }
  } catch {
    return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }
  }
}

function scratchNamesIn(dir: string): Set<string> {
  try {
    return new Set(readdirSync(dir).filter((n) => n.startsWith('.limafs-')))
  } catch {
    return new Set()
  }
}

/** The request's id when it has a usable one (to answer even a malformed request), else -1. */
function idOf(value: unknown): number {
  const id = value && typeof value === 'object' && !Array.isArray(value) ? (value as { id?: unknown }).id : undefined
  return Number.isSafeInteger(id) && (id as number) >= 0 ? (id as number) : -1
}

function issues(error: z.ZodError): string {
  return error.issues.slice(0, 2).map((i) => `${i.path.length ? i.path.join('.') : 'the request'}: ${i.message}`).join('; ')
}

const show = (v: unknown, max = 80) => JSON.stringify(v)?.slice(0, max) ?? String(v)

export class BridgeServer {
  /** Requests served and refused, for the run's log. */
  readonly stats = { served: 0, refused: 0 }
  private readonly shares = new Map<string, Share>()
  private readonly helpers: HostHelpers
  /** When the bridge began (ns since the epoch, less a second of slack): a claimed dir is younger. */
  private readonly since = (Date.now() - 1000) * 1e6

  constructor(shares: readonly BridgeShare[], private readonly log: BridgeLog, options: BridgeOptions = {}) {
    this.helpers = new HostHelpers({ ...options, log: (line) => log.note?.(line) })
    for (const [index, s] of shares.entries()) {
      const share: Share = { ...s, index, owner: ownerOf(s.hostDir), preexisting: scratchNamesIn(s.hostDir), claims: new Map() }
      this.shares.set(mountKey(s.mountPoint), share)
      // Started while the agent is put in place: the claims need them first, coherence's chown the root one.
      this.helpers.helper(share.owner, false).warm()
      if (this.helpers.isRoot) this.helpers.helper(share.owner, true).warm()
    }
  }

  /** Handles one request (the JSON after the marker); resolves with the answer line ('' for no answer). */
  async handle(json: string): Promise<string> {
    let parsed: unknown
    try {
      parsed = JSON.parse(json)
    } catch {
      this.refusal('not JSON', json)
      return ''
    }
    const reply = (r: Reply) => `${JSON.stringify({ id: idOf(parsed), ...r })}\n`
    const request = Envelope.safeParse(parsed)
    if (!request.success) return reply(this.refusal(`not a bridge request: ${issues(request.error)}`, json))
    const { verb: name, mount, path, args } = request.data
    const spec = Object.hasOwn(VERBS, name) ? VERBS[name]! : undefined
    if (!spec) return reply(this.refusal(`unknown verb ${show(name, 40)}`, json))
    const share = this.shares.get(mountKey(mount))
    if (!share) return reply(this.refusal(`no share of this run is mounted at ${show(mount)}`, json))
    const checked = spec.args.safeParse(args ?? {})
    if (!checked.success) return reply(this.refusal(`${name}: ${issues(checked.error)}`, json))
    const at = splitPath(path)
    if ('error' in at) return reply(this.refusal(`path ${show(path)} is ${at.error}`, json))
    if (name === 'claim') return reply(await this.claim(share, at, json))
    return reply(await this.act(name, spec, share, at, path, checked.data as Record<string, unknown>, json))
  }

  /**
   * Registers a scratch dir the orchestrator made itself on the host (a read-only share's, where
   * the guest can make none): `hostDir` is a `.limafs-XXXXXX` dir directly in the share's host dir.
   */
  async addScratch(mountPoint: string, hostDir: string): Promise<void> {
    const share = this.shares.get(mountKey(mountPoint))
    if (!share) throw new Error(`the host bridge serves no share at ${mountPoint}`)
    const name = basename(hostDir)
    if (resolve(dirname(hostDir)) !== resolve(share.hostDir) || !SCRATCH_NAME.test(name)) throw new Error(`${hostDir} is not a .limafs-XXXXXX dir directly in ${share.hostDir}`)
    const held = await this.hold(share, name, { trusted: true })
    if (!('key' in held)) throw new Error(`the host bridge could not hold ${hostDir}: ${held.error}`)
  }

  /** A request line too long to be read (only its first bytes were kept): refused, answered if they say its id. */
  refuseOverlong(prefix: string, bytes: number): string {
    this.refusal(`a request line of ${bytes} bytes (over the bound: dropped unread)`, prefix)
    const id = /^\s*\{\s*"id"\s*:\s*(\d{1,15})\s*[,}]/.exec(prefix)?.[1]
    return id === undefined ? '' : `${JSON.stringify({ id: Number(id), ok: false, error: `refused by the host: a request line of ${bytes} bytes is over the bound` })}\n`
  }

  /** Stops the helpers (they hold the scratch dirs' descriptors). */
  close(): void {
    this.helpers.close()
  }

  private async claim(share: Share, at: RequestPath, json: string): Promise<Reply> {
    const name = at.parts[0]!
    if (at.parts.length !== 1 || at.dir) return this.refusal(`a claim names one dir directly in the share, not ${show(at.parts.join('/'))}`, json)
    if (!SCRATCH_NAME.test(name)) return this.refusal(`${show(name)} is not a scratch dir name (.limafs-XXXXXX)`, json)
    const known = share.claims.get(name)
    if (known) {
      // The verify pass after a restart claims the same dir: the descriptor held since is used.
      const held = await known
      return 'key' in held ? { ok: true, value: { adopted: true } } : held
    }
    if (share.preexisting.has(name)) return this.refusal(`${name} was in the share before this run began: only a dir the run made can be claimed`, json)
    const held = await this.hold(share, name, { since: this.since })
    if ('key' in held) return { ok: true }
    if (/^refused by the host: /.test(held.error ?? '')) this.refusal(held.error!.replace(/^refused by the host: /, ''), json)
    return held
  }

  /** Has the owner's helper open and check the dir, and remembers it; a failure is forgotten. */
  private hold(share: Share, name: string, how: { since?: number; trusted?: boolean }): Promise<HeldScratch | Reply> {
    const key = `${share.index}:${name}`
    const helper = this.helpers.helper(share.owner, false)
    const held = this.helpers.claim(helper, { share: share.hostDir, name, key, ...how }).then((a): HeldScratch | Reply => {
      if (!a.ok) {
        share.claims.delete(name)
        return this.failure(a, name)
      }
      const { dev, ino, uid, gid } = a.value as { dev: string; ino: string; uid: number; gid: number }
      return { key, name, shareDir: share.hostDir, dev, ino, owner: { uid, gid } }
    })
    share.claims.set(name, held)
    return held
  }

  private async act(name: string, spec: VerbSpec<never>, share: Share, at: RequestPath, path: string, args: Record<string, unknown>, json: string): Promise<Reply> {
    const first = await this.claimed(share, at)
    if (!('key' in first)) return this.refusal(first.error, json)
    let to: { held: HeldScratch; at: RequestPath } | undefined
    if (spec.to) {
      const toAt = splitPath(String(args.to))
      if ('error' in toAt) return this.refusal(`${name}: to ${show(args.to)} is ${toAt.error}`, json)
      const held = await this.claimed(share, toAt)
      if (!('key' in held)) return this.refusal(`${name}: to: ${held.error}`, json)
      to = { held, at: toAt }
    }
    const asRoot = this.helpers.isRoot && !!spec.asRoot?.(args as never, first.owner)
    const helper = this.helpers.helper(first.owner, asRoot)
    const where = (h: HeldScratch, p: RequestPath) => ({ scratch: h.key, name: h.name, path: p.parts.slice(1), dir: p.dir })
    const { to: _to, ...rest } = args
    const body = {
      at: where(first, at),
      ...(to ? { to: where(to.held, to.at) } : {}),
      args: spec.toHelper ? spec.toHelper(args as never) : rest,
    }
    let answer = await this.helpers.call(helper, to ? [first, to.held] : [first], name, body)
    if (name === 'copy' && to) answer = await this.copyOwner(answer, to.held, to.at)
    if (!answer.ok) return answer.refused ? this.refusal(answer.refused, json) : this.failure(answer, path)
    this.stats.served++
    const value = spec.answer ? spec.answer(answer.value as never, path) : answer.value
    return value === undefined || value === null ? { ok: true } : { ok: true, value }
  }

  /** cp -p as root keeps the owner: the root helper chowns the very file the copy made. */
  private async copyOwner(answer: HelperAnswer, held: HeldScratch, at: RequestPath): Promise<HelperAnswer> {
    if (!answer.ok) return answer
    const v = answer.value as { ownerKept: boolean; owner: [number, number]; dst: [string, string] }
    let ownerKept = v.ownerKept
    if (!ownerKept && this.helpers.isRoot) {
      const chown = await this.helpers.call(this.helpers.helper(held.owner, true), [held], 'chown', {
        at: { scratch: held.key, name: held.name, path: at.parts.slice(1), dir: false },
        args: { uid: v.owner[0], gid: v.owner[1] },
        expect: v.dst,
      })
      ownerKept = chown.ok
    }
    return { ...answer, value: { ownerKept } }
  }

  /** The scratch dir a path starts with, if this run claimed it on that share. */
  private async claimed(share: Share, at: RequestPath): Promise<HeldScratch | { error: string }> {
    const name = at.parts[0]!
    const held = await share.claims.get(name)
    if (held && 'key' in held) {
      if (at.parts.length === 1 && at.dir) return { error: `${name}/ names the scratch dir itself` }
      return held
    }
    return { error: `${show(name)} is not a scratch dir this run claimed on this share: the bridge acts only inside those` }
  }

  private failure(a: HelperAnswer, path: string): Reply {
    if (a.refused) return { ok: false, error: `refused by the host: ${a.refused}` }
    return { ok: false, error: `${a.errno ?? 'EIO'}: ${a.where ?? path}${a.detail ? ` (${a.detail})` : ''}` }
  }

  private refusal(reason: string, request: string): Reply {
    this.stats.refused++
    // JSON.stringify: what the guest sent never reaches the log (a terminal) raw.
    this.log.refused(reason, JSON.stringify(request.slice(0, 200)))
    return { ok: false, error: `refused by the host: ${reason}` }
  }
}
