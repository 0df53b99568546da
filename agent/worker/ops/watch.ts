// inotify (fs.watch) on a directory: which names changed, from whichever side, and how (Node's
// event types: "rename" for IN_CREATE/IN_DELETE/IN_MOVED_*, "change" for IN_MODIFY/IN_ATTRIB).
import * as fs from 'node:fs'
import { hold, type OpFamily } from './op-env.ts'

export const watchOps: OpFamily = {
  'watch-start': ({ guard, handles }, [dir]) => {
    const events: string[] = []
    const kinds: string[] = []
    const watcher = fs.watch(guard.assertFollow(dir), (type, name) => {
      if (!name) return
      events.push(String(name))
      kinds.push(`${String(name)} (${type})`)
    })
    watcher.on('error', () => {})
    return hold(handles, { watcher, events, kinds })
  },
  /** The names seen, sorted; with `withKinds`, each as "name (rename|change)". */
  'watch-events': ({ handles }, [handle, withKinds]) => [...new Set((withKinds ? handles.get(handle)?.kinds : handles.get(handle)?.events) ?? [])].sort(),
  /** Forgets what was seen so far: what comes after is what a change made. */
  'watch-clear': ({ handles }, [handle]) => {
    const held = handles.get(handle)
    held?.events?.splice(0)
    held?.kinds?.splice(0)
  },
  'watch-stop': ({ handles }, [handle]) => {
    handles.get(handle)?.watcher?.close()
    handles.delete(handle)
  },
}
