// The package as a user gets it: `npm pack` of this checkout (npm runs build.mjs through
// "prepare"), then `npm install TARBALL` in an empty dir, offline (the package bundles what it
// needs: no dependency to fetch). Used by the packaging test and the CLI start-up bench.
import { mkdtempSync, readdirSync, realpathSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface Installed {
  /** The tarball npm pack wrote. */
  tarball: string
  /** The files in it, as npm pack --json lists them. */
  files: string[]
  /** The empty dir it was installed into (node_modules/limafs and node_modules/.bin/limafs there). */
  dir: string
}

/** Packs this checkout and installs the tarball into a fresh empty dir under `parent` (default: the temp dir). */
export async function packAndInstall(parent = tmpdir()): Promise<Installed> {
  const work = realpathSync(mkdtempSync(join(parent, 'limafs-pack-')))
  const packed = await execa('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT })
  const [info] = JSON.parse(String(packed.stdout)) as Array<{ filename: string; files: Array<{ path: string }> }>
  const tarball = join(work, info!.filename)
  const dir = join(work, 'empty')
  await execa('mkdir', [dir])
  await execa('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: dir })
  return { tarball, files: info!.files.map((f) => f.path).sort(), dir }
}

/** What node_modules holds after the install: the package alone when it bundles its dependencies. */
export function installedPackages(dir: string): string[] {
  return readdirSync(join(dir, 'node_modules')).filter((n) => !n.startsWith('.')).sort()
}
