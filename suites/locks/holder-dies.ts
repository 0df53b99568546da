// A lock goes away with the process that held it: a process of its own takes the lock, another
// is refused, the holder is killed (SIGKILL: it lets go of nothing itself), the other gets it.
import type { CheckSpec } from '../../agent/check-api.ts'
import { B, inTwoProcesses } from './processes.ts'

export const holderDies: CheckSpec[] = (['fcntl', 'flock'] as const).map((how) => ({
  id: `locks/holder-dies/${how}`,
  title: `an ${how} write lock held by a process goes away when it is killed: another process gets it`,
  needs: ['python3'],
  async run(x) {
    const f = await x.make('file')
    await inTwoProcesses(x, async (p) => {
      const fb = await p.open(B, f)
      const holder = await p.holder(f, how)
      await x.expect('EAGAIN', 'lock', B, fb, how, 'write', 0, 0)
      await p.kill(holder)
      await x.expect(0, 'lock', B, fb, how, 'write', 0, 0)
    })
  },
}))
