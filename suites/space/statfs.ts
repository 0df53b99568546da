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

/** How far the guest's figures may be from the host's: 9p counts in its own block size and rounds; others write meanwhile. */
const TOLERANCE = 0.02

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
  {
    id: 'space/statfs/host',
    title: "statfs in the guest says what the host's statfs of the share's file system says: the same size (and free space, to 2%)",
    needs: ['python3', 'host'],
    async run(x) {
      const dir = x.path('dir')
      await x.setup('mkdir', dir, 0o755)
      const guest = (await x.expect(0, 'statvfs', dir)) as Statvfs
      const answer = await x.host.act('statfs', dir)
      if (!answer.ok) x.fail({ op: 'host-statfs', args: [dir], wanted: 'the figures', found: answer.error ?? 'failed', stage: 'setup', class: 'loud' })
      const host = answer.value as { frsize: number; blocks: number; bfree: number }
      const total = host.frsize * host.blocks
      const free = host.frsize * host.bfree
      const near = (a: number, b: number) => Math.abs(a - b) <= TOLERANCE * total
      if (!near(guest.totalBytes, total) || !near(guest.freeBytes, free)) {
        x.fail({ op: 'statvfs', args: [dir], wanted: `total ${total}, free ${free} (the host's)`, found: `total ${guest.totalBytes}, free ${guest.freeBytes}`, stage: 'host', class: 'silent' })
      }
    },
  },
]
