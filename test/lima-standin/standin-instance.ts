// The limactl STAND-IN's model of an instance (see ./limactl): a lima.yaml read back, its mounts
// filled in with Lima's defaults, and what `limactl list --json` and ssh.config say about it, in
// Lima's own field names and formats (pkg/limatype/lima_instance.go, pkg/hostagent
// writeSSHConfigFile). Test code, not product code: it exists so limafs's Lima backend can be
// driven end to end on a machine without Lima.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { limaMountTagFor } from '../../provision/lima-compat/mount-tag.ts'
import { ramInBytes } from '../../provision/lima-compat/ram-in-bytes.ts'
import type { CacheMode, ProtocolVersion, SecurityModel, ShareConfig, ShareSetup, SftpDriver } from '../../provision/types.ts'
import { fillDefault, type StandinConfig } from './lima-fill.ts'
import { embed, isMap, type Doc } from './lima-templates.ts'
import { isV2, type StandinLima } from './lima-version.ts'

export type { StandinConfig }

export const instanceDir = (limaHome: string, name: string) => join(limaHome, name)

/** A yaml file of ~/.lima/_config, or nothing. */
function configFile(limaHome: string, name: string): Doc {
  const file = join(limaHome, '_config', name)
  if (!existsSync(file)) return {}
  const doc: unknown = parse(readFileSync(file, 'utf8'))
  return isMap(doc) ? doc : {}
}

/**
 * The instance's config as Lima loads it (pkg/limayaml/load.go Load: the yaml with its bases
 * embedded, _config/base.yaml as the first base (limatmpl/embed.go), default.yaml under it and
 * override.yaml over it (FillDefault)).
 */
export function loadConfig(lima: StandinLima, limaHome: string, doc: Doc, host: { arch: string; home: string; cwd: string; warn: (msg: string) => void }): StandinConfig {
  const base = configFile(limaHome, 'base.yaml')
  const y = embed(lima, Object.keys(base).length ? { ...doc, base: [join(limaHome, '_config', 'base.yaml'), ...[doc.base ?? []].flat()] } : doc, host)
  return fillDefault(lima, y, configFile(limaHome, 'default.yaml'), configFile(limaHome, 'override.yaml'), host)
}

export function readConfig(lima: StandinLima, limaHome: string, name: string, host: { arch: string; home: string; warn: (msg: string) => void }): StandinConfig | undefined {
  const dir = instanceDir(limaHome, name)
  const file = join(dir, 'lima.yaml')
  if (!existsSync(file)) return undefined
  const doc: unknown = parse(readFileSync(file, 'utf8'))
  return loadConfig(lima, limaHome, isMap(doc) ? doc : {}, { ...host, cwd: dir })
}

/** The mount type the instance runs with: the config's, else the driver's choice at start (2.x: qemu 9p, vz virtiofs). */
export function effectiveMountType(config: StandinConfig): string {
  return config.mountType ?? (config.vmType === 'vz' ? 'virtiofs' : config.mountTypesUnsupported?.includes('9p') ? 'reverse-sshfs' : '9p')
}

/** The shares a config asks for, as limafs's testbed takes them: Lima's tag (by version) over Lima's location and mountPoint. */
export function sharesOf(lima: StandinLima, config: StandinConfig): ShareSetup[] {
  const mountType = effectiveMountType(config)
  return config.mounts.map((m, index) => {
    const base = { name: `mount${index}`, writable: m.writable, mountInotify: config.mountInotify }
    let shareConfig: ShareConfig
    if (mountType === '9p') {
      shareConfig = { ...base, mountType: '9p', ninep: { securityModel: m['9p'].securityModel as SecurityModel, protocolVersion: m['9p'].protocolVersion as ProtocolVersion, msize: m['9p'].msize, cache: m['9p'].cache as CacheMode } }
    } else if (mountType === 'reverse-sshfs') {
      // sftpDriver "" is auto: sshocker picks OpenSSH's sftp-server when there is one (DetectDriver).
      shareConfig = { ...base, mountType: 'reverse-sshfs', sshfs: { cache: m.sshfs.cache, followSymlinks: m.sshfs.followSymlinks, sftpDriver: (m.sshfs.sftpDriver || 'openssh-sftp-server') as SftpDriver } }
    } else {
      shareConfig = { ...base, mountType: 'virtiofs', virtiofs: { queueSize: m.virtiofs.queueSize ?? 1024 } }
    }
    return { config: shareConfig, tag: limaMountTagFor(lima.v, index, m.location, m.mountPoint), hostDir: m.location, mountPoint: m.mountPoint }
  })
}

export interface ListEntryInput {
  lima: StandinLima
  limaHome: string
  name: string
  config: StandinConfig
  running: boolean
  sshPort?: number
  qemuPid?: number
  createdBy?: string
  /** 1.x marshals Go errors as {} (pkg/store/instance.go has no MarshalJSON); 2.x as strings. */
  errors?: string[]
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
    // The version of the Lima that created it (the instance dir's lima-version file).
    limaVersion: i.createdBy ?? i.lima.text,
    ...(i.errors?.length ? { errors: isV2(i.lima) ? i.errors : i.errors.map(() => ({})) } : {}),
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
