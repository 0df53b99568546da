// `--instance NAME`: an instance the user already has, tested on its own writable mounts as its
// filled-in config (list --json `config`) describes them, and otherwise left as it is. Pure.
import { homedir } from 'node:os'
import { join } from 'node:path'
import { limaMountTag } from '../lima-compat/mount-tag.ts'
import { UsageError } from '../errors.ts'
import { fillConfig } from '../matrix/fill-defaults.ts'
import { checkConfig } from '../matrix/schema.ts'
import { configNamesForPaths } from '../mount-config-name.ts'
import type { ShareConfig, ShareSetup } from '../types.ts'
import type { LimaInstance, LimaMount } from './list-json.ts'

/** Lima expands a leading ~ in locations to the host user's home. */
export function expandHome(path: string, home: string = homedir()): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path
}

/** A mount of the instance as a matrix config: checked by the matrix's schema, filled by its defaults (one place for both). */
function configOf(name: string, mountType: '9p' | 'virtiofs', mount: LimaMount, instance: string): ShareConfig {
  const blank = (v: string | null | undefined) => (v === '' ? undefined : v)
  const p = mount['9p']
  const input = {
    name, mountType, writable: mount.writable ?? false,
    ...(mountType === '9p'
      ? { '9p': { securityModel: blank(p?.securityModel), protocolVersion: blank(p?.protocolVersion), msize: blank(p?.msize), cache: blank(p?.cache) } }
      : { virtiofs: { queueSize: mount.virtiofs?.queueSize } }),
  }
  const { config, problems } = checkConfig(input)
  if (!config) throw new UsageError(problems.map((p) => `instance ${instance}, mount ${mount.location}: ${p.path.join('.')}: ${p.message}`).join('\n'))
  return fillConfig(config)
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
