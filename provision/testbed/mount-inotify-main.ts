// Entry of the testbed's mountInotify daemon (see mount-inotify.ts), bundled to dist/limafs-mount-inotify.mjs: node THAT CONFIG.json
import { runMountInotify } from './mount-inotify.ts'

const [configFile] = process.argv.slice(2)
if (!configFile) {
  process.stderr.write('usage: limafs-mount-inotify.mjs CONFIG.json\n')
  process.exit(64)
}
// Detached from any terminal, it must not die with the session that started it; it says why it ends.
process.on('SIGHUP', () => process.stderr.write('limafs mount-inotify: SIGHUP ignored\n'))
process.on('exit', (code) => process.stderr.write(`limafs mount-inotify: exit ${code}\n`))
runMountInotify(configFile).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`limafs mount-inotify: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(2)
  },
)
