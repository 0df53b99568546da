// What was really tested: Lima fills the lima.yaml limafs wrote with ~/.lima/_config/default.yaml
// (below it), override.yaml (above it: it wins) and base.yaml (pkg/limayaml/defaults.go
// FillDefault(y, d, o); v1.2.2 limatmpl/embed.go prepends base.yaml). `limactl list --json`
// shows the result. Every mount setting the run planned is compared with it; a configuration
// whose share differs was not the one the matrix names. Pure.
import { checkConfig } from '../matrix/schema.ts'
import { fillConfig } from '../matrix/fill-defaults.ts'
import { ramInBytes } from '../lima-compat/ram-in-bytes.ts'
import type { ShareConfig, ShareSetup } from '../types.ts'
import type { InstancePlan } from './instance-plan.ts'
import type { LimaConfig, LimaMount } from './list-json.ts'

export interface Drift {
  /** The configuration affected (every one of the instance for an instance-wide setting). */
  config: string
  /** lima.yaml's key path: "mountType", "mounts[].9p.cache". */
  field: string
  planned: unknown
  filled: unknown
}

/** The files that can make the filled config differ from the yaml, for the message. */
export const LIMA_CONFIG_FILES = ['_config/override.yaml', '_config/default.yaml', '_config/base.yaml'] as const

const sameSize = (a: unknown, b: unknown) => typeof a === 'string' && typeof b === 'string' && ramInBytes(a) !== undefined && ramInBytes(a) === ramInBytes(b)

/** Each planned setting the filled config has otherwise. */
export function configDrift(plan: InstancePlan, shares: readonly ShareSetup[], filled: LimaConfig | undefined): Drift[] {
  const drift: Drift[] = []
  const all = (field: string, planned: unknown, got: unknown) => {
    for (const s of shares) drift.push({ config: s.config.name, field, planned, filled: got })
  }
  if (!filled) {
    all('config', 'a filled-in config', 'none in limactl list --json')
    return drift
  }
  // 2.x lists no mountType when the yaml gave none (the driver picks it at start): nothing to compare then.
  if (filled.mountType && filled.mountType !== plan.mountType) all('mountType', plan.mountType, filled.mountType)
  if (filled.vmType && filled.vmType !== plan.vmType) all('vmType', plan.vmType, filled.vmType)
  if ((filled.mountInotify ?? false) !== plan.mountInotify) all('mountInotify', plan.mountInotify, filled.mountInotify ?? false)
  for (const share of shares) {
    const mount = (filled.mounts ?? []).find((m) => (m.mountPoint || m.location) === share.mountPoint)
    const add = (field: string, planned: unknown, got: unknown) => drift.push({ config: share.config.name, field, planned, filled: got })
    if (!mount) {
      add('mounts[]', share.mountPoint, 'no mount at that mountPoint')
      continue
    }
    if ((mount.writable ?? false) !== share.config.writable) add('mounts[].writable', share.config.writable, mount.writable ?? false)
    const { ninep, sshfs, virtiofs } = share.config
    if (ninep) {
      for (const key of ['securityModel', 'protocolVersion', 'msize', 'cache'] as const) {
        const got = mount['9p']?.[key]
        if (got !== ninep[key] && !(key === 'msize' && sameSize(got, ninep.msize))) add(`mounts[].9p.${key}`, ninep[key], got ?? null)
      }
    }
    if (sshfs) {
      for (const key of ['cache', 'followSymlinks', 'sftpDriver'] as const) {
        const got = mount.sshfs?.[key]
        if (got !== sshfs[key]) add(`mounts[].sshfs.${key}`, sshfs[key], got ?? null)
      }
    }
    // queueSize is used on QEMU only (VZ ignores it), so it is compared only there.
    if (virtiofs && plan.vmType === 'qemu' && mount.virtiofs?.queueSize != null && mount.virtiofs.queueSize !== virtiofs.queueSize) add('mounts[].virtiofs.queueSize', virtiofs.queueSize, mount.virtiofs.queueSize)
  }
  return drift
}

/** One line per configuration: what changed. */
export function driftReason(drift: readonly Drift[], config: string): string | undefined {
  const mine = drift.filter((d) => d.config === config)
  if (!mine.length) return undefined
  const changes = mine.map((d) => `${d.field} ${JSON.stringify(d.planned)} -> ${JSON.stringify(d.filled)}`).join(', ')
  return `Lima's filled-in config differs from the plan (${changes}): a ~/.lima/${LIMA_CONFIG_FILES.join(' or ~/.lima/')} changed it, so this is not the configuration the matrix names; --accept-overrides tests it as Lima filled it in`
}

/** The configuration as Lima filled it in (for --accept-overrides): the planned one where Lima has nothing. */
export function filledShareConfig(planned: ShareConfig, mount: LimaMount | undefined, filled: LimaConfig | undefined): ShareConfig {
  if (!mount) return planned
  const mountType = filled?.mountType === '9p' || filled?.mountType === 'virtiofs' || filled?.mountType === 'reverse-sshfs' ? filled.mountType : planned.mountType
  const blank = <T>(v: T | null | undefined) => (v === null || v === '' ? undefined : v)
  const input = {
    name: planned.name, mountType, writable: mount.writable ?? false, mountInotify: filled?.mountInotify ?? planned.mountInotify,
    ...(mountType === '9p' ? { '9p': { securityModel: blank(mount['9p']?.securityModel), protocolVersion: blank(mount['9p']?.protocolVersion), msize: blank(mount['9p']?.msize), cache: blank(mount['9p']?.cache) } } : {}),
    ...(mountType === 'reverse-sshfs' ? { sshfs: { cache: blank(mount.sshfs?.cache), followSymlinks: blank(mount.sshfs?.followSymlinks), sftpDriver: blank(mount.sshfs?.sftpDriver) } } : {}),
    ...(mountType === 'virtiofs' ? { virtiofs: { queueSize: blank(mount.virtiofs?.queueSize) } } : {}),
  }
  const { config } = checkConfig(input)
  return config ? fillConfig(config) : planned
}
