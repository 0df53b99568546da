// Builds the guest agent: ONE file, dist/limafs-agent.mjs, for Node >= 18, nothing beside it.
// Run by `npm run build` (and by npm ci through "prepare").
import { build } from 'esbuild'

export const AGENT_BUNDLE = new URL('./dist/limafs-agent.mjs', import.meta.url).pathname

await build({
  entryPoints: [new URL('./agent/main.ts', import.meta.url).pathname],
  outfile: AGENT_BUNDLE,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node18',
  minify: true,
  legalComments: 'none',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
})
