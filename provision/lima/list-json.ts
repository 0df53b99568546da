// `limactl list --json`, read at the boundary: ONE JSON object per line (not an array), each an
// instance (pkg/limatype/lima_instance.go). The fields limafs uses are typed and checked; fields
// it does not use pass through (Lima adds some in most releases). A line that is not a JSON
// object, or whose fields have the wrong types, is an error naming the line.
import { z } from 'zod'
import { InfraError } from '../errors.ts'

/** Lima's instance states (limatype.Status*). */
const LIMA_STATUSES = ['Running', 'Stopped', 'Broken', 'Installing', 'Uninitialized', ''] as const

const NinePSchema = z.looseObject({
  securityModel: z.string().nullish(),
  protocolVersion: z.string().nullish(),
  msize: z.string().nullish(),
  cache: z.string().nullish(),
})

const LimaMountSchema = z.looseObject({
  location: z.string(),
  mountPoint: z.string().nullish(),
  writable: z.boolean().nullish(),
  '9p': NinePSchema.nullish(),
  virtiofs: z.looseObject({ queueSize: z.number().int().nullish() }).nullish(),
  sshfs: z.looseObject({ cache: z.boolean().nullish(), followSymlinks: z.boolean().nullish(), sftpDriver: z.string().nullish() }).nullish(),
})
export type LimaMount = z.infer<typeof LimaMountSchema>

/** The filled-in lima.yaml, as list --json's `config` carries it. */
const LimaConfigSchema = z.looseObject({
  vmType: z.string().nullish(),
  arch: z.string().nullish(),
  /** Absent (or null) in 2.x when the yaml named none: the driver decides at start. */
  mountType: z.string().nullish(),
  mountTypesUnsupported: z.array(z.string()).nullish(),
  mountInotify: z.boolean().nullish(),
  mounts: z.array(LimaMountSchema).nullish(),
  user: z.looseObject({ name: z.string().nullish(), uid: z.number().nullish(), passwordlessSudo: z.boolean().nullish() }).nullish(),
})
export type LimaConfig = z.infer<typeof LimaConfigSchema>

const LimaInstanceSchema = z.looseObject({
  name: z.string().min(1),
  hostname: z.string().optional(),
  status: z.enum(LIMA_STATUSES),
  dir: z.string(),
  vmType: z.string(),
  arch: z.string(),
  cpus: z.number().int().optional(),
  /** Bytes. */
  memory: z.number().optional(),
  /** Bytes. */
  disk: z.number().optional(),
  sshLocalPort: z.number().int().optional(),
  sshConfigFile: z.string().optional(),
  sshAddress: z.string().optional(),
  hostAgentPID: z.number().int().optional(),
  driverPID: z.number().int().optional(),
  /** Strings since 2.0 (Instance.MarshalJSON); 1.x marshals Go errors as {} (pkg/store/instance.go has none). */
  errors: z.array(z.union([z.string(), z.record(z.string(), z.unknown()).transform(() => 'an error Lima 1.x does not print in JSON (limactl list shows it)')])).optional(),
  config: LimaConfigSchema.optional(),
  limaVersion: z.string().optional(),
})
export type LimaInstance = z.infer<typeof LimaInstanceSchema>

/** limactl printed something limafs can't read. */
export class LimactlOutputError extends InfraError {
  override name = 'LimactlOutputError'
}

/** Every instance in `limactl list --json` output; an empty output is no instance. */
export function parseListJson(stdout: string): LimaInstance[] {
  const instances: LimaInstance[] = []
  stdout.split('\n').forEach((line, index) => {
    if (!line.trim()) return
    const where = `limactl list --json, line ${index + 1}`
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (err) {
      throw new LimactlOutputError(`${where} is not JSON (${(err as Error).message}): ${line.slice(0, 120)}`, {
        hint: 'limactl list --json prints one JSON object per line since Lima 0.x: check `limactl --version`',
      })
    }
    const parsed = LimaInstanceSchema.safeParse(value)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      throw new LimactlOutputError(`${where}: ${issue.path.join('.') || '(the line)'}: ${issue.message}`, { hint: 'a Lima version limafs does not know? Run `limactl list --json` and report it' })
    }
    instances.push(parsed.data)
  })
  return instances
}
