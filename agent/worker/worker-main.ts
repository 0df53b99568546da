// A worker process: receives ops over IPC, runs them one at a time, answers. Forked by the
// agent as root or as the guest's ordinary user; killed and replaced when an op hangs.
import { PathGuard } from './path-guard.ts'
import { runOp, type OpEnv } from './ops.ts'
import type { OpReply, OpRequest, WorkerInit } from './protocol.ts'
import { SpecialFiles } from './special-files.ts'

export function workerMain(): void {
  let env: OpEnv | undefined
  let queue = Promise.resolve()
  process.on('message', (message: WorkerInit | OpRequest) => {
    if ('init' in message) {
      env = { guard: new PathGuard(message.mountPaths), special: new SpecialFiles(message.xattrTool) }
      return
    }
    queue = queue.then(async () => {
      const result = env ? await runOp(env, message.op, message.args) : { ok: false as const, errno: 'EINIT', message: 'worker not initialised' }
      process.send?.({ id: message.id, result } satisfies OpReply)
    })
  })
  // The agent going away (crash, kill) must not leave workers behind.
  process.on('disconnect', () => process.exit(0))
}
