// What a names point does with its names on one mount: the group they were made in (groups.ts),
// "this create gave what POSIX gives", "this name is listed exactly once, as these bytes", reads
// by the bytes; and, in the diagnostics, which of the look-alike names the guest sees and what the
// host dir holds.
import type { Arg, PointSpec } from '../../agent/check-api.ts'
import type { SharedCheck } from '../../agent/shared-check.ts'
import { showName, showNames, type Hex } from './catalog.ts'
import { GROUPS, type GroupKey, type Groups, type MadeGroup } from './groups.ts'

/** One names point: declared for `list`, run on each mount. */
export interface NamePoint extends PointSpec {
  run(n: NameCheck): Promise<void>
}

/** The names the host dir holds (the host bridge's `list`), or why they are not known. */
export type HostListing = { names: Hex[] } | { missing: string }

const NAME_OPS: Record<string, number[]> = { 'name-create': [1], 'name-read': [1], 'name-lstat': [1], 'name-rename': [1, 2] }

/** Diagnostics show a name op's names as text (and hex), not as hex alone. */
export const showNameArgs = (op: string, args: Arg[]): Arg[] => args.map((a, i) => (NAME_OPS[op]?.includes(i) && typeof a === 'string' ? showName(a) : a))

const decoded = (hex: Hex) => Buffer.from(hex, 'hex').toString('utf8')
/** Names a case-insensitive, normalizing host would take for the same one: what to show beside a name. */
const lookAlike = (a: Hex, b: Hex) => decoded(a).normalize('NFC').toLowerCase() === decoded(b).normalize('NFC').toLowerCase()

export class NameCheck {
  constructor(
    readonly c: SharedCheck,
    readonly groups: Groups,
    /** This mount's names suite dir. */
    readonly suiteDir: string,
    /** Lists a dir on the host. */
    readonly hostList: (dir: string) => Promise<HostListing>,
  ) {}

  /** The group's dir, once the create of this name in it gave what it should (else the point fails: that call's errno, loud). */
  async created(key: GroupKey, hex: Hex): Promise<MadeGroup> {
    const group = await this.groups.get(this.c, key)
    const wanted = String(GROUPS[key].names.find((g) => g.hex === hex)!.wanted)
    const found = group.created.get(hex)!
    if (found !== wanted) {
      await this.record(group, hex)
      this.c.fail({ op: 'name-create', args: [group.dir, showName(hex)], wanted, found, ...(found !== '0' ? { errno: found } : {}), stage: 'call', class: found === '0' ? 'silent' : 'loud' })
    }
    return group
  }

  /** The group's listing (a failed listing fails the point). */
  listing(group: MadeGroup): Hex[] {
    if ('errno' in group.listing) this.c.fail({ op: 'name-list', args: [group.dir], wanted: '0', found: group.listing.errno, errno: group.listing.errno, stage: 'call', class: 'loud' })
    return group.listing.names
  }

  /** What the guest lists and the host holds of the names that look like this one (same letters, any case or normal form). */
  async record(group: MadeGroup, hex: Hex): Promise<void> {
    if ('names' in group.listing) this.c.extra.guestSees = showNames(group.listing.names.filter((n) => lookAlike(n, hex)))
    const host = await this.hostList(group.dir)
    if ('names' in host) this.c.extra.hostHolds = showNames(host.names.filter((n) => lookAlike(n, hex)))
  }

  /** The name is listed exactly once as its own bytes; `always`: record both sides even when it is. */
  async listedOnce(group: MadeGroup, hex: Hex, opts: { always?: boolean } = {}): Promise<void> {
    const count = this.listing(group).filter((n) => n === hex).length
    if (count !== 1 || opts.always) await this.record(group, hex)
    if (count !== 1) this.c.fail({ op: 'name-list', args: [group.dir], wanted: `${showName(hex)} once`, found: count ? `${count} times` : 'not listed', stage: 'call', class: 'silent' })
  }

  /** Found by its bytes (lstat): a file; returns its inode number (two names, two files: two inodes). */
  async foundBy(group: MadeGroup, hex: Hex): Promise<number> {
    const st = (await this.c.expect(0, 'name-lstat', group.dir, hex)) as { type: string; ino: number }
    if (st.type !== 'file') this.c.fail({ op: 'name-lstat', args: [group.dir, showName(hex)], wanted: 'file', found: st.type, stage: 'call', class: 'silent' })
    return st.ino
  }

  /** Two names are two files: both found, with different inode numbers. */
  async twoFiles(group: MadeGroup, a: Hex, b: Hex): Promise<void> {
    const [ia, ib] = [await this.foundBy(group, a), await this.foundBy(group, b)]
    if (ia === ib) {
      await this.record(group, a)
      this.c.fail({ op: 'name-lstat', args: [group.dir, showName(a), showName(b)], wanted: 'two inodes', found: `one file (inode ${ia}) under both names`, stage: 'call', class: 'silent' })
    }
  }

  /** No entry is found under this name (lstat ENOENT); else found says what was. */
  async notFound(group: MadeGroup, hex: Hex): Promise<void> {
    const r = await this.c.attempt('name-lstat', group.dir, hex)
    if (r.ok || r.errno !== 'ENOENT') {
      await this.record(group, hex)
      const st = r.value as { type: string; ino: number } | undefined
      this.c.fail({ op: 'name-lstat', args: [group.dir, showName(hex)], wanted: 'ENOENT', found: st ? `a ${st.type} (inode ${st.ino})` : r.errno ?? 'EIO', ...(r.ok ? {} : { errno: r.errno }), stage: 'call', class: r.ok ? 'silent' : 'loud' })
    }
  }
}

/**
 * The names in the host bridge's `list` answer: each entry's raw bytes as hex ({hex}, or a
 * plain hex string); undefined when the answer is not that.
 */
export function hostNamesFrom(value: unknown): Hex[] | undefined {
  const entries = Array.isArray(value) ? value : value && typeof value === 'object' && Array.isArray((value as { entries?: unknown }).entries) ? (value as { entries: unknown[] }).entries : undefined
  if (!entries) return undefined
  const names = entries.map((e) => (typeof e === 'string' ? e : e && typeof e === 'object' && typeof (e as { hex?: unknown }).hex === 'string' ? (e as { hex: string }).hex : undefined))
  return names.every((n): n is string => typeof n === 'string' && /^(?:[0-9a-f]{2})*$/i.test(n)) ? names.map((n) => n.toLowerCase()).sort() : undefined
}
