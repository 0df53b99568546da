// The guest's boot scripts and sshd config hold what the guest needs (a sanity test, not a golden):
// valid shell for busybox, the modules loaded in order, the host root mounted, Lima's network,
// an sshd config that sshd itself accepts.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { SLIRP_GATEWAY, SLIRP_IP_ADDRESS, SLIRP_NETWORK } from '../../provision/lima-compat/defaults.ts'
import { qemuNetdevArgs } from '../../provision/lima-compat/qemu-share-args.ts'
import { CONSOLE_MARKS, GUEST_STATE_DIR, HOST_ROOT_TAG, init2Script, initScript, sshdConfig } from '../../provision/testbed/guest-init.ts'
import { BOOT_PARAMS } from '../../provision/testbed/qemu-command.ts'

t.test('the init scripts are valid shell for the busybox that runs them', async (t) => {
  for (const [name, script] of [['init', initScript()], ['init2', init2Script()]] as const) {
    const check = await execa('/bin/busybox', ['sh', '-n'], { input: script, reject: false })
    t.equal(check.exitCode, 0, `${name}: busybox sh -n accepts it ${check.stderr}`)
  }
  t.match(initScript(), /^#!\/bin\/busybox sh\n/, '/init names its interpreter (the kernel execs it)')
})

t.test('/init loads the modules in the order file, mounts the host root read-only over 9p and switches to it', async (t) => {
  const init = initScript()
  t.match(init, /for m in \$\(cat \/modules\/order\); do insmod "\/modules\/\$m\.ko"/, 'modules from /modules/order, in order')
  t.match(init, new RegExp(`mount -t 9p -o ro,trans=virtio,version=9p2000\\.L,msize=512000,cache=loose ${HOST_ROOT_TAG} /newroot`), 'the host root, with a non-default msize')
  for (const dir of ['run', 'tmp', 'var/tmp', 'root', 'mnt']) t.match(init, new RegExp(`mount -t tmpfs .* tmpfs /newroot/${dir}\\n`), `a private tmpfs on /${dir}`)
  for (const fs of ['dev', 'proc', 'sys']) t.match(init, new RegExp(`mount --move /${fs} /newroot/${fs}\\n`), `/${fs} moves to the new root`)
  t.match(init, new RegExp(`exec switch_root /newroot ${GUEST_STATE_DIR}/busybox sh ${GUEST_STATE_DIR}/init2`))
  t.match(init, /limafs\.probe\)" = 1 \]; then log probe-ok; poweroff -f/, 'a KVM probe boot stops right after the modules load')
  t.equal(CONSOLE_MARKS.probeOk, 'limafs-init: probe-ok', 'the host waits for what log probe-ok prints')
  t.ok(init.indexOf('insmod') < init.indexOf(`${HOST_ROOT_TAG} /newroot`), 'modules are loaded before the 9p mount needs them')
})

t.test("init2 gives the guest Lima's address and gateway, the accounts sshd needs, an empty fstab and sshd", async (t) => {
  const init2 = init2Script()
  t.match(init2, new RegExp(`ip addr add ${SLIRP_IP_ADDRESS.replaceAll('.', '\\.')}/24 dev eth0`))
  t.match(init2, new RegExp(`ip route add default via ${SLIRP_GATEWAY.replaceAll('.', '\\.')}`))
  // The address must be the one QEMU's user network hands out: same /24, dhcpstart.
  const netdev = qemuNetdevArgs('127.0.0.1', 22, '52:55:55:00:00:00')[1]!
  t.match(netdev, `net=${SLIRP_NETWORK}`)
  t.match(netdev, `dhcpstart=${SLIRP_IP_ADDRESS}`)
  t.equal(SLIRP_GATEWAY.split('.').slice(0, 3).join('.'), SLIRP_NETWORK.split('.').slice(0, 3).join('.'), 'the gateway is in the guest network')
  t.match(init2, /awk -F: '\{ print \$1 ":\*:19000/, 'a private shadow: every account unlocked for key login')
  t.match(init2, /for f in passwd group shadow fstab; do \$B mount --bind/, 'passwd, group, shadow and fstab are the guest\'s own')
  t.match(init2, /uid=\$\(param limafs\.uid\)/, "the guest user gets QEMU's uid from the kernel command line")
  t.match(init2, new RegExp(`/usr/sbin/sshd -f ${GUEST_STATE_DIR}/sshd_config`))
  t.ok(init2.indexOf('/usr/sbin/sshd') < init2.indexOf('log ready'), `"${CONSOLE_MARKS.ready}" is printed once sshd has started`)
})

t.test('the sshd config passes `sshd -t` and allows only key logins', { skip: existsSync('/usr/sbin/sshd') ? false : 'no /usr/sbin/sshd on this host (apt-get install openssh-server)' }, async (t) => {
  const config = sshdConfig()
  t.match(config, /^PasswordAuthentication no$/m)
  t.match(config, /^UsePAM no$/m)
  t.match(config, /^PermitRootLogin prohibit-password$/m)
  t.match(config, /^Subsystem sftp internal-sftp$/m)
  const dir = t.testdir({})
  const keygen = await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'ssh_host_ed25519_key')], { reject: false })
  t.equal(keygen.exitCode, 0, 'a host key to test with')
  writeFileSync(join(dir, 'sshd_config'), config.replaceAll(GUEST_STATE_DIR, dir))
  const check = await execa('/usr/sbin/sshd', ['-t', '-f', join(dir, 'sshd_config')], { reject: false })
  // sshd checks its privilege separation dir (/run/sshd, made by init2 in the guest) only after
  // the config and the keys: on a host without it, that complaint alone still means "valid".
  const onlyPrivsep = /^Missing privilege separation directory: \S+$/.test(check.stderr.trim())
  t.ok(check.exitCode === 0 || onlyPrivsep, `sshd -t accepts the config and its host key (exit ${check.exitCode}: ${check.stderr.trim() || 'no complaint'})`)
})

t.test('BOOT_PARAMS send the console to the serial port, and panic stops the guest instead of hanging', async (t) => {
  t.equal(BOOT_PARAMS[0], 'console=ttyS0', 'console lines reach console.log, the boot-failure evidence')
  t.ok(BOOT_PARAMS.includes('panic=-1'), 'panic reboots, and -no-reboot then stops QEMU')
  t.ok(BOOT_PARAMS.includes('8250.nr_uarts=1'), 'one UART: ttyS0 stays the console')
  for (const p of BOOT_PARAMS) t.notMatch(p, /^(root|init|rdinit)=/, `${p}: nothing overrides the initramfs /init`)
})
