// The testbed guest's boot scripts and sshd config. The guest root is the host's own / shared
// read-only over 9p ("virtme" style): the guest runs the host's node, sshd and getfattr, and
// only this small initramfs is built. Parameters arrive on the kernel command line (limafs.*).
import { SLIRP_GATEWAY, SLIRP_IP_ADDRESS } from '../lima-compat/defaults.ts'

/** Where the guest keeps its private files (a tmpfs: nothing is written to the host's /). */
export const GUEST_STATE_DIR = '/run/limafs'
/** The tag of the host root share, which is not a configuration under test. */
export const HOST_ROOT_TAG = 'hostroot'
/** Printed on the serial console by the init scripts; the host watches for them. */
export const CONSOLE_MARKS = { probeOk: 'limafs-init: probe-ok', ready: 'limafs-init: ready' } as const

/** /init in the initramfs: load modules, mount the host root, switch to it. */
export function initScript(): string {
  return `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /newroot /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
log() { echo "limafs-init: $*" > /dev/console; }
param() { for w in $(cat /proc/cmdline); do case "$w" in "$1="*) echo "\${w#*=}";; esac; done; }
for m in $(cat /modules/order); do insmod "/modules/$m.ko" || log "insmod $m failed"; done
if [ "$(param limafs.probe)" = 1 ]; then log probe-ok; poweroff -f; fi
i=0
until mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=512000,cache=loose ${HOST_ROOT_TAG} /newroot 2>/dev/null; do
  i=$((i + 1)); [ $i -gt 100 ] && { log "cannot mount the host root (${HOST_ROOT_TAG})"; poweroff -f; }
  sleep 0.05
done
mount -t tmpfs -o mode=0755 tmpfs /newroot/run
mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
mount -t tmpfs -o mode=1777 tmpfs /newroot/var/tmp
mount -t tmpfs -o mode=0700 tmpfs /newroot/root
mount -t tmpfs -o mode=0755 tmpfs /newroot/mnt
mkdir -p /newroot${GUEST_STATE_DIR}
cp -a /limafs/. /newroot${GUEST_STATE_DIR}/
cp /bin/busybox /newroot${GUEST_STATE_DIR}/busybox
mount --move /dev /newroot/dev
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
exec switch_root /newroot ${GUEST_STATE_DIR}/busybox sh ${GUEST_STATE_DIR}/init2
`
}

/** PID 1 after switch_root: accounts, network, sshd; then it waits forever. */
export function init2Script(): string {
  const S = GUEST_STATE_DIR
  return `B=${S}/busybox
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
log() { echo "limafs-init: $*" > /dev/console; }
param() { for w in $($B cat /proc/cmdline); do case "$w" in "$1="*) echo "\${w#*=}";; esac; done; }
$B mkdir -p /dev/pts /dev/shm
$B mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
$B mount -t tmpfs -o mode=1777 tmpfs /dev/shm
uid=$(param limafs.uid); gid=$(param limafs.gid); user=$(param limafs.user)
# Accounts: the host's, plus (as in Lima) a guest user with QEMU's uid. QEMU runs unprivileged and
# can't read the host's /etc/shadow, so sshd would call root "locked": give the guest its own.
$B cp /etc/passwd /etc/group ${S}/
$B grep -q "^[^:]*:[^:]*:$uid:" ${S}/passwd || echo "$user:x:$uid:$gid:limafs guest user:/tmp:/bin/sh" >> ${S}/passwd
$B grep -q "^[^:]*:[^:]*:$gid:" ${S}/group || echo "$user:x:$gid:" >> ${S}/group
$B awk -F: '{ print $1 ":*:19000:0:99999:7:::" }' ${S}/passwd > ${S}/shadow
$B chmod 0600 ${S}/shadow
: > ${S}/fstab
for f in passwd group shadow fstab; do $B mount --bind ${S}/$f /etc/$f; done
$B hostname lima-limafs
$B ip link set lo up
$B ip link set eth0 up
$B ip addr add ${SLIRP_IP_ADDRESS}/24 dev eth0
$B ip route add default via ${SLIRP_GATEWAY}
$B mkdir -p /run/sshd
/usr/sbin/sshd -f ${S}/sshd_config -E ${S}/sshd.log || log "sshd failed: $($B tail -n 3 ${S}/sshd.log)"
log ready
while :; do $B sleep 3600 & wait $!; done
`
}

export function sshdConfig(): string {
  const S = GUEST_STATE_DIR
  return `Port 22
ListenAddress 0.0.0.0
HostKey ${S}/ssh_host_ed25519_key
AuthorizedKeysFile ${S}/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PidFile /run/sshd.pid
MaxSessions 64
MaxStartups 64
Subsystem sftp internal-sftp
`
}
