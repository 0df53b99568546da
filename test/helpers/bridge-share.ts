// A share's host dir with a host bridge serving it, as the host-bridge tests use it: a real dir
// in the tmp dir (a real file system, real python3 helpers), a scratch dir made in it the way
// the guest makes one through the share (after the bridge began, owned by the share's user) and
// claimed, and a way to send requests as the agent would.
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import type { BridgeResponse } from '../../agent/host-bridge.ts'
import { BridgeServer } from '../../provision/host-bridge/server.ts'

export const MOUNT = '/mnt/limafs/x'
export const IS_ROOT = process.getuid?.() === 0
/** QEMU's user on the testbed: who a share is owned by when the tests run as root. */
export const SHARE_USER = { uid: 1000, gid: 1000 }

export interface BridgeShareOptions {
  /** Who owns the share and its scratch dir (root only); default: whoever runs the tests. */
  owner?: { uid: number; gid: number }
  /** The macOS way (no O_PATH) on Linux. */
  portable?: boolean
  /** Claim the scratch dir (default true). */
  claim?: boolean
  /** Puts things in the share before the bridge begins (they are the user's). */
  before?: (share: string, base: string) => void
}

export interface BridgeShare {
  /** A dir of its own holding the share, and room for things outside it. */
  base: string
  /** The share's host dir. */
  share: string
  scratchName: string
  /** Host path of the scratch dir. */
  scratch: string
  server: BridgeServer
  refusals: string[]
  notes: string[]
  /** Sends a request as the agent does; resolves with the parsed answer. */
  ask(verb: string, path: string, args?: Record<string, unknown>): Promise<BridgeResponse>
  /** Sends a request line as it is (the JSON after the marker); the raw answer line. */
  raw(json: string): Promise<string>
  /** Host path of a scratch-relative name. */
  at(rel: string): string
  close(): void
}

let ids = 1

export async function bridgeShare(t: Pick<Test, 'teardown'>, o: BridgeShareOptions = {}): Promise<BridgeShare> {
  const base = mkdtempSync(join(tmpdir(), 'limafs-bridge-'))
  // The helpers may run as another user: they must reach the share as QEMU's user does.
  chmodSync(base, 0o755)
  const share = join(base, 'share')
  mkdirSync(share, { mode: 0o755 })
  if (o.owner) chownSync(share, o.owner.uid, o.owner.gid)
  if (o.before) {
    o.before(share, base)
    // Born a few clock ticks before the scratch dir, as a user's files are (birth times are coarse).
    await new Promise((resolve) => setTimeout(resolve, 30))
  }
  const refusals: string[] = []
  const notes: string[] = []
  const server = new BridgeServer([{ mountPoint: MOUNT, hostDir: share }], { refused: (reason) => refusals.push(reason), note: (l) => notes.push(l) }, o.portable ? { portable: true } : {})
  const scratchName = `.limafs-${Math.random().toString(36).slice(2, 10).padEnd(8, 'x')}`
  const scratch = join(share, scratchName)
  mkdirSync(scratch, { mode: 0o755 })
  if (o.owner) chownSync(scratch, o.owner.uid, o.owner.gid)
  const raw = (json: string) => server.handle(json)
  const ask = async (verb: string, path: string, args?: Record<string, unknown>) => {
    const line = await raw(JSON.stringify({ id: ids++, verb, mount: MOUNT, path, ...(args ? { args } : {}) }))
    return JSON.parse(line) as BridgeResponse
  }
  const close = () => server.close()
  t.teardown(() => {
    close()
    rmSync(base, { recursive: true, force: true })
  })
  if (o.claim !== false) {
    const claimed = await ask('claim', scratchName)
    if (!claimed.ok) throw new Error(`the test's scratch dir was not claimed: ${claimed.error}`)
  }
  return { base, share, scratchName, scratch, server, refusals, notes, ask, raw, at: (rel) => join(scratch, rel), close }
}

/**
 * A verb's scratch guard on its own: aimed at a user's file in the share (outside the scratch
 * dir), or through a symlink in the scratch dir to a dir outside the share, it is refused and
 * nothing there changes.
 */
export async function expectGuarded(t: Test, s: BridgeShare, verb: string, request: (path: string) => Record<string, unknown> | undefined): Promise<void> {
  const outside = join(s.base, 'outside')
  mkdirSync(outside, { recursive: true })
  writeFileSync(join(outside, 'victim'), 'outside')
  writeFileSync(join(s.share, 'user-file'), 'mine')
  try {
    lstatSync(s.at('escape'))
  } catch {
    symlinkSync(outside, s.at('escape'))
  }
  const before = [statSync(join(outside, 'victim'), { bigint: true }), statSync(join(s.share, 'user-file'), { bigint: true })].map((st) => [st.mode, st.uid, st.size, st.mtimeNs, st.ctimeNs, st.nlink].join())
  const inShare = await s.ask(verb, 'user-file', request('user-file'))
  t.match(inShare, { ok: false, error: /^refused by the host: / }, `${verb}: a user's file in the share is refused`)
  const through = await s.ask(verb, `${s.scratchName}/escape/victim`, request(`${s.scratchName}/escape/victim`))
  t.match(through, { ok: false, error: /^ENOTDIR|^ELOOP/ }, `${verb}: a path through a symlink leading out is refused`)
  const after = [statSync(join(outside, 'victim'), { bigint: true }), statSync(join(s.share, 'user-file'), { bigint: true })].map((st) => [st.mode, st.uid, st.size, st.mtimeNs, st.ctimeNs, st.nlink].join())
  t.equal(after.join('|') + readFileSync(join(outside, 'victim'), 'utf8') + readFileSync(join(s.share, 'user-file'), 'utf8'), before.join('|') + 'outsidemine', `${verb}: nothing outside the scratch dir changed`)
}
