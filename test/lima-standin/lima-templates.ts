// The limactl STAND-IN's template handling, per Lima version: reading a locator
// (pkg/limatmpl/locator.go Read, SeemsTemplateURL, InstNameFromYAMLPath, transformCustomURL),
// the few built-in templates limafs's tests use (templates/default.yaml, _default/mounts.yaml,
// _images/ubuntu*.yaml, copied from each tag with their image lists cut to what is read), and
// embedding `base:` (pkg/limatmpl/embed.go: the template's own values win, lists are appended).
// Test code.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parse } from 'yaml'
import { goQ, isV2, type StandinLima } from './lima-version.ts'

export class LimaError extends Error {}

export type Doc = Record<string, unknown>

/** pkg/identifiers/validate.go identifierRe, as Go prints it. */
const IDENTIFIER_RE_TEXT = '^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$'
const IDENTIFIER_RE = new RegExp(IDENTIFIER_RE_TEXT)

/** templates/_images/ubuntu-24.04.yaml: the image list Lima would download from (not downloaded here). */
const UBUNTU_24_04 = `images:
- location: "https://cloud-images.ubuntu.com/releases/noble/release/ubuntu-24.04-server-cloudimg-amd64.img"
  arch: "x86_64"
- location: "https://cloud-images.ubuntu.com/releases/noble/release/ubuntu-24.04-server-cloudimg-arm64.img"
  arch: "aarch64"
`

/** Built-in templates by name, per version: 1.x mounts /tmp/lima writable too (templates/_default/mounts.yaml). */
function builtin(lima: StandinLima, name: string): string | undefined {
  const v2 = isV2(lima)
  const t = (n: string) => (v2 ? `template:${n}` : `template://${n}`)
  switch (name) {
    case 'default':
      return `minimumLimaVersion: ${v2 ? '2.0.0' : '1.1.0'}\nbase:\n- ${t('_images/ubuntu')}\n- ${t('_default/mounts')}\n`
    case '_default/mounts':
      return v2 ? 'mounts:\n- location: "~"\n' : 'mounts:\n- location: "~"\n- location: "{{.GlobalTempDir}}/lima"\n  mountPoint: /tmp/lima\n  writable: true\n'
    case '_images/ubuntu':
    case '_images/ubuntu-24.04':
      return UBUNTU_24_04
    default:
      return undefined
  }
}

/** pkg/limatmpl/locator.go InstNameFromYAMLPath. */
function instNameFromYAMLPath(lima: StandinLima, yamlPath: string): string {
  const base = yamlPath.split('/').pop() || '.'
  const s = base.toLowerCase().replace(/\.yml$/, '').replace(/\.yaml$/, '')
  if (!IDENTIFIER_RE.test(s)) {
    throw new LimaError(`filename ${goQ(lima, yamlPath)} is invalid: identifier ${goQ(lima, s)} must match ${IDENTIFIER_RE_TEXT}`)
  }
  return s
}

/**
 * SeemsTemplateURL: Go's url.Parse makes `template:NAME` opaque (no host, no path) and
 * `template://A/B` host A, path /B. 1.x joins host and path (empty for the opaque form);
 * 2.x takes the opaque part, and first rewrites `template://` with a warning (transformCustomURL).
 */
function templateName(lima: StandinLima, locator: string, warn: (msg: string) => void): string | undefined {
  if (!locator.startsWith('template:')) return undefined
  const rest = locator.slice('template:'.length)
  const opaque = !rest.startsWith('/')
  if (isV2(lima)) {
    if (opaque) return rest
    const name = rest.replace(/^\/+/, '')
    warn(`Template locator ${goQ(lima, locator)} should be written ${goQ(lima, `template:${name}`)} since Lima v2.0`)
    return name
  }
  return opaque ? '' : rest.replace(/^\/+/, '')
}

/** pkg/limatmpl/locator.go Read: a template's name and document. */
export function readTemplate(lima: StandinLima, locator: string, o: { cwd: string; warn: (msg: string) => void }): { name: string; doc: Doc } {
  const name = templateName(lima, locator, o.warn)
  if (name !== undefined) {
    const instName = instNameFromYAMLPath(lima, name)
    if (name.includes('..')) throw new LimaError(`template name ${goQ(lima, name)} must not contain ".."`)
    const text = builtin(lima, name.replace(/\.yaml$/, ''))
    if (text === undefined) throw new LimaError(`template ${goQ(lima, `${name}.yaml`)} not found (the stand-in has default, _default/mounts, _images/ubuntu and _images/ubuntu-24.04)`)
    return { name: instName, doc: (parse(text) ?? {}) as Doc }
  }
  if (/^[a-z]+:\/\//.test(locator)) throw new LimaError(`the stand-in reads files and template: locators, not ${locator}`)
  const path = resolve(o.cwd, locator)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new LimaError(`open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`)
  }
  return { name: instNameFromYAMLPath(lima, locator), doc: (parse(text) ?? {}) as Doc }
}

/** Lists a template's base locators (a string or a list of strings or {url}). */
function bases(doc: Doc): string[] {
  const b = doc.base
  if (b === undefined || b === null) return []
  return (Array.isArray(b) ? b : [b]).map((x) => (typeof x === 'string' ? x : String((x as { url?: unknown }).url ?? '')))
}

/** pkg/limatmpl/embed.go, simplified: every base merged under the template (its values win; lists appended after its own). */
export function embed(lima: StandinLima, doc: Doc, o: { cwd: string; warn: (msg: string) => void }, seen = new Set<string>()): Doc {
  let merged: Doc = { ...doc }
  delete merged.base
  for (const locator of bases(doc)) {
    if (seen.has(locator)) throw new LimaError(`base template loop detected: template ${goQ(lima, locator)} already included`)
    seen.add(locator)
    const base = embed(lima, readTemplate(lima, locator, o).doc, o, seen)
    merged = mergeUnder(merged, base)
  }
  return merged
}

/** `top` over `bottom`: scalars and maps from top when set (maps merged), lists top's then bottom's. */
export function mergeUnder(top: Doc, bottom: Doc): Doc {
  const out: Doc = { ...bottom }
  for (const [k, v] of Object.entries(top)) {
    const b = bottom[k]
    if (v === null || v === undefined) continue
    if (Array.isArray(v) && Array.isArray(b)) out[k] = [...v, ...b]
    else if (isMap(v) && isMap(b)) out[k] = mergeUnder(v, b)
    else out[k] = v
  }
  return out
}

export const isMap = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v)
