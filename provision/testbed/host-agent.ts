// What Lima's host agent does for the shares once the guest is up, and undoes before it stops:
// reverse-sshfs mounts (./reverse-sshfs.ts) and mountInotify (./mount-inotify.ts). Started after
// the fstab mounts of every boot; their processes are recorded in the testbed state.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { InfraError } from '../errors.ts'
import { watchedShares } from '../lima-compat/mount-inotify.ts'
import { sleep } from '../process.ts'
import type { SshConnection } from '../ssh.ts'
import type { TestbedState } from './instance.ts'
import { startMountInotify, stopMountInotify } from './mount-inotify.ts'
import { startReverseSshfs, stopReverseSshfs } from './reverse-sshfs.ts'

/** How long the mountInotify daemon may take to connect and watch (an ssh handshake under TCG). */
const INOTIFY_READY_MS = 30_000

/** Mounts the reverse-sshfs shares and starts mountInotify; each share's outcome goes into the state. */
export async function startHostAgent(ssh: SshConnection, state: TestbedState, log: (line: string) => void): Promise<void> {
  // Every reverse-sshfs mount: the configurations' shares and their siblings (same settings, on the sibling dir).
  const sshfsMounts = state.shares.filter((s) => s.config.mountType === 'reverse-sshfs').flatMap((s) => (s.sibling ? [s, { ...s.sibling, config: s.config }] : [s]))
  const stateOf = (mountPoint: string) => state.shares.flatMap((s) => (s.sibling ? [s, s.sibling] : [s])).find((m) => m.mountPoint === mountPoint)!
  state.hostAgent = { reverseSshfs: [] }
  const builtin = sshfsMounts.filter((s) => s.config.sshfs?.sftpDriver === 'builtin')
  for (const s of builtin) Object.assign(stateOf(s.mountPoint), { mounted: false, mountError: "sftpDriver builtin is sshocker's Go SFTP server, which the testbed does not have (it runs OpenSSH's sftp-server: sftpDriver openssh-sftp-server)" })
  const outcomes = await startReverseSshfs(ssh, sshfsMounts.filter((s) => !builtin.includes(s)), {
    instanceDir: state.instanceDir, sshPort: state.sshPort, hostPublicKey: state.hostPublicKey, clientKeyPath: state.clientKeyPath,
    guestUser: state.guestUser ?? 'root', uid: state.qemu.uid, gid: state.qemu.gid,
    ...(process.getuid?.() === 0 ? { dropTo: { uid: state.qemu.uid, gid: state.qemu.gid } } : {}),
  }, log)
  for (const o of outcomes) {
    if (o.pid) state.hostAgent.reverseSshfs.push(o.pid)
    Object.assign(stateOf(o.share.mountPoint), { mounted: !!o.mountinfo, mountinfo: o.mountinfo, mountError: o.error })
  }
  // Lima watches every writable mount of a mountInotify instance. Not the siblings: they are one
  // host dir for every configuration, so a watcher there would re-apply times through its own
  // sibling mount to every other configuration's files (a virtiofs one then holds deleted files'
  // inodes, and their space, open: the space suite's fills found it).
  const watched = watchedShares(state.shares.filter((s) => s.mounted))
  if (!watched.length) return
  const pid = startMountInotify(state.instanceDir, {
    sshPort: state.sshPort, clientKeyPath: state.clientKeyPath, hostPublicKey: state.hostPublicKey,
    shares: [...new Map(watched.map((s) => [s.hostDir, { hostDir: s.hostDir, mountPoint: s.mountPoint }])).values()],
  })
  state.hostAgent.mountInotify = pid
  const logFile = join(state.instanceDir, 'mount-inotify.log')
  const deadline = Date.now() + INOTIFY_READY_MS
  while (!(existsSync(logFile) && readFileSync(logFile, 'utf8').includes('watching'))) {
    if (Date.now() > deadline) throw new InfraError(`mountInotify did not start within ${INOTIFY_READY_MS / 1000} s${existsSync(logFile) ? `: ${readFileSync(logFile, 'utf8').trim().slice(-300)}` : ''}`)
    await sleep(100)
  }
  log(`mountInotify: the host watches ${watched.map((s) => s.config.name).join(', ')}; the guest re-applies each change's times (as Lima's guest agent)`)
}

/** Stops what startHostAgent started (Lima unmounts reverse-sshfs and stops watching before the guest stops). */
export async function stopHostAgent(state: TestbedState): Promise<void> {
  if (!state.hostAgent) return
  await stopReverseSshfs(state.hostAgent.reverseSshfs)
  if (state.hostAgent.mountInotify) await stopMountInotify(state.hostAgent.mountInotify)
  state.hostAgent = { reverseSshfs: [] }
}
