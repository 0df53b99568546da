// Which Lima the limactl STAND-IN plays: LIMA_STANDIN_VERSION (default 2.2.0), e.g. 1.2.2, 2.0.3,
// 2.1.4, 2.2.0. Each version-dependent behaviour of the stand-in asks this module, and each rule
// here names the Lima file it copies (lima-vm/lima at that tag). Test code.
import { atLeast, parseLimaVersion, type LimaVersion } from '../../provision/lima/lima-version.ts'

export interface StandinLima {
  text: string
  v: LimaVersion
}

export function standinLima(env: NodeJS.ProcessEnv = process.env): StandinLima {
  const text = env.LIMA_STANDIN_VERSION || '2.2.0'
  const v = parseLimaVersion(text)
  if (!v) throw new Error(`LIMA_STANDIN_VERSION=${text}: not a version (e.g. 1.2.2, 2.0.3, 2.2.0)`)
  return { text, v }
}

export const isV2 = (l: StandinLima) => atLeast(l.v, 2, 0)

/** Go's %q, and %#q (backquoted when it can be): 1.x formats its messages with %q, 2.2 with %#q. */
export function goQ(l: StandinLima, s: string, sharpSince22 = true): string {
  const sharp = sharpSince22 && atLeast(l.v, 2, 2)
  return sharp && !/[`\n\r]/.test(s) ? `\`${s}\`` : JSON.stringify(s)
}
