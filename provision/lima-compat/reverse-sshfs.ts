// Lima's reverse-sshfs mount, as commands (pure). Lima's host agent mounts each share after the
// guest is up (pkg/hostagent/mount.go setupMount), through sshocker's pkg/reversesshfs
// (github.com/lima-vm/sshocker, reversesshfs.go):
//   Prepare: ssh USER@GUEST -- mkdir -p "MOUNTPOINT"
//   Start:   the host runs `sftp-server -e -d LOCATION [-R]` (OpenSSH's, driver openssh-sftp-server)
//            with its stdin/stdout crossed with those of
//            `ssh USER@GUEST -- sshfs ":LOCATION" "MOUNTPOINT" -o slave [-o ro] -o allow_other[,cache=no][,follow_symlinks]`
//   then waits (a script over ssh, 30 tries a second apart) for fuse.sshfs at MOUNTPOINT.
// The guest side needs `user_allow_other` in /etc/fuse.conf (boot.Linux/35-setup-packages.sh)
// and the mount point made by root and owned by the user (boot.Linux/25-guestagent-base.sh).
import type { ShareConfig } from '../types.ts'

/** Where sshocker looks for OpenSSH's sftp-server (DetectOpensshSftpServerBinary's candidates, Debian's first). */
export const SFTP_SERVER_CANDIDATES = ['/usr/lib/openssh/sftp-server', '/usr/lib/sftp-server', '/usr/libexec/sftp-server', '/usr/libexec/openssh/sftp-server', '/usr/lib/ssh/sftp-server']

/** sshocker's waitForRemoteReady: MaxTrial 30, a second apart. */
export const REMOTE_READY_TRIES = 30

/** The guest's fs type of a reverse-sshfs mount in /proc/self/mountinfo. */
export const SSHFS_FS_TYPE = 'fuse.sshfs'

/** sshocker's addQuotes: Go's strconv.Quote, which the guest's shell then reads (as JSON strings for the paths limafs makes). */
export const goQuote = (s: string): string => JSON.stringify(s)

/** `-o` options Lima's host agent adds (mount.go: "allow_other" requires user_allow_other in /etc/fuse.conf). */
export function sshfsOptions(config: ShareConfig): string {
  const sshfs = config.sshfs
  if (!sshfs) throw new Error(`config ${config.name}: mountType reverse-sshfs without sshfs settings`)
  let options = 'allow_other'
  if (!sshfs.cache) options += ',cache=no'
  if (sshfs.followSymlinks) options += ',follow_symlinks'
  return options
}

/** OpenSSH sftp-server's arguments on the host: log to stderr, start in LOCATION, read-only when the mount is. */
export function sftpServerArgs(location: string, writable: boolean): string[] {
  // sftp-server expands %-sequences in -d, so sshocker doubles each %.
  return ['-e', '-d', location.replaceAll('%', '%%'), ...(writable ? [] : ['-R'])]
}

/** The command the host's ssh runs in the guest: sshfs in slave mode, talking SFTP over its stdin/stdout. */
export function sshfsRemoteCommand(location: string, mountPoint: string, config: ShareConfig): string[] {
  return ['sshfs', goQuote(`:${location}`), goQuote(mountPoint), '-o', 'slave', ...(config.writable ? [] : ['-o', 'ro']), '-o', sshfsOptions(config)]
}

/**
 * The cipher preference Lima gives every ssh it runs, reverse-sshfs's included (pkg/sshutil
 * CommonOpts, with OpenSSH >= 8.1): AES-GCM first when the host has AES instructions
 * (detectAESAcceleration: Apple Silicon always), else chacha20-poly1305. It also decides what the
 * guest's sshd spends on each sshfs packet.
 */
export function limaCipherOption(aesAccelerated: boolean): string[] {
  return ['-o', aesAccelerated ? 'Ciphers=^aes128-gcm@openssh.com,aes256-gcm@openssh.com' : 'Ciphers=^chacha20-poly1305@openssh.com']
}

/** detectAESAcceleration on Linux: the CPU's flags (x86) or Features (arm64) line in /proc/cpuinfo lists aes. */
export const cpuinfoHasAes = (cpuinfo: string): boolean => /^(flags|Features)\s*:.*\baes\b/m.test(cpuinfo)
