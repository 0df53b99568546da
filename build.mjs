// Builds the two bundles (`npm run build`; npm ci and npm pack run it through "prepare"):
//  - dist/limafs-agent.mjs: the guest agent, ONE file for Node >= 18, nothing beside it;
//  - dist/limafs.mjs: the limafs CLI for Node >= 20 (bin/limafs.js runs it; no tsx at run time),
//    its dependencies bundled in; each command is a chunk of its own (dist/limafs-*-HASH.mjs)
//    loaded only when it runs, so `limafs --help` loads almost nothing. The chunks sit beside
//    the entry because the CLI finds dist/limafs-agent.mjs and dist/default-matrix.yaml (the
//    built-in matrix, copied there) relative to its own modules.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { basename } from 'node:path'
import { build } from 'esbuild'

const path = (p) => new URL(p, import.meta.url).pathname

export const AGENT_BUNDLE = path('./dist/limafs-agent.mjs')
export const CLI_BUNDLE = path('./dist/limafs.mjs')

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
}

await build({
  ...common,
  entryPoints: [path('./agent/main.ts')],
  outfile: AGENT_BUNDLE,
  target: 'node18',
  banner: { js: '#!/usr/bin/env node' },
})

/** The CLI's chunks: limafs-<module>-<hash>.mjs. */
const CLI_CHUNK = /^limafs-.+-[A-Z0-9]{8}\.mjs$/

const cli = await build({
  ...common,
  entryPoints: { limafs: path('./cli/main.ts') },
  outdir: path('./dist/'),
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'limafs-[name]-[hash]',
  metafile: true,
  target: 'node20',
  // ssh2's optional native crypto addon: absent, ssh2 uses its pure-JS code (as when the addon's build fails).
  external: ['*.node'],
  // CommonJS dependencies (ssh2) use require() and __dirname, which an ES module has not.
  banner: {
    js: [
      "import { createRequire as __limafsRequire } from 'node:module';",
      "import { dirname as __limafsDirname } from 'node:path';",
      "import { fileURLToPath as __limafsPath } from 'node:url';",
      'const require = __limafsRequire(import.meta.url);',
      'const __filename = __limafsPath(import.meta.url);',
      'const __dirname = __limafsDirname(__filename);',
    ].join(' '),
  },
})

// Chunks of earlier builds go: `files` ships dist/ as it is.
const written = new Set(Object.keys(cli.metafile.outputs).map((f) => basename(f)))
for (const name of readdirSync(path('./dist/'))) if (CLI_CHUNK.test(name) && !written.has(name)) rmSync(path(`./dist/${name}`))

mkdirSync(path('./dist/'), { recursive: true })
copyFileSync(path('./provision/matrix/default-matrix.yaml'), path('./dist/default-matrix.yaml'))
