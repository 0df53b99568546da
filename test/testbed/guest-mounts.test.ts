// The guest's mount step: the script is run for real by /bin/sh (the guest runs the host's own
// shell: its root is the host's /), with a fake mount(8) and the guest's /etc and /proc files
// moved into a temp dir; then its output is parsed back into mounted/failed shares.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { limaFstabLine } from '../../provision/lima-compat/fstab.ts'
import { limaMountTag } from '../../provision/lima-compat/mount-tag.ts'
import { fstabText, mountScript, parseMountOutput } from '../../provision/testbed/guest-mounts.ts'
import type { ShareConfig, ShareSetup } from '../../provision/types.ts'

function share(name: string, config: Omit<ShareConfig, 'name'>, mountPoint = `/mnt/limafs/${name}`): ShareSetup {
  const hostDir = `/var/tmp/limafs-0/t/shares/${name}`
  return { config: { name, ...config }, tag: limaMountTag(hostDir, mountPoint), hostDir, mountPoint }
}
const rw9p = (cache: 'none' | 'loose' | 'fscache' | 'mmap', securityModel: 'none' | 'mapped-xattr' = 'none') =>
  ({ mountType: '9p', writable: true, ninep: { securityModel, cache, msize: '128KiB', protocolVersion: '9p2000.L' } }) as const

const OK_LOOSE = share('9p-ok-loose', rw9p('loose'))
const OK_SPACED = share('9p-ok-spaced', rw9p('mmap'), '/mnt/limafs/with space')
const FAILS = share('9p-fails', rw9p('mmap', 'mapped-xattr'))
const VIRTIOFS_FAILS = share('virtiofs', { mountType: 'virtiofs', writable: true, virtiofs: { queueSize: 1024 } })
const SHARES = [OK_LOOSE, OK_SPACED, FAILS, VIRTIOFS_FAILS]

/** mountinfo lines as a 6.1 guest prints them for a share. */
const mountinfoLine = (id: number, s: ShareSetup, superOptions: string) =>
  `${id} 30 0:${id} / ${s.mountPoint.replaceAll(' ', '\\040')} rw,relatime - ${s.config.mountType} ${s.tag} ${superOptions}`
const ROOT_LINE = '25 1 0:22 / / ro,relatime - 9p hostroot ro,dirsync,loose,access=client,msize=512000,trans=virtio'

/**
 * Runs mountScript with /etc/fstab, /proc/self/mounts and /proc/self/mountinfo redirected into
 * `dir`, and fake uname/mkdir/mount first in PATH: `mount -a` mounts nothing (the mounts file
 * says what is mounted), and a retried mount fails with a message naming its tag, as mount(8) does.
 */
async function runScript(dir: string, shares: readonly ShareSetup[], mounted: readonly ShareSetup[]) {
  const bin = join(dir, 'bin')
  const fake = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`)
    chmodSync(join(bin, name), 0o755)
  }
  fake('uname', 'echo 6.1.0-test-amd64')
  fake('mkdir', `echo "$@" > ${dir}/mkdir.args`)
  fake('mount', [
    'echo "$@" >> ' + `${dir}/mount.calls`,
    '[ "$1" = -a ] && exit 0',
    'eval tag=\\${$(($# - 1))}; eval mp=\\${$#}',
    'echo "mount: $mp: special device $tag does not exist." >&2',
    'echo "       dmesg(1) may have more information after failed mount system call." >&2',
    'exit 32',
  ].join('\n'))
  writeFileSync(join(dir, 'mounts'), [
    'hostroot / 9p ro,relatime 0 0',
    ...mounted.map((s) => `${s.tag} ${s.mountPoint.replaceAll(' ', '\\040')} ${s.config.mountType} rw,relatime 0 0`),
  ].join('\n') + '\n')
  writeFileSync(join(dir, 'mountinfo'), [ROOT_LINE, ...mounted.map((s, i) => mountinfoLine(40 + i, s, 'rw,dirsync,loose,access=client,trans=virtio'))].join('\n') + '\n')
  const script = mountScript(shares)
    .replaceAll('/etc/fstab', join(dir, 'fstab'))
    .replaceAll('/proc/self/mounts', join(dir, 'mounts'))
    .replaceAll('/proc/self/mountinfo', join(dir, 'mountinfo'))
  const result = await execa('/bin/sh', ['-s'], { input: script, env: { PATH: `${bin}:${process.env.PATH}` }, reject: false })
  return { ...result, stdout: String(result.stdout) }
}

t.test('mountScript writes the Lima fstab lines, then mounts; a share mount -a left out is retried for its own error', async (t) => {
  const dir = t.testdir({ bin: {} })
  const result = await runScript(dir, SHARES, [OK_LOOSE, OK_SPACED])
  t.equal(result.exitCode, 0, `the script runs to its end (stderr: ${result.stderr})`)
  t.equal(readFileSync(join(dir, 'fstab'), 'utf8'), fstabText(SHARES), 'fstab holds exactly the Lima lines')
  t.strictSame(fstabText(SHARES).trimEnd().split('\n'), SHARES.map((s) => limaFstabLine(s.tag, s.mountPoint, s.config)))
  t.equal(readFileSync(join(dir, 'mkdir.args'), 'utf8'), `-p ${SHARES.map((s) => s.mountPoint).join(' ')}\n`, 'every mount point is made first (the one with a space as one word)')
  const calls = readFileSync(join(dir, 'mount.calls'), 'utf8').trimEnd().split('\n')
  t.strictSame(calls, [
    '-a',
    `-t 9p -o rw,trans=virtio,version=9p2000.L,msize=131072,cache=mmap ${FAILS.tag} /mnt/limafs/9p-fails`,
    `-t virtiofs -o rw ${VIRTIOFS_FAILS.tag} /mnt/limafs/virtiofs`,
  ], 'only the two unmounted shares are retried, with the kernel options (no nofail)')

  const { outcomes, guestKernel } = parseMountOutput(result.stdout, SHARES)
  t.equal(guestKernel, '6.1.0-test-amd64')
  t.equal(outcomes.get(OK_LOOSE.mountPoint)?.mountinfo?.source, OK_LOOSE.tag, 'a mounted share has its mountinfo')
  t.equal(outcomes.get(OK_LOOSE.mountPoint)?.error, undefined)
  t.equal(outcomes.get(OK_SPACED.mountPoint)?.mountinfo?.mountPoint, '/mnt/limafs/with space', 'a mount point with a space is found mounted')
  t.equal(outcomes.get(FAILS.mountPoint)?.mountinfo, undefined)
  const mountMessage = (s: ShareSetup) => new RegExp(`^mount: ${s.mountPoint}: special device ${s.tag} does not exist\\.\\s+dmesg\\(1\\) may have more information after failed mount system call\\.$`)
  t.match(outcomes.get(FAILS.mountPoint)?.error, mountMessage(FAILS), "a failed share keeps mount's own message, all its lines on one")
  t.match(outcomes.get(VIRTIOFS_FAILS.mountPoint)?.error, mountMessage(VIRTIOFS_FAILS))
})

t.test('parseMountOutput calls a share mounted only when its mount point carries its own tag', async (t) => {
  const output = [
    'limafs-kernel 6.1.0-56-amd64',
    'limafs-mountinfo',
    ROOT_LINE,
    mountinfoLine(40, OK_LOOSE, 'rw,dirsync,loose,access=client,trans=virtio'),
    // FAILS's mount point has something mounted, but with another tag: not this share.
    `41 30 0:41 / ${FAILS.mountPoint} rw,relatime - 9p lima-0000000000000000 rw,dirsync,mmap,access=client,trans=virtio`,
    '',
  ].join('\n')
  const { outcomes, guestKernel } = parseMountOutput(output, SHARES)
  t.equal(guestKernel, '6.1.0-56-amd64')
  t.match(outcomes.get(OK_LOOSE.mountPoint), { mountinfo: { superOptions: 'rw,dirsync,loose,access=client,trans=virtio' } })
  t.strictSame(outcomes.get(FAILS.mountPoint), { error: 'not mounted, and mount gave no message' }, 'wrong tag at the mount point')
  t.strictSame(outcomes.get(OK_SPACED.mountPoint), { error: 'not mounted, and mount gave no message' })
})

t.test('parseMountOutput says the script did not finish when the output stops before the mountinfo', async (t) => {
  const output = 'limafs-kernel 6.1.0-56-amd64\nlimafs-mount-error 2 mount: /mnt/limafs/9p-fails: mount(2) system call failed: No such file or directory.\n'
  const { outcomes, guestKernel } = parseMountOutput(output, SHARES)
  t.equal(guestKernel, '6.1.0-56-amd64')
  t.equal(outcomes.get(FAILS.mountPoint)?.error, 'mount: /mnt/limafs/9p-fails: mount(2) system call failed: No such file or directory.', 'an error printed before the cut is kept')
  t.equal(outcomes.get(OK_LOOSE.mountPoint)?.error, 'the mount script did not finish')
  t.equal(parseMountOutput('', SHARES).guestKernel, 'unknown', 'no kernel line: unknown')
})
