// A property of an object made through one configuration, as the guest saw it there, against
// what another configuration shows of the same host files: kept (ok), changed (silent: nothing
// said so) or unreadable (loud: an errno). A change that hands out more than the source showed
// (root as owner, a setuid/setgid bit, a device node) is a security finding.
import type { PointVerdict } from '../../agent/check-api.ts'
import { GONE, type Property } from './look.ts'

const isErrno = (v: string) => /^E[A-Z0-9]+$/.test(v)
const SPECIAL_BITS = 0o6000

/** Why a found value grants what the wanted one did not, if it does. */
export function escalation(p: Property, wanted: string, found: string): string | undefined {
  if (p === 'owner') {
    const [wu, wg] = wanted.split(':').map(Number)
    const [fu, fg] = found.split(':').map(Number)
    if ((fu === 0 && wu !== 0) || (fg === 0 && wg !== 0)) return `owned by root (${found}) instead of ${wanted}`
  }
  if (p === 'mode' && /^[0-7]{4}$/.test(found) && /^[0-7]{4}$/.test(wanted)) {
    const gained = Number.parseInt(found, 8) & SPECIAL_BITS & ~Number.parseInt(wanted, 8)
    if (gained) return `${gained & 0o4000 ? 'setuid' : ''}${gained === SPECIAL_BITS ? '+' : ''}${gained & 0o2000 ? 'setgid' : ''} (mode ${found} instead of ${wanted})`
  }
  if (p === 'type' && (found === 'char' || found === 'block') && found !== wanted) return `a ${found} device instead of a ${wanted}`
  return undefined
}

export interface SwitchSeen {
  /** The object's path in the tree (what diagnostics name). */
  rel: string
  property: Property
  /** As the guest saw it through the source configuration, and through the other one. */
  wanted: string
  found: string
  /** The other configuration's mount (the diagnostics' second arg). */
  through: string
  /** "made through X, seen through Y after drop_caches" and anything the making said. */
  note: string
  /** What the finding is about, for the security line ("root's tree", "a guest user's xattr"). */
  what: string
}

export function judgeSwitch(s: SwitchSeen): PointVerdict {
  // Nothing to keep when the source itself could not show it (xattrs on virtiofs as Lima starts it).
  if (isErrno(s.wanted)) return { skip: `the source configuration shows no ${s.property} here: ${s.wanted}` }
  if (s.found === s.wanted) return { ok: true }
  const gained = escalation(s.property, s.wanted, s.found)
  return {
    ok: false,
    diagnostics: {
      op: 'tree-look', args: [s.rel, s.through], wanted: s.wanted, found: s.found,
      ...(isErrno(s.found) ? { errno: s.found } : {}),
      stage: 'after-drop-caches',
      class: isErrno(s.found) && s.found !== GONE ? 'loud' : 'silent',
      ...(gained ? { security: `${s.what} ${gained} after the switch` } : {}),
      note: s.note,
    },
  }
}
