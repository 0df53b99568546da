// The limactl STAND-IN's FillDefault and Validate, the parts limafs reads, per Lima version
// (pkg/limayaml/defaults.go FillDefault(y, d, o) at v1.2.2 and v2.2.0; validate.go):
//   - ~/.lima/_config/default.yaml (d) fills what the instance's yaml (y) leaves out, and
//     override.yaml (o) wins over both; base.yaml is a base template of every instance;
//   - mounts: d's, y's, o's appended, an entry with the same key merged into the earlier one
//     field by field (the key: location in 1.x, mountPoint in 2.x), then Lima's defaults;
//   - mountType: 1.x fills it (vz: virtiofs; qemu: 9p, or reverse-sshfs when
//     mountTypesUnsupported has 9p); 2.x leaves it to the driver, so it lists none;
//   - user.passwordlessSudo (2.2+): default true on Linux guests.
// Test code.
import { tmpdir } from 'node:os'
import { atLeast } from '../../provision/lima/lima-version.ts'
import { goQ, isV2, type StandinLima } from './lima-version.ts'
import { isMap, LimaError, type Doc } from './lima-templates.ts'

export interface StandinMount {
  location: string
  mountPoint: string
  writable: boolean
  sshfs: { cache: boolean; followSymlinks: boolean; sftpDriver: string }
  '9p': { securityModel: string; protocolVersion: string; msize: string; cache: string }
  virtiofs: { queueSize?: number }
}

export interface StandinConfig {
  minimumLimaVersion?: string
  vmType: string
  arch: string
  cpus: number
  memory: string
  disk: string
  /** Absent in 2.x when nobody set one (listed as none). */
  mountType?: string
  mountTypesUnsupported?: string[]
  mountInotify: boolean
  mounts: StandinMount[]
  user: { name?: string; uid?: number; passwordlessSudo?: boolean }
  provision: Array<{ mode: string; script: string }>
  probes: Array<{ mode: string; description?: string; script: string; hint?: string }>
  [key: string]: unknown
}

const MOUNT_TYPES = ['reverse-sshfs', '9p', 'virtiofs', 'wsl2']

const pick = <T>(key: string, y: Doc, d: Doc, o: Doc): T | undefined => (o[key] ?? y[key] ?? d[key] ?? undefined) as T | undefined
const mountsOf = (doc: Doc) => ((doc.mounts as Doc[] | undefined) ?? []).map((m) => ({ ...m }))

/** executeHostTemplate's {{.GlobalTempDir}} (Go's os.TempDir: $TMPDIR or /tmp); ~ expanded to $HOME. */
function hostPath(location: string, home: string): string {
  const templated = location.replaceAll('{{.GlobalTempDir}}', process.env.TMPDIR || tmpdir())
  return templated === '~' ? home : templated.startsWith('~/') ? `${home}/${templated.slice(2)}` : templated
}

/** Mounts appended d, y, o and merged by key, field by field (the later entry's fields win). */
function mergeMounts(lima: StandinLima, all: Doc[], home: string): Doc[] {
  const byMountPoint = isV2(lima)
  const merged: Doc[] = []
  const index = new Map<string, number>()
  for (const raw of all) {
    const m: Doc = { ...raw, location: hostPath(String(raw.location), home) }
    // 2.x expands the location and defaults mountPoint before merging; 1.x merges on the raw location.
    if (byMountPoint && m.mountPoint == null) m.mountPoint = m.location
    const key = byMountPoint ? String(m.mountPoint) : String(raw.location)
    const at = index.get(key)
    if (at === undefined) {
      index.set(key, merged.length)
      merged.push(m)
      continue
    }
    const into = merged[at]!
    for (const [k, v] of Object.entries(m)) {
      if (k === 'location' || v === null || v === undefined) continue
      into[k] = isMap(v) && isMap(into[k]) ? { ...(into[k] as Doc), ...Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null && x !== undefined)) } : v
    }
  }
  return merged
}

export function fillDefault(lima: StandinLima, y: Doc, d: Doc, o: Doc, host: { arch: string; home: string }): StandinConfig {
  const vmType = pick<string>('vmType', y, d, o) ?? 'qemu'
  const unsupported = [...((o.mountTypesUnsupported as string[]) ?? []), ...((y.mountTypesUnsupported as string[]) ?? []), ...((d.mountTypesUnsupported as string[]) ?? [])]
  let mountType = pick<string>('mountType', y, d, o) ?? undefined
  if (!isV2(lima) && (!mountType || mountType === 'default')) {
    mountType = vmType === 'vz' ? 'virtiofs' : vmType === 'qemu' ? (unsupported.includes('9p') ? 'reverse-sshfs' : '9p') : 'reverse-sshfs'
  }
  const mounts = mergeMounts(lima, [...mountsOf(d), ...mountsOf(y), ...mountsOf(o)], host.home).map((m): StandinMount => {
    const writable = m.writable === true
    const s = (m.sshfs ?? {}) as Doc
    const p = (m['9p'] ?? {}) as Doc
    const v = (m.virtiofs ?? {}) as Doc
    const queueSize = v.queueSize ?? (!isV2(lima) && vmType === 'qemu' && mountType === 'virtiofs' ? 1024 : undefined)
    return {
      location: String(m.location),
      mountPoint: String(m.mountPoint ?? m.location),
      writable,
      sshfs: { cache: (s.cache as boolean | undefined) ?? true, followSymlinks: (s.followSymlinks as boolean | undefined) ?? false, sftpDriver: (s.sftpDriver as string | undefined) ?? '' },
      '9p': {
        securityModel: String(p.securityModel ?? 'none'),
        protocolVersion: String(p.protocolVersion ?? '9p2000.L'),
        msize: String(p.msize ?? '128KiB'),
        cache: String(p.cache ?? (writable ? 'mmap' : 'fscache')),
      },
      virtiofs: queueSize === undefined ? {} : { queueSize: Number(queueSize) },
    }
  })
  const user = { ...((d.user as Doc) ?? {}), ...((y.user as Doc) ?? {}), ...((o.user as Doc) ?? {}) } as StandinConfig['user']
  if (atLeast(lima.v, 2, 2)) user.passwordlessSudo ??= true
  else delete user.passwordlessSudo
  const list = <T>(key: string) => [...((o[key] as T[]) ?? []), ...((y[key] as T[]) ?? []), ...((d[key] as T[]) ?? [])]
  return {
    ...d, ...y, ...o,
    vmType,
    arch: pick<string>('arch', y, d, o) ?? host.arch,
    cpus: Number(pick('cpus', y, d, o) ?? 4),
    memory: String(pick('memory', y, d, o) ?? '4GiB'),
    disk: String(pick('disk', y, d, o) ?? '100GiB'),
    ...(mountType ? { mountType } : { mountType: undefined }),
    ...(unsupported.length ? { mountTypesUnsupported: unsupported } : {}),
    mountInotify: pick<boolean>('mountInotify', y, d, o) ?? false,
    mounts,
    user,
    provision: list('provision'),
    probes: list('probes'),
  }
}

/** pkg/limayaml/validate.go, the checks a limafs yaml can meet. */
export function validate(lima: StandinLima, c: StandinConfig): void {
  const errs: string[] = []
  if (c.minimumLimaVersion) {
    const [a, b, p] = c.minimumLimaVersion.split('.').map(Number)
    if (!atLeast(lima.v, a ?? 0, b ?? 0, p ?? 0)) errs.push(`template requires Lima version ${goQ(lima, c.minimumLimaVersion)}; this is only ${goQ(lima, lima.text)}`)
  }
  if (!['qemu', 'vz', 'wsl2', 'krunkit'].includes(c.vmType)) errs.push(`field \`vmType\` must be "qemu", "vz", "wsl2"; got ${goQ(lima, c.vmType)}`)
  if (c.mountType !== undefined && !MOUNT_TYPES.includes(c.mountType)) {
    errs.push(`field \`mountType\` must be "reverse-sshfs" or "9p" or "virtiofs", or "wsl2", got ${goQ(lima, c.mountType)}`)
  }
  if (c.mountType && c.mountTypesUnsupported?.includes(c.mountType)) errs.push(`field \`mountType\` must not be one of [${c.mountTypesUnsupported.join(' ')}] (\`mountTypesUnsupported\`), got ${goQ(lima, c.mountType)}`)
  for (const [i, m] of c.mounts.entries()) {
    if (!m.location.startsWith('/')) errs.push(`field \`mounts[${i}].location\` must be an absolute path, got ${goQ(lima, m.location)}`)
  }
  if (errs.length) throw new LimaError(errs.join('\n'))
}
