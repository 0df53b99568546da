// Sparse files: a byte written 1 MiB into an empty file leaves a hole before it. A local file
// system says where the data and the hole are (SEEK_DATA, SEEK_HOLE: cp --sparse and tar use
// them) and allocates only what was written; past 4 GiB, offsets still land where they should.
import type { CheckContext, CheckSpec } from '../../agent/check-api.ts'
import { usageOf } from './allocation.ts'

const MIB = 1048576
/** 4 GiB and a page: an offset that 32-bit arithmetic would wrap to 4096. */
const PAST_4G = 4 * 1024 * MIB + 4096

/** A file of 1 MiB + 1 byte: a hole, then "x". */
async function sparseFile(x: CheckContext): Promise<string> {
  const f = await x.make('file')
  await x.setup('pwrite', f, 'x', MIB)
  return f
}

export const sparse: CheckSpec[] = [
  {
    id: 'space/sparse/seek-data',
    title: 'SEEK_DATA from 0 in a file with a 1 MiB hole and then a byte lands on the byte (1048576)',
    needs: ['python3'],
    async run(x) {
      await x.expect(String(MIB), 'seek-data-hole', await sparseFile(x), 0, 'data')
    },
  },
  {
    id: 'space/sparse/seek-hole',
    title: 'SEEK_HOLE from 0 in a file with a 1 MiB hole and then a byte lands at 0',
    needs: ['python3'],
    async run(x) {
      await x.expect('0', 'seek-data-hole', await sparseFile(x), 0, 'hole')
    },
  },
  {
    id: 'space/sparse/blocks',
    title: 'a file with a 1 MiB hole and then a byte has far less allocated than its size (st_blocks)',
    async run(x) {
      const f = await sparseFile(x)
      const u = await usageOf(x, f)
      if (u.size !== MIB + 1 || u.allocated >= MIB / 2) x.fail({ op: 'lstat', args: [f], wanted: `size ${MIB + 1}, allocated < ${MIB / 2}`, found: `size ${u.size}, allocated ${u.allocated}`, stage: 'call', class: 'silent' })
    },
  },
  {
    id: 'space/sparse/past-4g',
    title: 'a write 4 GiB + 4 KiB into an empty file: the size ends right after it and it reads back there',
    async run(x) {
      const f = await x.make('file')
      await x.expect(0, 'pwrite', f, 'end-mark', PAST_4G)
      await x.expect(String(PAST_4G + 8), 'lstat', f, 'size')
      await x.expect(Buffer.from('end-mark').toString('hex'), 'pread-hex', f, 8, PAST_4G)
      await x.expect('0000000000000000', 'pread-hex', f, 8, 4096)
    },
  },
]
