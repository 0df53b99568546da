// Entry of the testbed's mountInotify daemon (see mount-inotify.ts): node --import tsx THIS CONFIG.json
import { runMountInotify } from './mount-inotify.ts'

const [configFile] = process.argv.slice(2)
if (!configFile) {
  process.stderr.write('usage: mount-inotify-main.ts CONFIG.json\n')
  process.exit(64)
}
runMountInotify(configFile).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`limafs mount-inotify: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(2)
  },
)
