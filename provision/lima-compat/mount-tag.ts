// Lima's 9p/virtiofs mount tag. Since 2.2 (pkg/limayaml/defaults.go MountTag):
// "lima-" + the first 8 bytes of sha256(location + ":" + mountPoint), in hex; 2.1.x joined the
// two with "\x00" (v2.1.0 defaults.go, commit c30cc31f); up to 2.0, "mount%d" by the mount's
// index (v1.2.2 pkg/driver/qemu/qemu.go and pkg/cidata/cidata.go: fmt.Sprintf("mount%d", i)).
import { createHash } from 'node:crypto'

const hashTag = (location: string, sep: string, mountPoint: string) =>
  `lima-${createHash('sha256').update(`${location}${sep}${mountPoint}`).digest().subarray(0, 8).toString('hex')}`

/** The tag Lima >= 2.2 gives a mount. */
export function limaMountTag(location: string, mountPoint: string): string {
  return hashTag(location, ':', mountPoint)
}

/** The tag a given Lima version gives mount number `index` (undefined version: the newest). */
export function limaMountTagFor(version: { major: number; minor: number } | undefined, index: number, location: string, mountPoint: string): string {
  if (!version || version.major > 2 || (version.major === 2 && version.minor >= 2)) return limaMountTag(location, mountPoint)
  if (version.major === 2 && version.minor === 1) return hashTag(location, '\x00', mountPoint)
  return `mount${index}`
}
