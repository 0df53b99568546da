// What a guest limafs did not boot itself (Lima, any VM over ssh) says about itself, in one ssh
// round trip: kernel, architecture, node, where node came from, and its mountinfo, from which
// each share's mount state is read. Pure: a script out, its output parsed.
import { mountOf, parseMountinfo, type MountInfo } from '../agent/mountinfo.ts'
import type { BootedShare } from './backend.ts'
import { shellQuote } from './shell-quote.ts'
import type { ShareSetup } from './types.ts'

const MARK = 'limafs-fact'
const MOUNTINFO_MARK = 'limafs-mountinfo'

/** The last lines of a guest script whose output splitAtMountinfo() reads: a mark, then mountinfo. */
export const MOUNTINFO_TAIL = [`echo ${MOUNTINFO_MARK}`, 'cat /proc/self/mountinfo']

/** A guest script's output: what it printed before MOUNTINFO_TAIL, and the mountinfo; `found` says whether the script got that far. */
export function splitAtMountinfo(output: string): { head: string; mountinfo: MountInfo[]; found: boolean } {
  const at = output.indexOf(`${MOUNTINFO_MARK}\n`)
  if (at < 0) return { head: output, mountinfo: [], found: false }
  return { head: output.slice(0, at), mountinfo: parseMountinfo(output.slice(at + MOUNTINFO_MARK.length + 1)), found: true }
}

export interface GuestFacts {
  kernel: string
  arch: string
  /** `node --version` of the login user's node; undefined when there is none. */
  node?: string
  /** A file's first line saying where node came from (Lima provision script), when it exists. */
  nodeSource?: string
  mountinfo: MountInfo[]
}

/** A /bin/sh script printing the facts; `nodeSourceFile` is read when given. */
export function guestFactsScript(nodeSourceFile?: string): string {
  return [
    `echo "${MARK} kernel $(uname -r)"`,
    `echo "${MARK} arch $(uname -m)"`,
    `echo "${MARK} node $(node --version 2>/dev/null)"`,
    ...(nodeSourceFile ? [`echo "${MARK} node-source $(head -n 1 ${shellQuote(nodeSourceFile)} 2>/dev/null)"`] : []),
    ...MOUNTINFO_TAIL,
    '',
  ].join('\n')
}

export function parseGuestFacts(output: string): GuestFacts {
  const { head, mountinfo } = splitAtMountinfo(output)
  const fact = (name: string) => new RegExp(`^${MARK} ${name} ?(.*)$`, 'm').exec(head)?.[1]?.trim() || undefined
  const node = fact('node')
  const nodeSource = fact('node-source')
  return {
    kernel: fact('kernel') ?? 'unknown',
    arch: fact('arch') ?? 'unknown',
    ...(node ? { node } : {}),
    ...(nodeSource ? { nodeSource } : {}),
    mountinfo,
  }
}

/** mountinfo's one-line form kept in environment.json: "fstype source mount-options super-options". */
export function mountinfoLine(m: MountInfo): string {
  return `${m.fsType} ${m.source} ${m.mountOptions} ${m.superOptions}`
}

/**
 * Each share's state from the guest's mountinfo: mounted when something is mounted exactly at its
 * mount point (of `fsType` when given). The tag is not compared: Lima's tags changed in 2.0 and 2.1.
 */
export function sharesFromMountinfo(shares: readonly ShareSetup[], mounts: readonly MountInfo[], options: { fsType?: (share: ShareSetup) => string | undefined; notMounted: (share: ShareSetup) => string }): BootedShare[] {
  return shares.map((share) => {
    const found = mountOf(mounts, share.mountPoint)
    const wanted = options.fsType?.(share)
    const base = { config: share.config, tag: share.tag, hostDir: share.hostDir, mountPoint: share.mountPoint }
    if (found && found.mountPoint === share.mountPoint && (!wanted || found.fsType === wanted)) {
      return { ...base, mounted: true, mountinfo: mountinfoLine(found) }
    }
    const what = found && found.mountPoint === share.mountPoint ? `a ${found.fsType} mount is there instead of ${wanted}` : options.notMounted(share)
    return { ...base, mounted: false, mountError: what }
  })
}
