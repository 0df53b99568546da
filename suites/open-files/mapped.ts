// A file mapped into memory shrinks under the mapping. On a local file system touching a page
// past the new end is a SIGBUS (the kernel has no data for it): an application learns the file
// changed, loudly. The mapping is a process of its own (forked by the python3 helper), so the
// signal kills only it; the point says how it ended. Shrunk by another guest process, or by the host.
import type { CheckContext, CheckSpec } from '../../agent/check-api.ts'

const PAGE = 4096

async function truncatedUnderMapping(x: CheckContext, truncate: (f: string) => Promise<void>): Promise<void> {
  const f = await x.make('file')
  await x.setup('write', f, 'A'.repeat(2 * PAGE))
  // The child maps both pages and reads the second (so it is in the page cache), then waits.
  const child = (await x.setup('mmap-child', f, 2 * PAGE, PAGE)) as number
  try {
    await truncate(f)
  } catch (err) {
    await x.attempt('child-kill', child)
    throw err
  }
  await x.expect('SIGBUS', 'child-go', child)
}

export const mapped: CheckSpec[] = [
  {
    id: 'open-files/mmap-truncated/by-guest',
    title: 'another guest process truncates a file a process has mapped: touching the page past the end is a SIGBUS (only that process dies)',
    needs: ['python3'],
    run: (x) => truncatedUnderMapping(x, async (f) => {
      await x.setup('truncate', f, 0)
    }),
  },
  {
    id: 'open-files/mmap-truncated/by-host',
    title: 'the host truncates a file a guest process has mapped: touching the page past the end is a SIGBUS, not old data (only that process dies)',
    needs: ['python3', 'host'],
    run: (x) => truncatedUnderMapping(x, async (f) => {
      await x.hostSetup('truncate', f, { size: 0 })
    }),
  },
]
