// Processes of their own, forked by the python3 helper (python/children.ts): one holds a lock
// until it is killed, one touches a mapping when told to and may die of it. The worker and
// the helper never die with them: these ops say how each ended.
import type { OpFamily } from './op-env.ts'

export const childOps: OpFamily = {
  /** Lets a child act: how it ended, the signal that killed it ("SIGBUS") or "exit 0, said ANSWER". */
  'child-go': ({ special }, [pid]) => special.call('child-go', [pid]),
  /** SIGKILLs a child: how it ended ("SIGKILL"). */
  'child-kill': ({ special }, [pid]) => special.call('child-kill', [pid]),
}
