// Descriptors a check holds (worker handles): opened through here, all closed when the check
// ends, however it ends.
import type { CheckContext } from '../../agent/check-api.ts'

export type Open = (path: string, flags: string) => Promise<number>

export async function withDescriptors(x: CheckContext, body: (open: Open) => Promise<void>): Promise<void> {
  const held: number[] = []
  try {
    await body(async (path, flags) => {
      const handle = (await x.setup('fd-open', path, flags)) as number
      held.push(handle)
      return handle
    })
  } finally {
    for (const handle of held) await x.attempt('fd-close', handle)
  }
}

/**
 * The temp-file pattern: a file with "hello", opened read-write, then unlinked; BODY works
 * through the descriptor, calling metaChanged() once an fchmod or fchown through it said OK.
 */
export async function withUnlinked(x: CheckContext, body: (fd: number, path: string, metaChanged: () => void) => Promise<void>): Promise<void> {
  const f = x.path('unlinked')
  let changedMeta = false
  try {
    await withDescriptors(x, async (open) => {
      const fd = await open(f, 'wx+')
      await x.setup('fd-pwrite', fd, 'hello', 0)
      await x.setup('unlink', f)
      await body(fd, f, () => (changedMeta = true))
    })
  } finally {
    // QEMU's mapped-file model writes an fchmod/fchown through a deleted file's descriptor to
    // .virtfs_metadata/NAME, where it stays (the scratch dir could not be removed) until a file
    // of that name is removed: make one and remove it.
    if (changedMeta && (await x.attempt('create', f, 0o644)).ok) await x.attempt('unlink', f)
  }
}
