// reverse-sshfs in the testbed, done the way Lima's host agent does it after each boot
// (pkg/hostagent/mount.go through sshocker's pkg/reversesshfs; the commands are in
// ../lima-compat/reverse-sshfs.ts): the host runs OpenSSH's sftp-server in the share dir (as
// QEMU's user, as Lima runs it as the logged-in user), crossed over a fifo with an OpenSSH `ssh`
// into the guest as the guest user, which runs `sshfs :DIR MOUNTPOINT -o slave ...` there. Each
// share's pipeline is one detached process group (it outlives a CLI that exits, as Lima's host
// agent does), stopped before the guest powers off.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { mountOf, parseMountinfo } from '../../agent/mountinfo.ts'
import { tail } from '../errors.ts'
import { mountinfoLine } from '../guest-facts.ts'
import { cpuinfoHasAes, limaCipherOption, REMOTE_READY_TRIES, SFTP_SERVER_CANDIDATES, sftpServerArgs, sshfsRemoteCommand, SSHFS_FS_TYPE } from '../lima-compat/reverse-sshfs.ts'
import { isAlive, sleep, startDetached, stopGroup } from '../process.ts'
import { shellJoin, shellQuote } from '../shell-quote.ts'
import type { SshConnection } from '../ssh.ts'
import type { ShareSetup } from '../types.ts'
import { GUEST_STATE_DIR } from './guest-init.ts'

/** What a reverse-sshfs share needs from the running testbed. */
export interface ReverseSshfsContext {
  instanceDir: string
  sshPort: number
  /** The guest's host key (OpenSSH line), pinned in a known_hosts file for the ssh binary. */
  hostPublicKey: string
  clientKeyPath: string
  /** The guest user sshfs runs as (Lima's user: the same uid as QEMU's). */
  guestUser: string
  uid: number
  gid: number
  /** Set when we are root: sftp-server drops to uid:gid (QEMU's user) like QEMU's -runas. */
  dropTo?: { uid: number; gid: number }
}

export interface ReverseSshfsOutcome {
  share: ShareSetup
  /** The pipeline's process group, when it was started. */
  pid?: number
  mountinfo?: ReturnType<typeof mountOf>
  error?: string
}

/** sshocker's DetectOpensshSftpServerBinary, over the candidates that exist on a Linux host. */
export function findSftpServer(): string | undefined {
  return SFTP_SERVER_CANDIDATES.find((p) => existsSync(p))
}

/**
 * What Lima's boot scripts do for reverse-sshfs, as root in the guest: `user_allow_other` in
 * /etc/fuse.conf (35-setup-packages.sh; the testbed's /etc is the host's, read-only, so a private
 * copy is bind-mounted over it) and each mount point made and given to the user (25-guestagent-base.sh).
 */
export function guestPrepareScript(shares: readonly ShareSetup[], uid: number, gid: number): string {
  const conf = `${GUEST_STATE_DIR}/fuse.conf`
  return [
    'set -e',
    'command -v sshfs >/dev/null || { echo "limafs-rsshfs: no sshfs in the guest (the testbed guest runs the host\'s: apt-get install sshfs)"; exit 3; }',
    `if ! grep -q '^user_allow_other' /etc/fuse.conf 2>/dev/null; then`,
    `  { cat /etc/fuse.conf 2>/dev/null; echo user_allow_other; } > ${conf}`,
    `  [ -e /etc/fuse.conf ] && mount --bind ${conf} /etc/fuse.conf`,
    'fi',
    // udev's 50-udev-default.rules makes /dev/fuse 0666 in Lima's guests; the testbed has no udev.
    'chmod 0666 /dev/fuse',
    ...shares.flatMap((s) => [`mkdir -p ${shellQuote(s.mountPoint)}`, `chown ${uid}:${gid} ${shellQuote(s.mountPoint)}`]),
    '',
  ].join('\n')
}

/** Whether this host's CPU has AES instructions, as Lima asks before it picks a cipher. */
function hostHasAes(): boolean {
  try {
    return cpuinfoHasAes(readFileSync('/proc/cpuinfo', 'utf8'))
  } catch {
    return process.arch === 'x64' // Lima's fallback when it can't tell
  }
}

/** ssh's options: the testbed's key, the guest's host key pinned, no config files of the user's, Lima's ciphers. */
function sshArgs(ctx: ReverseSshfsContext, knownHosts: string): string[] {
  return [
    '-F', '/dev/null', '-i', ctx.clientKeyPath, '-p', String(ctx.sshPort), '-l', ctx.guestUser,
    '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes',
    '-o', 'LogLevel=ERROR', '-o', 'Compression=no', '-o', 'ServerAliveInterval=5', ...limaCipherOption(hostHasAes()),
    '127.0.0.1', '--',
  ]
}

/** The pipeline of one share as a /bin/sh script: ssh's stdout feeds sftp-server, sftp-server's stdout feeds ssh through a fifo. */
export function pipelineScript(o: { fifo: string; ssh: string[]; sftpServer: string[] }): string {
  return [
    `rm -f ${shellQuote(o.fifo)} && mkfifo -m 600 ${shellQuote(o.fifo)} || exit 1`,
    `${shellJoin(['ssh', ...o.ssh])} < ${shellQuote(o.fifo)} | ${shellJoin(o.sftpServer)} > ${shellQuote(o.fifo)}`,
    `rm -f ${shellQuote(o.fifo)}`,
    '',
  ].join('\n')
}

/** Starts every reverse-sshfs share's pipeline and waits (as sshocker does) until each is mounted or gives up. */
export async function startReverseSshfs(ssh: SshConnection, shares: readonly ShareSetup[], ctx: ReverseSshfsContext, log: (line: string) => void): Promise<ReverseSshfsOutcome[]> {
  if (!shares.length) return []
  const sftpServer = findSftpServer()
  if (!sftpServer) {
    const error = `no OpenSSH sftp-server on this host (looked for ${SFTP_SERVER_CANDIDATES.join(', ')}): apt-get install openssh-sftp-server`
    return shares.map((share) => ({ share, error }))
  }
  const prepared = await ssh.exec('sh -s', { stdin: guestPrepareScript(shares, ctx.uid, ctx.gid), timeoutMs: 60_000 })
  if (prepared.code !== 0) {
    const error = `preparing the guest for sshfs failed: ${tail(`${prepared.stdout}${prepared.stderr}`, 3) || `exit ${prepared.code}`}`
    return shares.map((share) => ({ share, error }))
  }
  const knownHosts = join(ctx.instanceDir, 'known_hosts')
  writeFileSync(knownHosts, `[127.0.0.1]:${ctx.sshPort} ${ctx.hostPublicKey.split(/\s+/).slice(0, 2).join(' ')}\n`, { mode: 0o600 })
  const started = shares.map((share, index): ReverseSshfsOutcome => {
    const drop = ctx.dropTo ? ['setpriv', `--reuid=${ctx.dropTo.uid}`, `--regid=${ctx.dropTo.gid}`, '--clear-groups'] : []
    const script = pipelineScript({
      fifo: join(ctx.instanceDir, `rsshfs-${index}.fifo`),
      // sshocker's Prepare (mkdir -p as the user) has nothing to do: the mount point was made above, as root.
      ssh: [...sshArgs(ctx, knownHosts), ...sshfsRemoteCommand(share.hostDir, share.mountPoint, share.config)],
      sftpServer: [...drop, sftpServer, ...sftpServerArgs(share.hostDir, share.config.writable)],
    })
    return { share, pid: startDetached('sh', ['-c', script], join(ctx.instanceDir, `rsshfs-${index}.log`)) }
  })
  log(`reverse-sshfs: ${started.length} share(s), sftp-server ${sftpServer} on the host, sshfs -o slave in the guest as ${ctx.guestUser}`)
  // sshocker's waitForRemoteReady, for all shares at once: mounted when mountinfo has fuse.sshfs there.
  for (let attempt = 0; attempt < REMOTE_READY_TRIES * 5; attempt++) {
    const table = parseMountinfo((await ssh.exec('cat /proc/self/mountinfo', { timeoutMs: 30_000 })).stdout)
    for (const o of started) {
      const m = mountOf(table, o.share.mountPoint)
      if (m && m.mountPoint === o.share.mountPoint && m.fsType === SSHFS_FS_TYPE) o.mountinfo = m
    }
    // A pipeline that ended (ssh or sshfs failed) will not mount: its log says why.
    if (started.every((o) => o.mountinfo || !isAlive(o.pid!))) break
    await sleep(200)
  }
  for (const o of started.filter((x) => !x.mountinfo)) {
    const logFile = join(ctx.instanceDir, `rsshfs-${started.indexOf(o)}.log`)
    const why = existsSync(logFile) ? tail(readFileSync(logFile, 'utf8'), 3) : ''
    o.error = `sshfs does not seem to be mounted on ${o.share.mountPoint}${why ? `: ${why.replace(/\n/g, ' | ')}` : ''}`
  }
  for (const o of started.filter((x) => x.mountinfo)) log(`${o.share.mountPoint}: ${mountinfoLine(o.mountinfo!)}`)
  return started
}

/** Stops the pipelines (Lima's Close: kill ssh and sftp-server); the guest's sshfs then ends with its channel. */
export async function stopReverseSshfs(pids: readonly number[]): Promise<void> {
  await Promise.all(pids.map((pid) => stopGroup(pid)))
}
