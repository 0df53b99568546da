// Rules across entries of the matrix, which the schema (one value at a time) cannot see: a 9p
// block on a virtiofs config, duplicate config names or suites, expect entries that match no config.
// They run on a lenient view of the raw document, so they report even when the shape has problems.
import { z } from 'zod'
import { MOUNT_TYPES, SETTINGS_BLOCK, type MountType } from '../types.ts'
import { globMatch } from '../../agent/glob.ts'
import type { PathProblem } from './types.ts'

const maybeString = z.string().optional().catch(undefined)
const LenientDocument = z
  .object({
    configs: z.array(z.looseObject({ name: maybeString, mountType: maybeString }).catch({})).catch([]),
    suites: z.array(z.unknown()).catch([]),
    expect: z.array(z.looseObject({ config: maybeString }).catch({})).catch([]),
  })
  .catch({ configs: [], suites: [], expect: [] })

/** Cross-entry problems in a matrix document (the plain value read-yaml.ts gives). */
export function validate(doc: unknown): PathProblem[] {
  const { configs, suites, expect } = LenientDocument.parse(doc)
  const problems: PathProblem[] = []
  const firstIndex = new Map<string, number>()
  for (const [i, config] of configs.entries()) {
    // Each mount type has its own settings block: `9p:`, `virtiofs:`, `sshfs:` (reverse-sshfs).
    for (const type of MOUNT_TYPES) {
      const block = SETTINGS_BLOCK[type]
      if (Object.hasOwn(config, block) && isMountType(config.mountType) && config.mountType !== type) {
        problems.push({ path: ['configs', i, block], at: 'key', message: `only for mountType ${type}; this config is ${config.mountType}` })
      }
    }
    if (config.name === undefined) continue
    const first = firstIndex.get(config.name)
    if (first === undefined) firstIndex.set(config.name, i)
    else problems.push({ path: ['configs', i, 'name'], message: `duplicate config name ${JSON.stringify(config.name)} (also configs[${first}])` })
  }
  for (const [i, suite] of suites.entries()) {
    const first = suites.indexOf(suite)
    if (typeof suite === 'string' && first < i) problems.push({ path: ['suites', i], message: `${JSON.stringify(suite)} is listed twice (also suites[${first}])` })
  }
  const names = configs.flatMap((c) => (c.name === undefined ? [] : [c.name]))
  for (const [i, entry] of expect.entries()) {
    if (!entry.config?.trim()) continue
    if (!names.some((name) => globMatch(entry.config!.trim(), name))) {
      problems.push({ path: ['expect', i, 'config'], message: `${JSON.stringify(entry.config)} matches no config name` })
    }
  }
  return problems
}

function isMountType(value: string | undefined): value is MountType {
  return (MOUNT_TYPES as readonly (string | undefined)[]).includes(value)
}
