// The host's own changes to what the guest made, as people make them: an editor saving in place
// or atomically, `git checkout` deleting and recreating, mv, ln, chmod, chown, cp -p, rm -rf.
// Each case is one object the guest made and set metadata on, one change the host makes, and
// what a local file system would then show: the same object keeps what the guest set; an
// object the host made carries the host's owner and none of the guest's metadata.
import type { HostSide } from '../../agent/check-api.ts'
import type { HostTruth } from '../../agent/diagnostics.ts'
import { hostMadeView, withoutSpecialBits, type GuestView } from './view.ts'

export const HOST_TEXT = 'written on the host\n'
/** The uid:gid the host chowns to (limafs as root only): neither the guest's nor the share's. */
export const HOST_OTHER = { uid: 4321, gid: 8765 }
/** The mode the host sets with chmod. */
export const HOST_MODE = 0o640

export type ObjectKind = 'file' | 'dir' | 'symlink'

export interface HostCase {
  name: string
  object: ObjectKind
  title: string
  /** The mode the guest sets (default: setuid+setgid for a file, setgid for a dir). */
  mode?: number
  /** Where the guest makes the object in the suite's dir (default NAME-OBJECT). */
  path?: (dir: string) => string
  /** The host's change; says where the object (or the host's new one) is afterwards. */
  act(host: HostSide, path: string, elsewhere: string): Promise<{ ok: boolean; error?: string; at: string }>
  /** True when the host's change leaves an object the host made at `at` (judged against the host's truth, security findings possible). */
  hostMade?: boolean
  /** What the guest should see at `at`: from what it saw before (and the host's truth, for an object the host made). */
  wanted(before: GuestView, host: HostTruth | undefined): Partial<GuestView>
  /** The guest reads the content (the host wrote it). */
  content?: boolean
}

const ok = async (r: Promise<{ ok: boolean; error?: string }>, at: string) => ({ ...(await r), at })
/** Several host steps in order; the first failure ends them. */
async function steps(at: string, ...run: Array<() => Promise<{ ok: boolean; error?: string }>>) {
  for (const step of run) {
    const r = await step()
    if (!r.ok) return { ...r, at }
  }
  return { ok: true, at }
}
const kept = (before: GuestView): Partial<GuestView> => before
const madeByHost = (_before: GuestView, host: HostTruth | undefined) => ({ ...(host ? hostMadeView(host) : {}) })

export const CASES: HostCase[] = [
  {
    name: 'edit', object: 'file', mode: 0o751, content: true,
    title: 'the host edits the guest\'s file in place (same inode): owner, group, mode and xattr stay, the content is the host\'s',
    act: (h, p) => ok(h.act('write', p, { content: HOST_TEXT }), p),
    wanted: (before) => ({ ...before, content: HOST_TEXT }),
  },
  {
    name: 'replace', object: 'file', content: true, hostMade: true,
    title: 'the host saves over the guest\'s file atomically (a new file renamed over it): the host\'s owner and mode, no guest xattr',
    act: (h, p) => ok(h.act('replace', p, { content: HOST_TEXT }), p),
    wanted: (before, host) => ({ ...madeByHost(before, host), content: HOST_TEXT }),
  },
  {
    name: 'recreate', object: 'file', content: true, hostMade: true,
    title: 'the host deletes the guest\'s file and makes a new one with the same name (git checkout): the host\'s owner and mode, no guest xattr',
    act: (h, p) => steps(p, () => h.act('unlink', p), () => h.act('write', p, { content: HOST_TEXT })),
    wanted: (before, host) => ({ ...madeByHost(before, host), content: HOST_TEXT }),
  },
  {
    name: 'recreate', object: 'symlink', content: true, hostMade: true,
    title: 'the host deletes the guest\'s symlink and makes a regular file with the same name: a regular file with the host\'s owner and mode',
    act: (h, p) => steps(p, () => h.act('unlink', p), () => h.act('write', p, { content: HOST_TEXT })),
    wanted: (before, host) => ({ ...madeByHost(before, host), content: HOST_TEXT }),
  },
  ...(['file', 'dir', 'symlink'] as const).map((object): HostCase => ({
    name: 'rename', object,
    title: `the host renames the guest's ${object} within its dir: the new name keeps ${object === 'symlink' ? 'its target, owner and group' : 'owner, group, mode and xattr'}`,
    act: (h, p) => ok(h.act('rename', p, { to: `${p}-renamed` }), `${p}-renamed`),
    wanted: kept,
  })),
  {
    name: 'move', object: 'file',
    title: 'the host moves the guest\'s file to another dir: it keeps owner, group, mode and xattr',
    act: (h, p, elsewhere) => ok(h.act('rename', p, { to: `${elsewhere}/moved` }), `${elsewhere}/moved`),
    wanted: kept,
  },
  {
    name: 'link', object: 'file',
    title: 'the host makes a hard link to the guest\'s file: the new name shows the same owner, group, mode and xattr',
    act: (h, p) => ok(h.act('link', p, { to: `${p}-link` }), `${p}-link`),
    wanted: kept,
  },
  {
    name: 'chmod', object: 'file',
    title: `the host chmods the guest's file to ${HOST_MODE.toString(8).padStart(4, '0')}: the guest sees that mode, owner and xattr stay`,
    act: (h, p) => ok(h.act('chmod', p, { mode: HOST_MODE }), p),
    wanted: (before) => ({ ...before, mode: HOST_MODE.toString(8).padStart(4, '0') }),
  },
  {
    name: 'chown', object: 'file',
    title: `the host chowns the guest's file to ${HOST_OTHER.uid}:${HOST_OTHER.gid} (when the host may): the guest sees that owner, setuid/setgid cleared as chown does`,
    act: (h, p) => ok(h.act('chown', p, HOST_OTHER), p),
    wanted: (before) => ({ ...before, ...HOST_OTHER, mode: withoutSpecialBits(before.mode) }),
  },
  {
    name: 'copy', object: 'file', hostMade: true,
    title: 'the host copies the guest\'s file with cp -p: the copy has the host\'s owner and mode, no setuid/setgid, no guest xattr',
    act: (h, p) => ok(h.act('copy', p, { to: `${p}-copy` }), `${p}-copy`),
    wanted: madeByHost,
  },
  {
    name: 'tree', object: 'dir', hostMade: true,
    title: 'the host deletes the guest\'s dir tree (rm -rf) and makes a dir with the same name: the host\'s owner and mode, no guest xattr',
    act: (h, p) => steps(p, () => h.act('remove-tree', p), () => h.act('mkdir', p), () => h.act('write', `${p}/file`, { content: HOST_TEXT })),
    wanted: madeByHost,
  },
  {
    name: 'tree', object: 'file', content: true, hostMade: true,
    title: 'the same tree: the host\'s new file with the old name in it has the host\'s owner and mode, no guest xattr',
    path: (dir) => `${dir}/tree-dir/file`,
    // Made and removed with the tree/dir case (the file is in that dir); nothing to do here.
    act: async (_h, p) => ({ ok: true, at: p }),
    wanted: (before, host) => ({ ...madeByHost(before, host), content: HOST_TEXT }),
  },
]

/** Where a case's object is made. */
export const pathOf = (c: HostCase, dir: string) => c.path?.(dir) ?? `${dir}/${c.name}-${c.object}`

/** A case's point id at a stage. */
export const caseId = (c: Pick<HostCase, 'name' | 'object'>, stage: 'at-once' | 'after-drop-caches') => `host-side/${c.name}-${stage}/${c.object}`
