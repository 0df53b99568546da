// The pure parts of what the testbed's host agent does the way Lima's does: reverse-sshfs's
// commands (Lima's pkg/hostagent/mount.go + sshocker's pkg/reversesshfs) and mountInotify's rules
// (pkg/hostagent/inotify.go, pkg/guestagent HandleInotify). The whole path runs in the VM tests.
import t from 'tap'
import { RepeatFilter, toGuestPath, watchedShares, GUEST_CHTIMES_SCRIPT } from '../../provision/lima-compat/mount-inotify.ts'
import { cpuinfoHasAes, goQuote, limaCipherOption, sftpServerArgs, sshfsOptions, sshfsRemoteCommand } from '../../provision/lima-compat/reverse-sshfs.ts'
import { parseMatrix } from '../../provision/matrix/load-matrix.ts'
import { guestPrepareScript, pipelineScript } from '../../provision/testbed/reverse-sshfs.ts'

const configs = parseMatrix(`
configs:
  - { name: rw, mountType: reverse-sshfs, writable: true }
  - { name: ro, mountType: reverse-sshfs }
  - { name: nocache, mountType: reverse-sshfs, writable: true, sshfs: { cache: false, followSymlinks: true } }
  - { name: ino, mountType: 9p, writable: true, mountInotify: true }
  - { name: ino-ro, mountType: 9p, mountInotify: true }
`, 'm.yaml').configs
const [rw, ro, nocache, ino, inoRo] = configs as [typeof configs[0], typeof configs[0], typeof configs[0], typeof configs[0], typeof configs[0]]

t.test("sshfs in the guest: slave mode, ro for a read-only mount, Lima's allow_other with cache=no and follow_symlinks as set", async (t) => {
  t.equal(sshfsOptions(rw), 'allow_other')
  t.equal(sshfsOptions(nocache), 'allow_other,cache=no,follow_symlinks')
  t.strictSame(sshfsRemoteCommand('/h/rw', '/mnt/limafs/rw', rw), ['sshfs', '":/h/rw"', '"/mnt/limafs/rw"', '-o', 'slave', '-o', 'allow_other'])
  t.strictSame(sshfsRemoteCommand('/h/ro', '/mnt/limafs/ro', ro), ['sshfs', '":/h/ro"', '"/mnt/limafs/ro"', '-o', 'slave', '-o', 'ro', '-o', 'allow_other'])
  t.equal(goQuote('/a b/"c"'), '"/a b/\\"c\\""', "Go's strconv.Quote, which sshocker's addQuotes uses")
  t.throws(() => sshfsOptions(ino), /mountType reverse-sshfs without sshfs settings/)
})

t.test("sftp-server on the host: -e (log to stderr), -d DIR (% doubled, as sshocker does), -R for a read-only mount", async (t) => {
  t.strictSame(sftpServerArgs('/h/rw', true), ['-e', '-d', '/h/rw'])
  t.strictSame(sftpServerArgs('/h/100%', false), ['-e', '-d', '/h/100%%', '-R'])
})

t.test("ssh's cipher as Lima picks it: AES-GCM first on a host with AES instructions, else chacha20-poly1305", async (t) => {
  t.strictSame(limaCipherOption(true), ['-o', 'Ciphers=^aes128-gcm@openssh.com,aes256-gcm@openssh.com'])
  t.strictSame(limaCipherOption(false), ['-o', 'Ciphers=^chacha20-poly1305@openssh.com'])
  t.ok(cpuinfoHasAes('processor\t: 0\nflags\t\t: fpu vme sse2 pclmulqdq aes avx\n'), 'x86 flags')
  t.ok(cpuinfoHasAes('Features\t: fp asimd evtstrm aes pmull sha1\n'), 'arm64 Features')
  t.notOk(cpuinfoHasAes('flags\t\t: fpu vme sse2 vaes_not_this\nmodel name\t: aes lookalike\n'), 'aes only in another line or word')
})

t.test('the guest is prepared as Lima\'s boot scripts do: user_allow_other, /dev/fuse for users, mount points made and given to the user', async (t) => {
  const script = guestPrepareScript([{ config: rw, tag: '', hostDir: '/h/rw', mountPoint: '/mnt/limafs/rw' }], 1000, 1000)
  t.match(script, /command -v sshfs >\/dev\/null \|\| \{ echo .*apt-get install sshfs/)
  t.match(script, /grep -q '\^user_allow_other' \/etc\/fuse\.conf/)
  t.match(script, /mount --bind \/run\/limafs\/fuse\.conf \/etc\/fuse\.conf/)
  t.match(script, /chmod 0666 \/dev\/fuse/)
  t.match(script, /mkdir -p \/mnt\/limafs\/rw\nchown 1000:1000 \/mnt\/limafs\/rw/)
})

t.test('the pipeline: ssh reads the fifo and feeds sftp-server, which writes the fifo', async (t) => {
  const script = pipelineScript({ fifo: '/i/rsshfs-0.fifo', ssh: ['-p', '22', 'h', '--', 'sshfs', '":/x"'], sftpServer: ['/usr/lib/openssh/sftp-server', '-e', '-d', '/x'] })
  t.equal(script, [
    'rm -f /i/rsshfs-0.fifo && mkfifo -m 600 /i/rsshfs-0.fifo || exit 1',
    `ssh -p 22 h -- sshfs '":/x"' < /i/rsshfs-0.fifo | /usr/lib/openssh/sftp-server -e -d /x > /i/rsshfs-0.fifo`,
    'rm -f /i/rsshfs-0.fifo',
    '',
  ].join('\n'))
})

t.test('mountInotify: only writable mounts are watched (setupWatchers), paths go to the guest side, repeats within 10 ms of mtime are dropped', async (t) => {
  const shares = [ino, inoRo, rw].map((config) => ({ config, tag: '', hostDir: `/h/${config.name}`, mountPoint: `/mnt/limafs/${config.name}` }))
  t.strictSame(watchedShares(shares).map((s) => s.config.name), ['ino'])
  t.equal(toGuestPath('/h/ino/a/b', shares), '/mnt/limafs/ino/a/b')
  t.equal(toGuestPath('/h/ino', shares), '/mnt/limafs/ino')
  t.equal(toGuestPath('/h/inox/a', shares), '/h/inox/a', 'a prefix of a name is not the share')
  const filter = new RepeatFilter()
  t.notOk(filter.repeated('/h/ino/f', 1_000_000.5))
  t.ok(filter.repeated('/h/ino/f', 1_000_009), 'the same file within 10 ms of its mtime: an echo')
  t.ok(filter.repeated('/h/ino/f', 1_000_000), "the guest's own times update, truncated: older, dropped (no loop)")
  t.notOk(filter.repeated('/h/ino/f', 1_000_020), 'a later change goes through')
  t.notOk(filter.repeated('/h/ino/g', 1_000_020), 'another file is its own')
  t.match(GUEST_CHTIMES_SCRIPT, /fs\.statSync\(e\.path\)\n\s*fs\.utimesSync\(e\.path, e\.time, e\.time\)/, "the guest agent's os.Stat then os.Chtimes(location, t, t)")
})
