// `--instance NAME`: an instance the user already has, tested on its own writable mounts as its
// filled-in config (list --json `config`) describes them, and otherwise left as it is. Pure.
import { homedir } from 'node:os'
import { join } from 'node:path'
import {
  DEFAULT_9P_CACHE_READONLY,
  DEFAULT_9P_CACHE_WRITABLE,
  DEFAULT_9P_MSIZE,
  DEFAULT_9P_PROTOCOL_VERSION,
  DEFAULT_9P_SECURITY_MODEL,
  DEFAULT_VIRTIOFS_QUEUE_SIZE,
} from '../lima-compat/defaults.ts'
import { limaMountTag } from '../lima-compat/mount-tag.ts'
import { UsageError } from '../errors.ts'
import { configNamesForPaths } from '../mount-config-name.ts'
import { CACHE_MODES, PROTOCOL_VERSIONS, SECURITY_MODELS, type ShareConfig, type ShareSetup } from '../types.ts'
import type { LimaInstance, LimaMount } from './list-json.ts'

/** Lima expands a leading ~ in locations to the host user's home. */
export function expandHome(path: string, home: string = homedir()): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path
}

function oneOf<T extends string>(value: string | null | undefined, allowed: readonly T[], fallback: T, what: string): T {
  if (value === null || value === undefined || value === '') return fallback
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${what}: ${JSON.stringify(value)} is not one of ${allowed.join('|')}`)
  return value as T
}

function configOf(name: string, mountType: '9p' | 'virtiofs', mount: LimaMount, instance: string): ShareConfig {
  const writable = mount.writable ?? false
  if (mountType === 'virtiofs') return { name, mountType, writable, virtiofs: { queueSize: mount.virtiofs?.queueSize ?? DEFAULT_VIRTIOFS_QUEUE_SIZE } }
  const p = mount['9p']
  const where = `instance ${instance}, mount ${mount.location}`
  return {
    name, mountType, writable,
    ninep: {
      securityModel: oneOf(p?.securityModel, SECURITY_MODELS, DEFAULT_9P_SECURITY_MODEL, `${where}: 9p.securityModel`),
      protocolVersion: oneOf(p?.protocolVersion, PROTOCOL_VERSIONS, DEFAULT_9P_PROTOCOL_VERSION, `${where}: 9p.protocolVersion`),
      msize: p?.msize || DEFAULT_9P_MSIZE,
      cache: oneOf(p?.cache, CACHE_MODES, writable ? DEFAULT_9P_CACHE_WRITABLE : DEFAULT_9P_CACHE_READONLY, `${where}: 9p.cache`),
    },
  }
}

/** The instance's writable mounts as shares under test; the host bridge serves their locations. */
export function sharesOfInstance(instance: LimaInstance, home: string = homedir()): ShareSetup[] {
  const mountType = instance.config?.mountType
  if (mountType !== '9p' && mountType !== 'virtiofs') {
    throw new UsageError(`instance ${instance.name} shares with mountType ${JSON.stringify(mountType ?? null)}; limafs tests 9p and virtiofs shares`)
  }
  const writable = (instance.config?.mounts ?? []).filter((m) => m.writable)
  if (!writable.length) {
    throw new UsageError(`instance ${instance.name} has no writable mount: limafs needs to create files on a share (add one with \`writable: true\` in its lima.yaml)`)
  }
  const locations = writable.map((m) => expandHome(m.location, home))
  // list --json's config is filled in: locations expanded, mountPoint set (guest paths: never host-expanded).
  const mountPoints = writable.map((m, i) => m.mountPoint || locations[i]!)
  const names = configNamesForPaths(mountPoints)
  return writable.map((mount, i) => ({
    config: configOf(names[i]!, mountType, mount, instance.name),
    tag: limaMountTag(locations[i]!, mountPoints[i]!),
    hostDir: locations[i]!,
    mountPoint: mountPoints[i]!,
  }))
}
