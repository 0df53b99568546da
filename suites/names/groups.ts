// The names suite makes its names in two dirs per mount, each made once and listed once (every
// 9p call costs ~10 ms under TCG, on every share): most names side by side in `plain` (where a
// host that folds case or normalizes refuses the second of a pair), and in `alone` what must not
// have a twin beside it: the NFD form (on a normalizing host an NFC twin would change the
// answer) and the name renamed to other case. Each point then judges its own names from its
// group's creates, the rename and the listing. The files are empty: a name is what is asked about.
import type { SharedCheck } from '../../agent/shared-check.ts'
import { NAMES, type Hex } from './catalog.ts'

export interface GroupSpec {
  /** Created in this order; each with what creating it should give: 0, or the errno it must fail with. */
  names: Array<{ hex: Hex; wanted: 0 | string }>
  /** Then renamed (before the listing). */
  rename?: { from: Hex; to: Hex }
}

export const GROUPS = {
  plain: {
    names: [
      NAMES.long255, NAMES.long255Utf8, NAMES.long256, NAMES.space, NAMES.newline, NAMES.backslash, NAMES.colon, NAMES.leadingDash,
      NAMES.invalidUtf8, NAMES.nfc, NAMES.nfd, NAMES.upper, NAMES.lower,
    ].map((hex) => ({ hex, wanted: hex === NAMES.long256 ? 'ENAMETOOLONG' : 0 })),
  },
  alone: { names: [{ hex: NAMES.nfd, wanted: 0 }, { hex: NAMES.renameFrom, wanted: 0 }], rename: { from: NAMES.renameFrom, to: NAMES.renameTo } },
} satisfies Record<string, GroupSpec>

export type GroupKey = keyof typeof GROUPS

/** A group as made on one mount: its dir, each create's outcome (an errno name or "0"), the rename's, the listing or why none. */
export interface MadeGroup {
  dir: string
  created: Map<Hex, string>
  renamed?: string
  listing: { names: Hex[] } | { errno: string }
}

/** Makes each group once per mount (on first use), in its own dir under the suite's. */
export class Groups {
  private readonly made = new Map<GroupKey, Promise<MadeGroup>>()
  /** Names the guest was told it made and still has (for the host-stored point). */
  readonly registry: Array<{ dir: string; hex: Hex }> = []

  constructor(private readonly suiteDir: string) {}

  get(c: SharedCheck, key: GroupKey): Promise<MadeGroup> {
    let group = this.made.get(key)
    if (!group) {
      group = this.make(c, key)
      this.made.set(key, group)
    }
    return group
  }

  private async make(c: SharedCheck, key: GroupKey): Promise<MadeGroup> {
    const spec: GroupSpec = GROUPS[key]
    const dir = `${this.suiteDir}/${key}`
    await c.setup('mkdir', dir, 0o755)
    const created = new Map<Hex, string>()
    for (const { hex } of spec.names) {
      const r = await c.attempt('name-create', dir, hex)
      created.set(hex, r.ok ? '0' : r.errno ?? 'EIO')
      if (r.ok) this.registry.push({ dir, hex })
    }
    let renamed: string | undefined
    if (spec.rename) {
      const r = await c.attempt('name-rename', dir, spec.rename.from, spec.rename.to)
      renamed = r.ok ? '0' : r.errno ?? 'EIO'
      const at = this.registry.findIndex((m) => m.dir === dir && m.hex === spec.rename!.from)
      if (r.ok && at >= 0) this.registry.splice(at, 1, { dir, hex: spec.rename.to })
    }
    const listed = await c.attempt('name-list', dir)
    return { dir, created, ...(renamed ? { renamed } : {}), listing: listed.ok ? { names: listed.value as Hex[] } : { errno: listed.errno ?? 'EIO' } }
  }
}
