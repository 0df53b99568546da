// Which configurations a switch goes between. The models of the switch: 9p's none, mapped-xattr
// and mapped-file (Lima's choices with QEMU) and virtiofs (VZ's), each ordered pair a switch.
// The configuration a tree is looked at through is picked the same way every run: the same
// cache mode as the source when there is one of that model, else mmap (Lima's default for a
// writable share), else the first; virtiofs has no cache mode.
import type { SharedTarget } from '../../agent/check-api.ts'

export const MIGRATE_MODELS = ['none', 'mapped-xattr', 'mapped-file', 'virtiofs'] as const
export type MigrateModel = (typeof MIGRATE_MODELS)[number]
const PREFERRED_CACHE = 'mmap'

/** The models a source configuration switches to: every one but its own. */
export function targetModels(source: Pick<SharedTarget, 'model'>): MigrateModel[] {
  return MIGRATE_MODELS.filter((m) => m !== source.model)
}

/** The configuration of `model` a tree made through `source` is looked at through, if the run has one with a sibling share. */
export function throughFor(source: SharedTarget, model: string, targets: readonly SharedTarget[]): SharedTarget | undefined {
  const candidates = targets.filter((t) => t !== source && t.model === model && 'dir' in t.sibling)
  return candidates.find((t) => t.cache === source.cache) ?? candidates.find((t) => t.cache === PREFERRED_CACHE) ?? candidates[0]
}
