// A check's diagnostics as text: the guest's view (the call, what was wanted and found) and the
// host's truth (what the share's host dir really stored). Shared by junit.xml, summary.md and gate.
import type { HostTruth } from '../agent/diagnostics.ts'
import type { CheckResult } from './types.ts'

type Diags = NonNullable<CheckResult['diagnostics']>

/** Fields the guest and host lines already show; any other field is listed as it is. */
const SHOWN = new Set(['op', 'args', 'wanted', 'found', 'errno', 'stage', 'class', 'host', 'latencyMs', 'note'])

/** The call as a pjdfstest-like line: `lchown obj-file 1234 5678`. */
export function callText(d: Diags): string {
  return [d.op ?? '?', ...(d.args ?? []).map(argText)].join(' ')
}

/** A wanted or found value as shown: '?' when the agent wrote none, '""' when it is empty. */
export function valueText(value: string | undefined): string {
  return value === undefined ? '?' : value === '' ? '""' : value
}

/** What was found, with the errno when it says more: `0,0` or `-1 (errno EPERM)`. */
export function foundText(d: Diags): string {
  return `${valueText(d.found)}${d.errno && d.errno !== d.found ? ` (errno ${d.errno})` : ''}`
}

/** One line: `lstat obj-file uid,gid: wanted 1234,5678, found 0,0`. */
function guestText(d: Diags): string {
  return `${callText(d)}: wanted ${valueText(d.wanted)}, found ${foundText(d)}${d.stage ? ` [${d.stage}]` : ''}`
}

/** The host's truth in one line: `file uid=0 gid=0 mode=0644 size=3 user.virtfs uid=1234`. */
export function hostText(host: HostTruth): string {
  if (host.error) return `${host.path}: host bridge error: ${host.error}`
  if (!host.exists) return `${host.path}: does not exist on the host`
  const parts = [`${host.path}:`, host.type ?? 'exists']
  if (host.uid !== undefined) parts.push(`uid=${host.uid}`)
  if (host.gid !== undefined) parts.push(`gid=${host.gid}`)
  if (host.mode !== undefined) parts.push(`mode=${host.mode}`)
  if (host.size !== undefined) parts.push(`size=${host.size}`)
  if (host.symlinkTarget !== undefined) parts.push(`-> ${host.symlinkTarget}`)
  if (host.virtfs && Object.keys(host.virtfs).length) parts.push(`user.virtfs{${keyValues(host.virtfs)}}`)
  if (host.virtfsMetadata && Object.keys(host.virtfsMetadata).length) parts.push(`.virtfs_metadata{${keyValues(host.virtfsMetadata)}}`)
  if (host.xattrs && Object.keys(host.xattrs).length) parts.push(`xattrs{${keyValues(host.xattrs)}}`)
  return parts.join(' ')
}

/** One line for a failure: `silent: lstat f uid,gid: wanted 1234,5678, found 0,0`. */
export function failureLine(check: CheckResult): string {
  const what = check.diagnostics ? guestText(check.diagnostics) : 'no diagnostics'
  return `${check.class ? `${check.class}: ` : ''}${what}${check.cutOff ? ' (diagnostics cut off)' : ''}`
}

/** Several lines: the guest view, then the host truth, then anything else the agent wrote. */
export function diagnosticsText(check: CheckResult): string {
  const d = check.diagnostics
  const lines: string[] = []
  if (check.reason) lines.push(`reason: ${check.reason}`)
  if (!d) {
    lines.push('no diagnostics')
  } else {
    lines.push(`guest: ${callText(d)}`)
    lines.push(`  wanted: ${valueText(d.wanted)}`)
    lines.push(`  found:  ${foundText(d)}`)
    if (d.stage) lines.push(`  stage:  ${d.stage}`)
    if (d.class) lines.push(`  class:  ${d.class}`)
    if (d.latencyMs !== undefined) lines.push(`  latency: ${d.latencyMs} ms`)
    lines.push(d.host ? `host truth: ${hostText(d.host)}` : 'host truth: (no host bridge answer)')
    if (d.note) lines.push(`note: ${d.note}`)
    for (const [key, value] of Object.entries(d)) {
      if (!SHOWN.has(key)) lines.push(`${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    }
  }
  if (check.cutOff) lines.push('(the TAP ended inside these diagnostics: the config crashed while writing them)')
  return lines.join('\n')
}

export function argText(arg: string | number): string {
  return typeof arg === 'number' || /^[\w./:@%+=,-]+$/.test(arg) ? String(arg) : JSON.stringify(arg)
}

function keyValues(record: Record<string, unknown>): string {
  return Object.entries(record).map(([k, v]) => `${k}=${String(v)}`).join(' ')
}
