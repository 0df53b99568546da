// What a host-bridge verb is: its one-line doc, the zod schema of its args (checked at the
// boundary, before anything runs), whose rights it acts with, and how the helper's value becomes
// the agent's answer. A verb family (a file each) holds its verbs and the Python that runs them.
import { z } from 'zod'

export interface Owner {
  uid: number
  gid: number
}

export interface VerbSpec<A = never> {
  /** One line: what it does (the verb table in README.md says the same). */
  doc: string
  args: z.ZodType<A>
  /** The request also names `args.to`: a second path in a scratch dir of the same share. */
  to?: boolean
  /** When limafs runs as root: act as root (only what needs it) instead of as the share's owner. */
  asRoot?: (args: A, owner: Owner) => boolean
  /** The args as the helper takes them (content travels as base64). */
  toHelper?: (args: A) => Record<string, unknown>
  /** The helper's value as the agent gets it. */
  answer?: (value: unknown, path: string) => unknown
}

export interface VerbFamily {
  /** The family's Python: functions registered with @op('verb'). */
  python: string
  verbs: Record<string, VerbSpec<never>>
}

/** Declares a verb with its args' type carried from the schema to the hooks. */
export const verb = <A>(spec: VerbSpec<A>): VerbSpec<never> => spec as unknown as VerbSpec<never>

export const NoArgs = z.object({}).strict()

/** Largest content a request may carry (write, append, replace), and a `read` returns. */
export const MAX_CONTENT_BYTES = 1024 * 1024

/** A path relative to the mount, as requests name it: `to` of rename, link and copy. */
export const RelPath = z.string().min(1).max(4096)

/** Content to write: text, at most MAX_CONTENT_BYTES once UTF-8 encoded. */
export const Content = z.object({
  content: z.string().refine((s) => Buffer.byteLength(s) <= MAX_CONTENT_BYTES, `must be at most ${MAX_CONTENT_BYTES} bytes (UTF-8)`),
}).strict()

export const contentToHelper = (a: { content: string }) => ({ content: Buffer.from(a.content, 'utf8').toString('base64') })

/** A uid or gid: 0 to 2^32-2 (2^32-1 is -1, "leave it"). */
export const Id = z.number().int().min(0).max(2 ** 32 - 2)
