// Scratch dirs: PATH/.limafs-XXXXXX, and nothing else.
import * as fs from 'node:fs'
import { join } from 'node:path'
import type { OpFamily } from './op-env.ts'

export const scratchOps: OpFamily = {
  'scratch-create': ({ guard }, [mountPath]) => {
    const dir = fs.mkdtempSync(join(mountPath, '.limafs-'))
    guard.assertScratchDir(dir)
    guard.addRoot(dir)
    fs.chmodSync(dir, 0o755)
    return dir
  },
  'scratch-adopt': ({ guard }, [dir]) => {
    guard.addRoot(guard.assertScratchDir(dir))
  },
  'scratch-list': ({ guard }, [mountPath]) =>
    fs.readdirSync(mountPath).filter((name) => {
      try {
        guard.assertScratchDir(join(mountPath, name))
        return true
      } catch {
        return false
      }
    }),
  'scratch-remove': ({ guard }, [dir]) => {
    // rmSync never follows symlinks; only the scratch dir itself is named.
    fs.rmSync(guard.assertScratchDir(dir), { recursive: true, force: true, maxRetries: 2 })
    guard.forget(dir)
  },
}
