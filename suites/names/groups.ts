// The names suite makes its names in a few dirs, each made once per mount and listed once
// (every 9p call costs ~5 ms under TCG): most names side by side in `plain`, and alone what must
// be alone (the NFD form, where an NFC twin would change the answer on a host that normalizes)
// or together what is about two names (both forms, both cases, the rename). Each point then
// judges its own names from its group's creates and listing.
import type { SharedCheck } from '../../agent/shared-check.ts'
import { NAMES, type Hex } from './catalog.ts'

export interface GroupName {
  hex: Hex
  /** What creating it should give: 0, or the errno it must fail with. */
  wanted: 0 | string
}

export const GROUPS = {
  plain: [
    NAMES.long255, NAMES.long255Utf8, NAMES.long256, NAMES.space, NAMES.newline, NAMES.backslash, NAMES.colon, NAMES.leadingDash,
    NAMES.invalidUtf8, NAMES.nfc, NAMES.upper,
  ].map((hex): GroupName => ({ hex, wanted: hex === NAMES.long256 ? 'ENAMETOOLONG' : 0 })),
  nfd: [{ hex: NAMES.nfd, wanted: 0 }],
  both: [{ hex: NAMES.nfc, wanted: 0 }, { hex: NAMES.nfd, wanted: 0 }],
  case: [{ hex: NAMES.upper, wanted: 0 }, { hex: NAMES.lower, wanted: 0 }],
  rename: [{ hex: NAMES.renameFrom, wanted: 0 }],
} satisfies Record<string, GroupName[]>

export type GroupKey = keyof typeof GROUPS

/** What a name holds: its own hex, so every file's content (and size) is its own. */
export const contentOf = (hex: Hex) => `limafs ${hex}\n`

/** A group as made on one mount: its dir, each create's outcome (an errno or 0), the listing or why none. */
export interface MadeGroup {
  dir: string
  created: Map<Hex, string>
  listing: { names: Hex[] } | { errno: string }
}

/** Makes each group once per mount (on first use), in its own dir under the suite's. */
export class Groups {
  private readonly made = new Map<GroupKey, Promise<MadeGroup>>()

  constructor(
    private readonly suiteDir: string,
    /** Names the guest was told it made (for the host-stored point). */
    readonly registry: Array<{ dir: string; hex: Hex }>,
  ) {}

  get(c: SharedCheck, key: GroupKey): Promise<MadeGroup> {
    let group = this.made.get(key)
    if (!group) {
      group = this.make(c, key)
      this.made.set(key, group)
    }
    return group
  }

  private async make(c: SharedCheck, key: GroupKey): Promise<MadeGroup> {
    const dir = `${this.suiteDir}/${key}`
    await c.setup('mkdir', dir, 0o755)
    const created = new Map<Hex, string>()
    for (const { hex } of GROUPS[key]) {
      const r = await c.attempt('name-create', dir, hex, contentOf(hex))
      created.set(hex, r.ok ? '0' : r.errno ?? 'EIO')
      if (r.ok) this.registry.push({ dir, hex })
    }
    const listed = await c.attempt('name-list', dir)
    return { dir, created, listing: listed.ok ? { names: listed.value as Hex[] } : { errno: listed.errno ?? 'EIO' } }
  }
}
