// Asking for space and giving it back: posix_fallocate, fallocate(2) keeping the size, punching
// a hole. A local file system (ext4, tmpfs, xfs) does all three.
import type { CheckContext, CheckSpec } from '../../agent/check-api.ts'

const KIB64 = 65536
/** What posix_fallocate asks for: on 9p glibc writes a byte per 4 KiB block instead. */
const KIB16 = 16384

export interface Usage {
  size: number
  allocated: number
}

export const usageOf = async (x: CheckContext, f: string): Promise<Usage> => (await x.setup('usage', f)) as Usage

export const allocation: CheckSpec[] = [
  {
    id: 'space/posix-fallocate/file',
    title: 'posix_fallocate of 16 KiB: the file is 16 KiB and at least that much is allocated',
    needs: ['python3'],
    async run(x) {
      const f = await x.make('file')
      await x.expect(0, 'posix-fallocate', f, 0, KIB16)
      const u = await usageOf(x, f)
      if (u.size !== KIB16 || u.allocated < KIB16) x.fail({ op: 'lstat', args: [f], wanted: `size ${KIB16}, allocated >= ${KIB16}`, found: `size ${u.size}, allocated ${u.allocated}`, stage: 'call', class: 'silent' })
    },
  },
  {
    id: 'space/fallocate/keep-size',
    title: 'fallocate FALLOC_FL_KEEP_SIZE of 64 KiB: the size stays 0, at least 64 KiB is allocated',
    needs: ['python3'],
    async run(x) {
      const f = await x.make('file')
      await x.expect(0, 'fallocate', f, 'keep-size', 0, KIB64)
      const u = await usageOf(x, f)
      if (u.size !== 0 || u.allocated < KIB64) x.fail({ op: 'lstat', args: [f], wanted: `size 0, allocated >= ${KIB64}`, found: `size ${u.size}, allocated ${u.allocated}`, stage: 'call', class: 'silent' })
    },
  },
  {
    id: 'space/fallocate/punch-hole',
    title: 'fallocate FALLOC_FL_PUNCH_HOLE in the middle of 192 KiB of data: zeros there, the data around it and the size kept',
    needs: ['python3'],
    async run(x) {
      const f = await x.make('file')
      await x.setup('pwrite', f, 'a'.repeat(3 * KIB64), 0)
      await x.expect(0, 'fallocate', f, 'punch-hole', KIB64, KIB64)
      await x.expect('00000000', 'pread-hex', f, 4, KIB64)
      await x.expect('61616161', 'pread-hex', f, 4, KIB64 - 4)
      await x.expect('61616161', 'pread-hex', f, 4, 2 * KIB64)
      await x.expect(String(3 * KIB64), 'lstat', f, 'size')
    },
  },
]
