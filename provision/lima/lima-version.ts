// What differs between the Lima versions a user may have (1.x and 2.x), for what limafs writes
// and reads. Pure; each rule names the Lima source it comes from (lima-vm/lima at the tags).

export interface LimaVersion {
  major: number
  minor: number
  patch: number
  /** As limactl printed it. */
  text: string
}

/** "2.2.0", "v1.2.2", "2.1.0-rc.1"; undefined for a build without a release number ("HEAD-1234abc"). */
export function parseLimaVersion(text: string): LimaVersion | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim())
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: text.trim() } : undefined
}

/** At least major.minor.patch; a build without a version is taken as the newest (a source build). */
export function atLeast(version: LimaVersion | undefined, major: number, minor: number, patch = 0): boolean {
  if (!version) return true
  return version.major !== major ? version.major > major : version.minor !== minor ? version.minor > minor : version.patch >= patch
}

/** The oldest Lima limafs's lima.yaml works with: `base:` with a template:// locator (1.1.0). */
export const MINIMUM_LIMA_VERSION = '1.1.0'

/**
 * A template locator this Lima reads. pkg/limatmpl/locator.go SeemsTemplateURL: 1.x takes
 * path.Join(u.Host, u.Path), which is empty for the opaque `template:NAME` (create then fails with
 * `filename "" is invalid`); 2.x takes u.Opaque, and rewrites `template://NAME` with a warning
 * ("should be written `template:NAME` since Lima v2.0", transformCustomURL).
 */
export function templateLocator(name: string, version: LimaVersion | undefined): string {
  return atLeast(version, 2, 0) ? `template:${name}` : `template://${name}`
}

/** `limactl start --progress` exists since 2.0.0 (cmd/limactl/start.go); 1.x refuses the flag. */
export function hasStartProgress(version: LimaVersion | undefined): boolean {
  return atLeast(version, 2, 0)
}

/** `user.passwordlessSudo` exists since 2.2.0 (pkg/limatype/lima_yaml.go, defaults.go). */
export function hasPasswordlessSudoSetting(version: LimaVersion | undefined): boolean {
  return atLeast(version, 2, 2)
}

/**
 * How Lima merges mounts of default.yaml, the instance's yaml and override.yaml
 * (pkg/limayaml/defaults.go FillDefault): by location up to 1.x, by mountPoint since 2.0.
 */
export function mountMergeKey(version: LimaVersion | undefined): 'location' | 'mountPoint' {
  return atLeast(version, 2, 0) ? 'mountPoint' : 'location'
}

/**
 * Whether `limactl list --json` fills `mountType`: 1.x's FillDefault does (vz: virtiofs, qemu: 9p);
 * 2.x leaves it to the driver at start, so a yaml without one lists none (pkg/driver/qemu
 * qemu_driver.go, vz_driver_darwin.go).
 */
export function listFillsMountType(version: LimaVersion | undefined): boolean {
  return !atLeast(version, 2, 0)
}
