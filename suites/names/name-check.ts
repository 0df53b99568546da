// What a names point does with names, on one mount: its own dir, creating and reading entries
// by their bytes, and "the dir lists exactly these names" (with what the guest and the host
// then hold in the diagnostics).
import type { Arg, PointSpec } from '../../agent/check-api.ts'
import type { SharedCheck } from '../../agent/shared-check.ts'
import { showName, showNames, type Hex } from './catalog.ts'

/** One names point: declared for `list`, run on each mount. */
export interface NamePoint extends PointSpec {
  run(n: NameCheck): Promise<void>
}

/** A name the guest made (and was told it made), for the host-stored point. */
export interface Made {
  dir: string
  hex: Hex
}

/** The names the host dir holds (the host bridge's `list`), or why they are not known. */
export type HostListing = { names: Hex[] } | { missing: string }

const NAME_OPS: Record<string, number[]> = { 'name-create': [1], 'name-read': [1], 'name-lstat': [1], 'name-rename': [1, 2] }

/** Diagnostics show a name op's names as text (and hex), not as hex alone. */
export const showNameArgs = (op: string, args: Arg[]): Arg[] => args.map((a, i) => (NAME_OPS[op]?.includes(i) && typeof a === 'string' ? showName(a) : a))

export class NameCheck {
  constructor(
    readonly c: SharedCheck,
    /** This mount's names suite dir. */
    private readonly suiteDir: string,
    /** What the guest made on this mount so far (the host-stored point looks for all of it). */
    readonly made: Made[],
    /** Lists a dir on the host. */
    readonly hostList: (dir: string) => Promise<HostListing>,
  ) {}

  /** A fresh dir of this point's own (made now). */
  async dir(name: string): Promise<string> {
    const dir = `${this.suiteDir}/${name}`
    await this.c.setup('mkdir', dir, 0o755)
    return dir
  }

  /** Creates DIR/NAME holding content; the call itself is judged (WANTED 0 or an errno). */
  async create(dir: string, hex: Hex, content: string, wanted: 0 | string = 0): Promise<void> {
    await this.c.expect(wanted, 'name-create', dir, hex, content)
    if (wanted === 0) this.made.push({ dir, hex })
  }

  /** What the guest and the host have in DIR, in the point's diagnostics. */
  async record(dir: string, guest: Hex[]): Promise<void> {
    this.c.extra.guestSees = showNames(guest)
    const host = await this.hostList(dir)
    if ('names' in host) this.c.extra.hostHolds = showNames(host.names)
  }

  /** DIR lists exactly these names (bytewise); `always`: record what both sides hold even when it does. */
  async listsExactly(dir: string, wanted: readonly Hex[], opts: { always?: boolean } = {}): Promise<void> {
    const found = (await this.c.expect(0, 'name-list', dir)) as Hex[]
    const want = [...wanted].sort()
    const same = found.length === want.length && found.every((h, i) => h === want[i])
    if (!same || opts.always) await this.record(dir, found)
    if (!same) this.c.fail({ op: 'name-list', args: [dir], wanted: showNames(want), found: showNames(found), stage: 'call', class: 'silent' })
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
