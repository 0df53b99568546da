// What the guest sees of an object, and how it is compared: pure. A view is its type, owner,
// mode, the guest's user.* xattr (absent: null), and content or link target where they matter.
import type { HostTruth } from '../../agent/diagnostics.ts'

export interface GuestView {
  type: string
  uid: number
  gid: number
  /** Permission bits as 4 octal digits ("6755"). */
  mode: string
  /** The guest's xattr's value in hex, or null when the object has none (not looked at: absent). */
  xattr?: string | null
  content?: string
  target?: string
}

export type ViewField = keyof GuestView
const ORDER: readonly ViewField[] = ['type', 'uid', 'gid', 'mode', 'xattr', 'content', 'target']

/** A view's fields as one line, in a fixed order: "file uid=0 gid=5678 mode=6755 xattr=6775657374". */
export function viewText(v: Partial<GuestView>, fields: readonly ViewField[] = ORDER): string {
  return ORDER.filter((f) => fields.includes(f) && v[f] !== undefined).map((f) => {
    const value = v[f]
    if (f === 'type') return String(value)
    if (f === 'xattr') return value === null ? 'no xattr' : `xattr=${String(value)}`
    if (f === 'content') return `content=${JSON.stringify(value)}`
    return `${f}=${String(value)}`
  }).join(' ')
}

/** Compares the fields `wanted` gives with what was found: the two as text, and whether they match. */
export function compareView(wanted: Partial<GuestView>, found: GuestView): { matched: boolean; wanted: string; found: string } {
  const fields = ORDER.filter((f) => wanted[f] !== undefined)
  const w = viewText(wanted, fields)
  const f = viewText(found, fields)
  return { matched: w === f, wanted: w, found: f }
}

/** The mode without setuid and setgid, as chown(2) leaves a non-dir (Linux: setgid only when group-executable). */
export function withoutSpecialBits(mode: string): string {
  const m = Number.parseInt(mode, 8)
  return (m & ~0o4000 & ~(m & 0o010 ? 0o2000 : 0)).toString(8).padStart(4, '0')
}

/** What a local file system shows for an object the host made: the host's type, owner and mode, none of the guest's xattrs. */
export function hostMadeView(host: HostTruth): Partial<GuestView> {
  return { ...(host.type ? { type: host.type } : {}), ...(host.uid !== undefined ? { uid: host.uid, gid: host.gid! } : {}), ...(host.mode ? { mode: host.mode } : {}), xattr: null }
}

const SPECIAL_BITS = 0o6000

/**
 * Why a guest view of an object the host made is a security finding, if it is: it shows a
 * setuid/setgid bit the host's file has not, the owner or group the guest had set on what was
 * there before (root above all) where the host's differ, or a type the host did not make.
 */
export function securityFinding(found: GuestView, host: HostTruth, guestSet: GuestView): string | undefined {
  const why: string[] = []
  const bits = Number.parseInt(found.mode, 8) & Number.parseInt(guestSet.mode, 8) & SPECIAL_BITS & ~(Number.parseInt(host.mode ?? '0', 8) & SPECIAL_BITS)
  if (bits) why.push(`a ${bits & 0o4000 ? 'setuid' : ''}${bits === SPECIAL_BITS ? '+' : ''}${bits & 0o2000 ? 'setgid' : ''} bit the host's file has not (mode ${found.mode}, host ${host.mode})`)
  if (found.uid !== host.uid && found.uid === guestSet.uid) why.push(`the owner the guest had set, uid ${found.uid}${found.uid === 0 ? ' (root)' : ''} (host: ${host.uid})`)
  if (found.gid !== host.gid && found.gid === guestSet.gid) why.push(`the group the guest had set, gid ${found.gid} (host: ${host.gid})`)
  if (host.type && found.type !== host.type && found.type === guestSet.type) why.push(`type ${found.type} where the host made a ${host.type}`)
  return why.length ? `an object the host made shows ${why.join(', ')}: guest metadata outlived the object it was set on` : undefined
}
