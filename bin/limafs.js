#!/usr/bin/env node
// The limafs CLI runs from its TypeScript sources through tsx (no separate build step).
import { register } from 'tsx/esm/api'

register()
await import('../cli/main.ts')
