// The limactl STAND-IN's model of an instance (see ./limactl): a lima.yaml read back, its mounts
// filled in with Lima's defaults, and what `limactl list --json` and ssh.config say about it, in
// Lima's own field names and formats (pkg/limatype/lima_instance.go, pkg/hostagent
// writeSSHConfigFile). Test code, not product code: it exists so limafs's Lima backend can be
// driven end to end on a machine without Lima.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import {
  DEFAULT_9P_CACHE_READONLY,
  DEFAULT_9P_CACHE_WRITABLE,
  DEFAULT_9P_MSIZE,
  DEFAULT_9P_PROTOCOL_VERSION,
  DEFAULT_9P_SECURITY_MODEL,
  DEFAULT_VIRTIOFS_QUEUE_SIZE,
} from '../../provision/lima-compat/defaults.ts'
import { limaMountTag } from '../../provision/lima-compat/mount-tag.ts'
import { ramInBytes } from '../../provision/lima-compat/ram-in-bytes.ts'
import type { CacheMode, ProtocolVersion, SecurityModel, ShareSetup } from '../../provision/types.ts'

/** What `limactl --version` says: Lima's format, with the truth after it. */
export const STANDIN_VERSION = '2.2.0'
/** Lima's disk default (sparse); the stand-in has no disk, but list --json shows a size. */
const DEFAULT_DISK = '100GiB'

export interface StandinMount {
  location: string
  mountPoint: string
  writable: boolean
  '9p'?: { securityModel: string; protocolVersion: string; msize: string; cache: string }
  virtiofs?: { queueSize: number }
}

export interface StandinConfig {
  vmType: string
  arch: string
  cpus: number
  memory: string
  disk: string
  mountType: string
  mounts: StandinMount[]
  provision: Array<{ mode: string; script: string }>
  probes: Array<{ mode: string; description?: string; script: string; hint?: string }>
  [key: string]: unknown
}

export const instanceDir = (limaHome: string, name: string) => join(limaHome, name)

/** The lima.yaml as Lima would fill it in (only the keys limafs reads, plus what was given). */
export function fillConfig(doc: Record<string, unknown>, hostArch: string): StandinConfig {
  const mountType = String(doc.mountType ?? (doc.vmType === 'vz' ? 'virtiofs' : '9p'))
  const mounts = ((doc.mounts as Array<Record<string, unknown>> | undefined) ?? []).map((m): StandinMount => {
    const location = String(m.location)
    const writable = m.writable === true
    const p = (m['9p'] ?? {}) as Record<string, unknown>
    return {
      location,
      mountPoint: String(m.mountPoint ?? location),
      writable,
      ...(mountType === '9p' ? {
        '9p': {
          securityModel: String(p.securityModel ?? DEFAULT_9P_SECURITY_MODEL),
          protocolVersion: String(p.protocolVersion ?? DEFAULT_9P_PROTOCOL_VERSION),
          msize: String(p.msize ?? DEFAULT_9P_MSIZE),
          cache: String(p.cache ?? (writable ? DEFAULT_9P_CACHE_WRITABLE : DEFAULT_9P_CACHE_READONLY)),
        },
      } : {}),
      ...(mountType === 'virtiofs' ? { virtiofs: { queueSize: Number((m.virtiofs as Record<string, unknown> | undefined)?.queueSize ?? DEFAULT_VIRTIOFS_QUEUE_SIZE) } } : {}),
    }
  })
  return {
    ...doc,
    vmType: String(doc.vmType ?? 'qemu'),
    arch: String(doc.arch ?? hostArch),
    cpus: Number(doc.cpus ?? 4),
    memory: String(doc.memory ?? '4GiB'),
    disk: String(doc.disk ?? DEFAULT_DISK),
    mountType,
    mounts,
    provision: (doc.provision as StandinConfig['provision'] | undefined) ?? [],
    probes: (doc.probes as StandinConfig['probes'] | undefined) ?? [],
  }
}

export function readConfig(limaHome: string, name: string, hostArch: string): StandinConfig | undefined {
  const file = join(instanceDir(limaHome, name), 'lima.yaml')
  if (!existsSync(file)) return undefined
  return fillConfig((parse(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>, hostArch)
}

/** The shares a config asks for, as limafs's testbed takes them: Lima's tag over Lima's location and mountPoint. */
export function sharesOf(config: StandinConfig): ShareSetup[] {
  return config.mounts.map((m, index) => {
    const name = `mount${index}`
    const base = { name, writable: m.writable }
    const shareConfig = m['9p']
      ? { ...base, mountType: '9p' as const, ninep: { securityModel: m['9p'].securityModel as SecurityModel, protocolVersion: m['9p'].protocolVersion as ProtocolVersion, msize: m['9p'].msize, cache: m['9p'].cache as CacheMode } }
      : { ...base, mountType: 'virtiofs' as const, virtiofs: { queueSize: m.virtiofs?.queueSize ?? DEFAULT_VIRTIOFS_QUEUE_SIZE } }
    return { config: shareConfig, tag: limaMountTag(m.location, m.mountPoint), hostDir: m.location, mountPoint: m.mountPoint }
  })
}

export interface ListEntryInput {
  limaHome: string
  name: string
  config: StandinConfig
  running: boolean
  sshPort?: number
  qemuPid?: number
}

/** One line of `limactl list --json`, in Lima's field names (memory and disk in bytes). */
export function listEntry(i: ListEntryInput): Record<string, unknown> {
  const dir = instanceDir(i.limaHome, i.name)
  return {
    name: i.name,
    hostname: `lima-${i.name}`,
    status: i.running ? 'Running' : 'Stopped',
    dir,
    vmType: i.config.vmType,
    arch: i.config.arch,
    cpus: i.config.cpus,
    memory: ramInBytes(i.config.memory) ?? 0,
    disk: ramInBytes(i.config.disk) ?? 0,
    ...(i.running && i.sshPort ? { sshLocalPort: i.sshPort } : {}),
    sshConfigFile: join(dir, 'ssh.config'),
    ...(i.running && i.qemuPid ? { driverPID: i.qemuPid } : {}),
    config: i.config,
    sshAddress: '127.0.0.1',
    protected: false,
    limaVersion: STANDIN_VERSION,
  }
}

/** ssh.config as Lima writes it (sshutil.Format, FormatConfig): a Host block of "  Key Value" lines. */
export function sshConfigText(o: { name: string; identityFile: string; user: string; controlPath: string; port: number }): string {
  return `# This SSH config file can be passed to 'ssh -F'.
# This file is created by Lima, but not used by Lima itself currently.
# Modifications to this file will be lost on restarting the Lima instance.
Host lima-${o.name}
  IdentityFile "${o.identityFile}"
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  NoHostAuthenticationForLocalhost yes
  PreferredAuthentications publickey
  Compression no
  BatchMode yes
  IdentitiesOnly yes
  User ${o.user}
  ControlMaster auto
  ControlPath "${o.controlPath}"
  ControlPersist yes
  Hostname 127.0.0.1
  Port ${o.port}
`
}
