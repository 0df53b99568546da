// Space: what installers, databases and download tools ask of a file system. fallocate and
// posix_fallocate, sparse files (SEEK_DATA/SEEK_HOLE, blocks, offsets past 4 GiB), statfs, and
// a full share (ENOSPC) through the configuration's sibling share. Each aspect is a file. The
// checks run on every mount at once; the shares are filled one after another.
import { pointOf, runAtOnce, sharedSuite, type CheckSpec } from '../../agent/check-api.ts'
import { allocation } from './allocation.ts'
import { ENOSPC_POINTS, enospcOneAfterAnother } from './enospc.ts'
import { sparse } from './sparse.ts'
import { statfs } from './statfs.ts'

const AT_ONCE: CheckSpec[] = [...allocation, ...sparse, ...statfs]

export default sharedSuite(
  'space',
  'Space: fallocate, sparse files, statfs, and a full share (ENOSPC) through a small sibling share',
  [...AT_ONCE.map(pointOf), ...ENOSPC_POINTS],
  async (ctx) => {
    await runAtOnce(ctx, AT_ONCE)
    await enospcOneAfterAnother(ctx)
  },
)
