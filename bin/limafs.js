#!/usr/bin/env node
// The limafs CLI: its bundle, built from cli/ by `npm run build` (npm ci and npm pack build it too).
import { existsSync } from 'node:fs'

const bundle = new URL('../dist/limafs.mjs', import.meta.url)
if (!existsSync(bundle)) {
  process.stderr.write(`limafs: ${bundle.pathname} is missing: build it with \`npm run build\` (npm ci does)\n`)
  process.exit(2)
}
await import(bundle.href)
