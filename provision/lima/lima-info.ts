// `limactl info` read at the boundary (pkg/limainfo/limainfo.go): one JSON object. version,
// vmTypes and limaHome exist in every Lima limafs supports; hostOS and hostArch since 2.0.0.
// Fields limafs does not use pass through.
import { z } from 'zod'
import { LimactlOutputError } from './list-json.ts'

const LimaInfoSchema = z.looseObject({
  version: z.string(),
  vmTypes: z.array(z.string()).nullish(),
  limaHome: z.string(),
  /** Since 2.0.0. */
  hostOS: z.string().nullish(),
  /** Since 2.0.0 ("aarch64", "x86_64"). */
  hostArch: z.string().nullish(),
  defaultTemplate: z.looseObject({}).nullish(),
})
export type LimaInfo = z.infer<typeof LimaInfoSchema>

export function parseLimaInfo(stdout: string): LimaInfo {
  let value: unknown
  try {
    value = JSON.parse(stdout)
  } catch (err) {
    throw new LimactlOutputError(`limactl info did not print JSON (${(err as Error).message}): ${stdout.slice(0, 120)}`, { hint: 'limactl info prints one JSON object in every Lima limafs supports (>= 1.1): check `limactl --version`' })
  }
  const parsed = LimaInfoSchema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new LimactlOutputError(`limactl info: ${issue.path.join('.') || '(the output)'}: ${issue.message}`, { hint: 'a Lima version limafs does not know? Run `limactl info` and report it' })
  }
  return parsed.data
}
