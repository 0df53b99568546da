// Mounting the shares in the guest the way Lima's cloud-init does: fstab lines, then `mount -a`.
// A share that did not mount is tried once more without nofail, to keep its own error message.
// Pure: a script out, its output parsed.
import { mountOf, type MountInfo } from '../../agent/mountinfo.ts'
import { MOUNTINFO_TAIL, splitAtMountinfo } from '../guest-facts.ts'
import { escapeFstabField, limaFstabLine, mountOptionsWithoutNofail } from '../lima-compat/fstab.ts'
import { shellQuote } from '../shell-quote.ts'
import type { ShareSetup } from '../types.ts'

const MARK = 'limafs-mount-error'
const KERNEL_MARK = 'limafs-kernel'

export interface MountResults {
  /** The guest's kernel release (uname -r), asked in the same round trip. */
  guestKernel: string
  /** By mount point. */
  outcomes: Map<string, MountOutcome>
}

export interface MountOutcome {
  mountinfo?: MountInfo
  /** mount's own error text when the share is not mounted. */
  error?: string
}

export function fstabText(shares: readonly ShareSetup[]): string {
  return shares.map((s) => limaFstabLine(s.tag, s.mountPoint, s.config)).join('\n') + '\n'
}

/**
 * A guest shell script: write /etc/fstab, mount -a, retry failures for their message, print
 * mountinfo. Under TCG every process costs ~0.1 s, so checks use shell builtins, not mountpoint(1).
 */
export function mountScript(shares: readonly ShareSetup[]): string {
  const lines = [
    `echo "${KERNEL_MARK} $(uname -r)"`,
    "cat > /etc/fstab <<'LIMAFS_FSTAB'", `${fstabText(shares)}LIMAFS_FSTAB`,
    `mkdir -p ${shares.map((s) => shellQuote(s.mountPoint)).join(' ')}`,
    'mount -a 2>/dev/null',
    'mounted=""; while read -r _ mp _; do mounted="$mounted $mp "; done < /proc/self/mounts',
  ]
  for (const [i, s] of shares.entries()) {
    const retry = `mount -t ${s.config.mountType} -o ${shellQuote(mountOptionsWithoutNofail(s.config))} ${shellQuote(s.tag)} ${shellQuote(s.mountPoint)} 2>&1 | tr '\\n' ' '`
    lines.push(`case "$mounted" in *${shellQuote(` ${escapeFstabField(s.mountPoint)} `)}*) ;; *) echo "${MARK} ${i} $(${retry})" ;; esac`)
  }
  lines.push(...MOUNTINFO_TAIL)
  return `${lines.join('\n')}\n`
}

export function parseMountOutput(output: string, shares: readonly ShareSetup[]): MountResults {
  const { head, mountinfo, found } = splitAtMountinfo(output)
  const errors = new Map<number, string>()
  for (const line of head.split('\n')) {
    const m = new RegExp(`^${MARK} (\\d+) ?(.*)$`).exec(line)
    if (m) errors.set(Number(m[1]), m[2]!.trim())
  }
  const outcomes = new Map<string, MountOutcome>()
  for (const [i, s] of shares.entries()) {
    const info = mountOf(mountinfo, s.mountPoint)
    if (info?.mountPoint === s.mountPoint && info.source === s.tag) outcomes.set(s.mountPoint, { mountinfo: info })
    else outcomes.set(s.mountPoint, { error: errors.get(i) || (!found ? 'the mount script did not finish' : 'not mounted, and mount gave no message') })
  }
  const guestKernel = new RegExp(`^${KERNEL_MARK} (.*)$`, 'm').exec(head)?.[1]?.trim() ?? 'unknown'
  return { guestKernel, outcomes }
}
