// `--instance NAME`: an instance the user already has, tested on its own mounts (writable and
// read-only: Lima's default template mounts only ~, read-only) as its filled-in config (list
// --json `config`) describes them, and otherwise left as it is. Pure.
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { MountInfo } from '../../agent/mountinfo.ts'
import { mountOf } from '../../agent/mountinfo.ts'
import { FS_TYPE_OF, mountTypeOfFs } from '../lima-compat/fs-type.ts'
import { limaMountTagFor } from '../lima-compat/mount-tag.ts'
import { UsageError } from '../errors.ts'
import { fillConfig } from '../matrix/fill-defaults.ts'
import { checkConfig } from '../matrix/schema.ts'
import { configNamesForPaths } from '../mount-config-name.ts'
import type { MountType, ShareConfig, ShareSetup } from '../types.ts'
import type { LimaVersion } from './lima-version.ts'
import type { LimaInstance, LimaMount } from './list-json.ts'

/** Lima expands a leading ~ in locations to the host user's home. */
export function expandHome(path: string, home: string = homedir()): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path
}

export interface ResolvedMountType {
  mountType: MountType
  /** How it was known: the filled config said it, or (2.x lists none) the driver's choice, checked in the guest. */
  from: 'config' | 'vmType' | 'mountinfo'
  note?: string
}

/**
 * The instance's mount type. 1.x lists it; 2.x leaves it null when the yaml named none, and the
 * driver picks it at start (pkg/driver/qemu qemu_driver.go FillConfig: 9p, or reverse-sshfs
 * when mountTypesUnsupported has 9p; vz_driver_darwin.go: virtiofs; krunkit: virtiofs). Either
 * way, what the guest's mountinfo says at the mount points is what was tested.
 */
export function resolveMountType(instance: LimaInstance, mountinfo: readonly MountInfo[] | undefined, home: string = homedir()): ResolvedMountType {
  const listed = instance.config?.mountType
  const unsupported = instance.config?.mountTypesUnsupported ?? []
  const byDriver: string | undefined = instance.vmType === 'qemu' ? (unsupported.includes('9p') ? 'reverse-sshfs' : '9p') : instance.vmType === 'vz' || instance.vmType === 'krunkit' ? 'virtiofs' : undefined
  const wanted = listed || byDriver
  const seen = new Set((instance.config?.mounts ?? []).flatMap((m) => {
    const at = m.mountPoint || expandHome(m.location, home)
    const found = mountinfo ? mountOf(mountinfo, at) : undefined
    return found && found.mountPoint === at ? [found.fsType] : []
  }))
  const observed = [...seen].map(mountTypeOfFs).find((t) => t !== undefined)
  if (observed && wanted !== observed) {
    return { mountType: observed, from: 'mountinfo', note: `limactl list says mountType ${JSON.stringify(listed ?? null)} (vmType ${instance.vmType}); the guest's mountinfo says ${FS_TYPE_OF[observed]}: testing that` }
  }
  if (wanted === '9p' || wanted === 'virtiofs' || wanted === 'reverse-sshfs') return { mountType: wanted, from: listed ? 'config' : 'vmType', ...(listed ? {} : { note: `limactl list shows no mountType (Lima 2.x leaves it to the driver): ${wanted} from vmType ${instance.vmType}${observed ? ', as the guest\'s mountinfo confirms' : ''}` }) }
  throw new UsageError(`instance ${instance.name} shares with mountType ${JSON.stringify(wanted ?? null)} (vmType ${instance.vmType}); limafs tests 9p, virtiofs and reverse-sshfs shares`)
}

/** A mount of the instance as a matrix config: checked by the matrix's schema, filled by its defaults (one place for both). */
function configOf(name: string, mountType: MountType, mount: LimaMount, instance: LimaInstance): ShareConfig {
  const blank = <T>(v: T | null | undefined) => (v === '' || v === null ? undefined : v)
  const p = mount['9p']
  const input = {
    name, mountType, writable: mount.writable ?? false, mountInotify: instance.config?.mountInotify ?? false,
    ...(mountType === '9p' ? { '9p': { securityModel: blank(p?.securityModel), protocolVersion: blank(p?.protocolVersion), msize: blank(p?.msize), cache: blank(p?.cache) } } : {}),
    ...(mountType === 'virtiofs' ? { virtiofs: { queueSize: blank(mount.virtiofs?.queueSize) } } : {}),
    ...(mountType === 'reverse-sshfs' ? { sshfs: { cache: blank(mount.sshfs?.cache), followSymlinks: blank(mount.sshfs?.followSymlinks), sftpDriver: blank(mount.sshfs?.sftpDriver) } } : {}),
  }
  const { config, problems } = checkConfig(input)
  if (!config) throw new UsageError(problems.map((p) => `instance ${instance.name}, mount ${mount.location}: ${p.path.join('.')}: ${p.message}`).join('\n'))
  return fillConfig(config)
}

/** The instance's mounts as shares under test; the host bridge serves their locations. */
export function sharesOfInstance(instance: LimaInstance, mountType: MountType, o: { home?: string; limaVersion?: LimaVersion | undefined } = {}): ShareSetup[] {
  const home = o.home ?? homedir()
  const mounts = instance.config?.mounts ?? []
  if (!mounts.length) throw new UsageError(`instance ${instance.name} has no mounts: limafs tests an instance's shares (add one to its lima.yaml)`)
  const locations = mounts.map((m) => expandHome(m.location, home))
  // list --json's config is filled in: locations expanded, mountPoint set (guest paths: never host-expanded).
  const mountPoints = mounts.map((m, i) => m.mountPoint || locations[i]!)
  const names = configNamesForPaths(mountPoints)
  return mounts.map((mount, i) => ({
    config: configOf(names[i]!, mountType, mount, instance),
    tag: limaMountTagFor(o.limaVersion, i, locations[i]!, mountPoints[i]!),
    hostDir: locations[i]!,
    mountPoint: mountPoints[i]!,
  }))
}
