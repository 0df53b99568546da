// mountInotify in the testbed: what Lima's host agent and guest agent do for `mountInotify: true`
// (the rules are in ../lima-compat/mount-inotify.ts), as a detached daemon per booted guest (it
// outlives a CLI that exits, as Lima's host agent does): it watches each writable mountInotify
// share's host dir (recursively, new dirs included), and for each change it can stat, sends the
// guest path and the file's mtime to a small guest-side script over ssh (as root, as Lima's guest
// agent runs), which re-applies that time with utimes, so that guest watchers see IN_ATTRIB.
// Node's fs.watch can't ask for Lima's exact mask (Create|Write|InAttrib): it also reports
// deletes and renames, which the stat drops (a deleted path) or which Lima would not forward
// (a file renamed into place): the README says so.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, watch, writeFileSync, type FSWatcher } from 'node:fs'
import { basename, join } from 'node:path'
import { z } from 'zod'
import { GUEST_CHTIMES_SCRIPT, RepeatFilter, toGuestPath } from '../lima-compat/mount-inotify.ts'
import { InfraError } from '../errors.ts'
import { startDetached, stopGroup } from '../process.ts'
import { shellQuote } from '../shell-quote.ts'
import { SshConnection } from '../ssh.ts'

const DaemonConfig = z.object({
  sshPort: z.number().int(),
  clientKeyPath: z.string(),
  hostPublicKey: z.string(),
  shares: z.array(z.object({ hostDir: z.string(), mountPoint: z.string() })).min(1),
})
export type MountInotifyConfig = z.infer<typeof DaemonConfig>

/** The daemon's bundle (build.mjs), found from the sources (provision/testbed/) and from the CLI bundle (dist/). */
const DAEMON = join(import.meta.dirname, basename(import.meta.dirname) === 'dist' ? '' : '../../dist', 'limafs-mount-inotify.mjs')

/** Starts the daemon for one boot; its pid (a process group) is stopped with the guest. */
export function startMountInotify(instanceDir: string, config: MountInotifyConfig): number {
  mkdirSync(instanceDir, { recursive: true })
  const file = join(instanceDir, 'mount-inotify.json')
  writeFileSync(file, `${JSON.stringify(config)}\n`, { mode: 0o600 })
  // A fresh log per boot: the caller waits for this boot's "watching" line.
  writeFileSync(join(instanceDir, 'mount-inotify.log'), '')
  if (!existsSync(DAEMON)) throw new InfraError(`${DAEMON} is missing`, { hint: 'build it: npm run build' })
  return startDetached(process.execPath, [DAEMON, file], join(instanceDir, 'mount-inotify.log'))
}

export async function stopMountInotify(pid: number): Promise<void> {
  await stopGroup(pid)
}

/** The daemon itself (mount-inotify-main.ts): runs until the guest's ssh goes or it is signalled. */
export async function runMountInotify(configFile: string): Promise<void> {
  const config = DaemonConfig.parse(JSON.parse(readFileSync(configFile, 'utf8')))
  const ssh = await SshConnection.connect({ host: '127.0.0.1', port: config.sshPort, username: 'root', privateKey: readFileSync(config.clientKeyPath), hostKey: config.hostPublicKey }, 20_000)
  const guest = await ssh.spawn(`node -e ${shellQuote(GUEST_CHTIMES_SCRIPT)}`)
  guest.stderr.on('data', (d: Buffer) => process.stderr.write(d))
  const filter = new RepeatFilter()
  const watchers = new Map<string, FSWatcher>()
  const onChange = (path: string) => {
    let mtimeMs: number
    try {
      mtimeMs = statSync(path).mtimeMs // inotify.go: os.Stat (follows symlinks); gone -> dropped
    } catch {
      return
    }
    if (filter.repeated(path, mtimeMs)) return
    guest.write(`${JSON.stringify({ path: toGuestPath(path, config.shares), time: mtimeMs / 1000 })}\n`)
    // A new directory is watched too (notify's recursive "..." watch does the same).
    if (!watchers.has(path)) watchTree(path)
  }
  const watchTree = (dir: string) => {
    let isDir = false
    try {
      isDir = statSync(dir).isDirectory()
    } catch {
      return
    }
    if (!isDir || watchers.has(dir)) return
    try {
      const w = watch(dir, (_type, name) => name && onChange(join(dir, String(name))))
      w.on('error', () => watchers.delete(dir))
      watchers.set(dir, w)
      for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) watchTree(join(dir, entry.name))
    } catch {
      // Gone already, or not readable: Lima's notify would fail the same way for that dir.
    }
  }
  for (const s of config.shares) if (existsSync(s.hostDir)) watchTree(s.hostDir)
  process.stderr.write(`limafs mount-inotify: watching ${config.shares.map((s) => s.hostDir).join(', ')}\n`)
  const stop = () => {
    for (const w of watchers.values()) w.close()
    ssh.close()
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  const end = await guest.done.then((r) => `the guest side ended (exit ${r.code ?? r.signal})`, (err: Error) => `the ssh connection ended: ${err.message}`)
  process.stderr.write(`limafs mount-inotify: ${end}\n`)
  stop()
}
