// inotify (fs.watch) on a directory: which names changed, from whichever side.
import * as fs from 'node:fs'
import { hold, type OpFamily } from './op-env.ts'

export const watchOps: OpFamily = {
  'watch-start': ({ guard, handles }, [dir]) => {
    const events: string[] = []
    const watcher = fs.watch(guard.assertFollow(dir), (_type, name) => name && events.push(String(name)))
    watcher.on('error', () => {})
    return hold(handles, { watcher, events })
  },
  'watch-events': ({ handles }, [handle]) => [...new Set(handles.get(handle)?.events ?? [])].sort(),
  'watch-stop': ({ handles }, [handle]) => {
    handles.get(handle)?.watcher?.close()
    handles.delete(handle)
  },
}
