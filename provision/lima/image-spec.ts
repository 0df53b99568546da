// `--image`: which guest image the instances boot. Either a Lima image template by name (Lima
// resolves it: `_images/ubuntu-24.04` moves with each Lima release) or image files pinned by
// location, digest and arch (the same guest on two Lima versions, for the upgrade gate):
//   --image ubuntu-24.04
//   --image https://.../ubuntu-24.04-server-cloudimg-arm64.img,digest=sha256:HEX,arch=aarch64  (repeatable: one per arch)
// Pure; the result becomes lima.yaml's `base:` or `images:` (pkg/limatype/lima_yaml.go Image: location, arch, digest).
import { UsageError } from '../errors.ts'

/** Lima's arch names (limatype.Arch). */
export const LIMA_ARCHES = ['x86_64', 'aarch64', 'armv7l', 'riscv64', 'ppc64le', 's390x'] as const

export interface PinnedImage {
  location: string
  arch?: string
  /** "sha256:HEX" (Lima verifies the download against it). */
  digest?: string
}

export type ImageSpec = { template: string } | { images: PinnedImage[] }

/** Lima's default guest (templates/_images/ubuntu-24.04.yaml): Node 18.19 from apt, a 6.8 kernel (9p is broken in 6.9-6.11). */
export const DEFAULT_LIMA_IMAGE = 'ubuntu-24.04'

/** An image file rather than a template name: a URL, an absolute or ~ path, or an image extension (Lima's imageURLRegex). */
function isImageFile(location: string): boolean {
  if (location.startsWith('template:')) return false
  return /:\/\//.test(location) || location.startsWith('/') || location.startsWith('~') || /\.(img|qcow2|raw|iso)(\.(gz|xz|bz2|zstd?))?$/.test(location)
}

/** One --image value: LOCATION[,digest=sha256:HEX][,arch=ARCH]. */
function pinnedImage(value: string): PinnedImage {
  const [location, ...fields] = value.split(',')
  if (!location || !isImageFile(location)) throw new UsageError(`--image ${JSON.stringify(value)}: digest= and arch= go with an image file's URL or path, not a template name`)
  const image: PinnedImage = { location }
  for (const field of fields) {
    const eq = field.indexOf('=')
    const key = field.slice(0, eq)
    const v = field.slice(eq + 1)
    if (key === 'digest') {
      if (!/^sha(256|512):[0-9a-f]+$/.test(v)) throw new UsageError(`--image ${location}: digest must be sha256:HEX (or sha512:HEX), got ${JSON.stringify(v)}`)
      image.digest = v
    } else if (key === 'arch') {
      if (!(LIMA_ARCHES as readonly string[]).includes(v)) throw new UsageError(`--image ${location}: arch must be one of ${LIMA_ARCHES.join('|')}, got ${JSON.stringify(v)}`)
      image.arch = v
    } else throw new UsageError(`--image ${location}: unknown field ${JSON.stringify(field)} (known: digest=sha256:HEX, arch=${LIMA_ARCHES.join('|')})`)
  }
  return image
}

/** --image values (repeatable) to an image spec; none: Lima's default template. */
export function parseImageSpec(values: readonly string[] | undefined): ImageSpec {
  if (!values?.length) return { template: `_images/${DEFAULT_LIMA_IMAGE}` }
  if (values.length === 1 && !isImageFile(values[0]!.split(',')[0]!)) {
    // A template, as Lima writes it (template:NAME, template://NAME: kept as named) or a bare image
    // template's name (NAME: templates/_images/NAME.yaml).
    const given = values[0]!
    const name = given.replace(/^template:(\/\/)?/, '')
    if (name.includes(',')) throw new UsageError(`--image ${JSON.stringify(given)}: digest= and arch= go with an image file's URL or path, not a template name`)
    if (!name) throw new UsageError(`--image ${JSON.stringify(given)}: not a template name`)
    return { template: given.startsWith('template:') || name.includes('/') ? name : `_images/${name}` }
  }
  const images = values.map(pinnedImage)
  const arches = images.map((i) => i.arch ?? '(no arch)')
  if (new Set(arches).size !== arches.length) throw new UsageError(`--image: one image per arch, got ${arches.join(', ')}`)
  return { images }
}
