// What statfs(2) says of the share: figures that make sense together (df, installers and
// databases read them before they write).
import type { CheckSpec } from '../../agent/check-api.ts'

export interface Statvfs {
  frsize: number
  blocks: number
  bfree: number
  bavail: number
  totalBytes: number
  freeBytes: number
  availBytes: number
}

export const statfs: CheckSpec[] = [
  {
    id: 'space/statfs/sane',
    title: 'statfs figures make sense together: a block size, some blocks, free <= total, available <= free',
    needs: ['python3'],
    async run(x) {
      const dir = x.path('dir')
      await x.setup('mkdir', dir, 0o755)
      const st = (await x.expect(0, 'statvfs', dir)) as Statvfs
      const sane = st.frsize > 0 && st.blocks > 0 && st.bfree <= st.blocks && st.bavail <= st.bfree
      if (!sane) x.fail({ op: 'statvfs', args: [dir], wanted: 'frsize > 0, blocks > 0, bfree <= blocks, bavail <= bfree', found: `frsize ${st.frsize}, blocks ${st.blocks}, bfree ${st.bfree}, bavail ${st.bavail}`, stage: 'call', class: 'silent' })
    },
  },
]
