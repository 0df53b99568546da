// Locks across the share: a host process (the host bridge's helper) takes a lock, holds it while
// a guest process tries, and lets go; and the other way round. On one machine every process sees
// every other's locks, whichever file system: a database or a build tool run on both sides of a
// share relies on that.
import type { CheckSpec } from '../../agent/check-api.ts'
import { A, B, inTwoProcesses } from './processes.ts'

const KINDS = ['fcntl', 'flock'] as const
/** The longest the host may hold the lock the guest runs into (it lets go as soon as the guest has tried). */
const HOST_HOLD_MS = 10_000
/** What the host says when the lock is taken already. */
const REFUSED = /EAGAIN|EWOULDBLOCK|EACCES/

export const hostHeld: CheckSpec[] = KINDS.flatMap((how): CheckSpec[] => [
  {
    id: `locks/host-held/${how}`,
    title: `a ${how} write lock a host process holds refuses a guest process's (EAGAIN); once the host lets go, the guest gets it`,
    needs: ['python3', 'host'],
    async run(x) {
      const f = await x.make('file')
      await inTwoProcesses(x, async (p) => {
        const fb = await p.open(B, f)
        const held = await x.host.act('lock', f, { kind: how, holdMs: HOST_HOLD_MS })
        if (!held.ok) x.fail({ op: 'host-lock', args: [f, how], wanted: '0', found: held.error ?? 'failed', stage: 'setup', class: 'loud' })
        try {
          await x.expect('EAGAIN', 'lock', B, fb, how, 'write', 0, 0)
        } finally {
          await x.host.act('unlock', f, { handle: held.value })
        }
        await x.expect(0, 'lock', B, fb, how, 'write', 0, 0)
      })
    },
  },
  {
    id: `locks/guest-held/${how}`,
    title: `a ${how} write lock a guest process holds refuses a host process's (EAGAIN)`,
    needs: ['python3', 'host'],
    async run(x) {
      const f = await x.make('file')
      await inTwoProcesses(x, async (p) => {
        await x.setup('lock', A, await p.open(A, f), how, 'write', 0, 0)
        const tried = await x.host.act('lock', f, { kind: how, holdMs: 1000 })
        if (tried.ok) {
          await x.host.act('unlock', f, { handle: tried.value })
          x.fail({ op: 'host-lock', args: [f, how], wanted: 'EAGAIN', found: '0 (the host got the lock the guest holds)', stage: 'host', class: 'silent' })
        }
        if (!REFUSED.test(tried.error ?? '')) x.fail({ op: 'host-lock', args: [f, how], wanted: 'EAGAIN', found: tried.error ?? 'failed', stage: 'host', class: 'loud' })
      })
    },
  },
])
