// Lima's 9p/virtiofs mount tag (pkg/limayaml/defaults.go MountTag, Lima >= 2.2):
// "lima-" + the first 8 bytes of sha256(location + ":" + mountPoint), in hex.
import { createHash } from 'node:crypto'

export function limaMountTag(location: string, mountPoint: string): string {
  const sha = createHash('sha256').update(`${location}:${mountPoint}`).digest()
  return `lima-${sha.subarray(0, 8).toString('hex')}`
}
