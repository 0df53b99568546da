// The testbed end to end, through the CLI a user runs: ONE guest booted for the whole file (own
// --name and --run-dir, the real warm cache), asserted from the guest's own /proc/self/mountinfo
// and from the host files behind the shares; always brought down, even when a test fails.
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { optionMap, parseMountinfo, type MountInfo } from '../../agent/mountinfo.ts'
import { limaMountTag } from '../../provision/lima-compat/mount-tag.ts'
import { loadDefaultMatrix } from '../../provision/matrix/load-matrix.ts'
import { isAlive } from '../../provision/process.ts'
import { bringDown, limafs, qemuOrVirtiofsdMentioning, type CliResult } from '../helpers/testbed.ts'

const NAME = `t-vm-${process.pid}`
// On disk under /var/tmp: the shares need a file system with user.* xattrs (tmpfs has none).
const TMP = mkdtempSync('/var/tmp/limafs-test-vm-')
// QEMU runs as an ordinary user (uid 1000 when we are root): it must reach the shares in here.
chmodSync(TMP, 0o755)
const RUN = join(TMP, 'run')
const CONFIGS = loadDefaultMatrix().configs
const QEMU_MISSING = (await execa('qemu-system-x86_64', ['--version'], { reject: false })).exitCode !== 0
const SKIP = QEMU_MISSING ? 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)' : false

const testbed = (sub: string, ...args: string[]) => limafs(['testbed', sub, '--name', NAME, '--run-dir', RUN, ...args])
/** `limafs testbed exec -- CMD...`: runs CMD in the guest as root. */
const guest = (...command: string[]) => limafs(['testbed', 'exec', '--name', NAME, '--run-dir', RUN, '--', ...command])
const mountPointOf = (config: string) => `/mnt/limafs/${config}`
const hostDirOf = (config: string) => join(RUN, 'shares', config)
const tagOf = (config: string) => limaMountTag(hostDirOf(config), mountPointOf(config))
/** What mountinfo names as a share's source: its Lima tag, or for reverse-sshfs the host dir sshfs serves (":/dir"). */
const sourceOf = (config: { name: string; mountType: string }, hostDir: string, mountPoint: string) => (config.mountType === 'reverse-sshfs' ? `:${hostDir}` : limaMountTag(hostDir, mountPoint))
/** Lima mounts reverse-sshfs from its host agent, not from fstab. */
const FSTAB_CONFIGS = CONFIGS.filter((c) => c.mountType !== 'reverse-sshfs')
const CACHE_WORDS = ['loose', 'fscache', 'mmap'] as const

async function guestMounts(): Promise<MountInfo[]> {
  const result = await guest('cat', '/proc/self/mountinfo')
  if (result.exitCode !== 0) throw new Error(`cat /proc/self/mountinfo in the guest failed (exit ${result.exitCode}): ${result.stderr}`)
  return parseMountinfo(result.stdout)
}

async function statusJson(): Promise<{ running: boolean; sshPort: number; qemu: { pid: number; uid: number }; virtiofsd?: { pids: number[] } }> {
  const result = await testbed('status', '--json')
  return JSON.parse(result.stdout)
}

/** A host file's xattr in hex, as getfattr (or python3) reads it; undefined when neither is installed. */
async function hostXattrHex(file: string, name: string): Promise<string | undefined> {
  const getfattr = await execa('getfattr', ['--absolute-names', '-n', name, '-e', 'hex', file], { reject: false })
  if (getfattr.exitCode === 0) return /=0x([0-9a-f]+)/.exec(getfattr.stdout)?.[1]
  const python = await execa('python3', ['-c', 'import os,sys; print(os.getxattr(sys.argv[1], sys.argv[2]).hex())', file, name], { reject: false })
  if (python.exitCode === 0) return python.stdout.trim()
  if (/No such attribute|ENODATA|No data available/.test(getfattr.stderr + python.stderr)) return ''
  return undefined
}

let upResult: CliResult | undefined

t.before(async () => {
  if (SKIP) return
  upResult = await testbed('up', '--siblings')
})

t.teardown(() => bringDown(RUN, TMP, () => testbed('down')))

t.test('testbed up boots a guest and reports every share of the default matrix mounted', { skip: SKIP }, async (t) => {
  t.equal(upResult?.exitCode, 0, `up exits 0 (stderr:\n${upResult?.stderr})`)
  t.match(upResult?.stderr, new RegExp(`ready in [\\d.]+ s: ${CONFIGS.length}/${CONFIGS.length} shares mounted, ${CONFIGS.length}/${CONFIGS.length} siblings\\n`))
  t.equal(CONFIGS.filter((c) => c.mountType === '9p' && c.writable && !c.mountInotify).length, 16, 'the default matrix has 16 writable 9p configurations')
  t.ok(['9p', 'virtiofs', 'reverse-sshfs'].every((type) => CONFIGS.some((c) => c.mountType === type && !c.writable)), 'and a read-only one per mount type')
})

t.test("the guest's mountinfo shows each 9p share at /mnt/limafs/<config> from its Lima tag, with its cache mode, trans=virtio, access=client", { skip: SKIP }, async (t) => {
  const mounts = await guestMounts()
  for (const config of CONFIGS.filter((c) => c.mountType === '9p')) {
    const m = mounts.find((x) => x.mountPoint === mountPointOf(config.name))
    if (!m) {
      t.fail(`${config.name}: nothing mounted at ${mountPointOf(config.name)}`)
      continue
    }
    const options = optionMap(m.superOptions)
    const cache = config.ninep!.cache
    t.equal(m.fsType, '9p', `${config.name}: 9p`)
    t.equal(m.source, tagOf(config.name), `${config.name}: source is the Lima tag of its host dir and mount point`)
    t.equal(options.get('trans'), 'virtio', `${config.name}: trans=virtio`)
    t.equal(options.get('access'), 'client', `${config.name}: access=client (9p2000.L's default)`)
    // Linux 6.1 prints the cache mode as a bare word, and nothing for cache=none.
    t.strictSame(CACHE_WORDS.filter((w) => options.has(w)), cache === 'none' ? [] : [cache], `${config.name}: cache=${cache} shows as ${cache === 'none' ? 'no cache word' : cache}`)
    // Linux >= 5.15 omits msize when it equals its default, 128 KiB: what Lima asks for.
    t.notOk(options.has('msize'), `${config.name}: no msize in the super options (${m.superOptions})`)
    t.equal(m.mountOptions.split(',')[0], config.writable ? 'rw' : 'ro', `${config.name}: mounted ${config.writable ? 'read-write' : 'read-only'}`)
  }
  const virtiofs = CONFIGS.find((c) => c.mountType === 'virtiofs')!
  const v = mounts.find((x) => x.mountPoint === mountPointOf(virtiofs.name))
  t.match(v, { fsType: 'virtiofs', source: tagOf(virtiofs.name) }, 'the virtiofs share is mounted from its Lima tag')
})

t.test("the guest's fstab asks for Lima's msize=131072 for every 9p share, and the host root shows a non-default msize=512000", { skip: SKIP }, async (t) => {
  const fstab = await guest('cat', '/etc/fstab')
  t.equal(fstab.exitCode, 0)
  const lines = fstab.stdout.trimEnd().split('\n').map((l) => l.split('\t'))
  t.equal(lines.length, 2 * FSTAB_CONFIGS.length, 'one fstab line per share and one per sibling (up --siblings), reverse-sshfs aside')
  for (const config of FSTAB_CONFIGS) {
    const line = lines.find((fields) => fields[1] === mountPointOf(config.name))
    if (!line) {
      t.fail(`${config.name}: no fstab line`)
      continue
    }
    t.equal(line[0], tagOf(config.name), `${config.name}: fstab names its tag`)
    t.equal(line[2], config.mountType, `${config.name}: type ${config.mountType}`)
    const options = optionMap(line[3]!)
    if (config.mountType === '9p') {
      t.equal(options.get('msize'), '131072', `${config.name}: msize=131072 requested`)
      t.equal(options.get('cache'), config.ninep!.cache, `${config.name}: cache=${config.ninep!.cache} requested`)
    }
    t.ok(options.has('nofail') && options.get('comment') === 'cloudconfig', `${config.name}: nofail,comment=cloudconfig as cloud-init writes it`)
  }
  const root = (await guestMounts()).find((m) => m.mountPoint === '/')
  t.match(root, { fsType: '9p', source: 'hostroot' }, 'the guest root is the host root share')
  t.equal(optionMap(root?.superOptions ?? '').get('msize'), '512000', 'the kernel does print an msize that is not its default')
})

t.test('with --siblings every configuration is mounted again, with its own options, on one small host dir: what one model writes another sees', { skip: SKIP }, async (t) => {
  const mounts = await guestMounts()
  const siblingDir = join(RUN, 'sibling')
  for (const config of CONFIGS) {
    const mountPoint = `/mnt/limafs-sibling/${config.name}`
    const sibling = mounts.find((m) => m.mountPoint === mountPoint)
    const own = mounts.find((m) => m.mountPoint === mountPointOf(config.name))
    t.equal(sibling?.source, sourceOf(config, siblingDir, mountPoint), `${config.name}: its sibling is mounted from its own tag (sshfs: the sibling dir)`)
    t.equal(sibling?.superOptions, own?.superOptions, `${config.name}: with the same options as the share itself`)
  }
  const write = await guest('sh', '-c', 'echo through-xattr > /mnt/limafs-sibling/9p-mapped-xattr-mmap/seen && cat /mnt/limafs-sibling/9p-mapped-file-mmap/seen /mnt/limafs-sibling/virtiofs/seen')
  t.equal(write.stdout, 'through-xattr\nthrough-xattr\n', 'a file written through one sibling is read through two others (another model, virtiofs)')
  t.equal(readFileSync(join(siblingDir, 'seen'), 'utf8'), 'through-xattr\n', 'and it is one host file')
  const df = await guest('sh', '-c', 'df -k /mnt/limafs-sibling/9p-none-mmap | tail -1')
  const sizeKiB = Number(df.stdout.trim().split(/\s+/)[1])
  t.ok(sizeKiB > 7000 && sizeKiB <= 8192, `the sibling dir is the testbed's 8 MiB tmpfs (as root): df says ${sizeKiB} KiB`)
  const full = await guest('sh', '-c', 'dd if=/dev/zero of=/mnt/limafs-sibling/9p-none-mmap/fill bs=1M count=16 2>&1; rm -f /mnt/limafs-sibling/9p-none-mmap/fill')
  t.match(full.stdout, /No space left on device/, 'so it can be filled up: ENOSPC')
})

t.test('testbed exec passes the guest command output and exit code through', { skip: SKIP }, async (t) => {
  const result = await guest('sh', '-c', 'echo to-stdout; echo to-stderr >&2; exit 7')
  t.equal(result.exitCode, 7)
  t.equal(result.stdout, 'to-stdout\n')
  t.equal(result.stderr, 'to-stderr\n')
  const quoted = await guest('printf', '%s|', 'two words', "it's")
  t.equal(quoted.stdout, "two words|it's|", 'arguments arrive as given, spaces and quotes included')
})

t.test('chown 1234:5678 on 9p-mapped-xattr-mmap is stored in user.virtfs.uid/gid (little-endian) on the host file', { skip: SKIP }, async (t) => {
  const file = `${mountPointOf('9p-mapped-xattr-mmap')}/f`
  t.equal((await guest('touch', file)).exitCode, 0, 'the file can be made')
  const result = await guest('chown', '1234:5678', file)
  t.equal(result.exitCode, 0, `chown succeeds (${result.stderr.trim() || 'no complaint'})`)
  t.equal((await guest('stat', '-c', '%u:%g', file)).stdout, '1234:5678\n', 'the guest sees the new owner')
  const hostFile = join(hostDirOf('9p-mapped-xattr-mmap'), 'f')
  const uid = await hostXattrHex(hostFile, 'user.virtfs.uid')
  if (uid === undefined) return t.pass('host xattrs read', { skip: 'neither getfattr nor python3 on this host to read xattrs' })
  t.equal(uid, 'd2040000', 'user.virtfs.uid = 1234 as 4 little-endian bytes')
  t.equal(await hostXattrHex(hostFile, 'user.virtfs.gid'), '2e160000', 'user.virtfs.gid = 5678')
  const { qemu } = await statusJson()
  t.equal(statSync(hostFile).uid, qemu.uid, "the host file itself belongs to QEMU's user, not 1234")
})

t.test('the same chown on 9p-none-mmap fails with "Operation not permitted" and exec passes the non-zero exit through', { skip: SKIP }, async (t) => {
  const file = `${mountPointOf('9p-none-mmap')}/f`
  t.equal((await guest('touch', file)).exitCode, 0, 'the file can be made')
  const result = await guest('chown', '1234:5678', file)
  t.equal(result.exitCode, 1, "chown's own exit code 1 (not the CLI's 2)")
  t.match(result.stderr, /Operation not permitted/)
  const { qemu } = await statusJson()
  t.equal(statSync(join(hostDirOf('9p-none-mmap'), 'f')).uid, qemu.uid, 'the host file is unchanged')
})

t.test('testbed remount 9p-mapped-xattr-loose mounts it again with the same super options, dropping what loose had cached', { skip: SKIP }, async (t) => {
  const config = '9p-mapped-xattr-loose'
  const hostFile = join(hostDirOf(config), 'edited-on-host')
  const guestFile = `${mountPointOf(config)}/edited-on-host`
  writeFileSync(hostFile, 'old\n')
  t.equal((await guest('cat', guestFile)).stdout, 'old\n', 'the guest reads the file (and caches it)')
  writeFileSync(hostFile, 'new\n') // in place: same inode, same size
  // lima-9p.md section 6: with cache=loose, 6.1 keeps the old data of a file the host edits in place.
  t.equal((await guest('cat', guestFile)).stdout, 'old\n', 'loose still serves the cached data before the remount')
  const before = (await guestMounts()).find((m) => m.mountPoint === mountPointOf(config))
  const result = await testbed('remount', config)
  t.equal(result.exitCode, 0, `remount exits 0 (${result.stderr.trim()})`)
  t.equal((await guest('cat', guestFile)).stdout, 'new\n', 'after the remount the guest reads the host data: it was really unmounted')
  const after = (await guestMounts()).filter((m) => m.mountPoint === mountPointOf(config))
  t.equal(after.length, 1, 'mounted once, not stacked')
  t.equal(after[0]?.superOptions, before?.superOptions, `same super options (${before?.superOptions})`)
  t.equal(after[0]?.source, tagOf(config), 'from the same tag')
  t.equal(result.stdout, `${config}: ${before?.superOptions}\n`, 'remount prints the options it got')
  const unknown = await testbed('remount', 'no-such-config')
  t.equal(unknown.exitCode, 64, 'an unknown configuration is a usage error')
  t.match(unknown.stderr, /no share named no-such-config; shares: 9p-none-none, /)
})

t.test('testbed restart boots again with the same host dirs: files written before are still there on host and guest', { skip: SKIP }, async (t) => {
  const guestFile = `${mountPointOf('9p-none-mmap')}/written-by-guest`
  t.equal((await guest('sh', '-c', `echo from-guest > ${guestFile}`)).exitCode, 0)
  writeFileSync(join(hostDirOf('virtiofs'), 'written-by-host'), 'from-host\n')
  const pidBefore = (await statusJson()).qemu.pid
  const result = await testbed('restart')
  t.equal(result.exitCode, 0, `restart exits 0 (${result.stderr.trim()})`)
  t.match(result.stderr, new RegExp(`${CONFIGS.length}/${CONFIGS.length} shares mounted`))
  t.not((await statusJson()).qemu.pid, pidBefore, 'a new QEMU process')
  t.equal(readFileSync(join(hostDirOf('9p-none-mmap'), 'written-by-guest'), 'utf8'), 'from-guest\n', 'the host still has what the guest wrote')
  t.equal((await guest('cat', guestFile)).stdout, 'from-guest\n', 'the guest reads it back after the reboot')
  t.equal((await guest('cat', `${mountPointOf('virtiofs')}/written-by-host`)).stdout, 'from-host\n', 'a file the host wrote is seen over virtiofs')
  t.equal((await guest('stat', '-c', '%u:%g', `${mountPointOf('9p-mapped-xattr-mmap')}/f`)).stdout, '1234:5678\n', 'a mapped-xattr owner survives the reboot')
  const mounts = await guestMounts()
  for (const config of CONFIGS) {
    t.equal(mounts.find((m) => m.mountPoint === mountPointOf(config.name))?.source, sourceOf(config, hostDirOf(config.name), mountPointOf(config.name)), `${config.name}: mounted again`)
  }
})

t.test('testbed status and status --json say it runs, on an ssh port where sshd answers', { skip: SKIP }, async (t) => {
  const text = await testbed('status')
  t.equal(text.exitCode, 0)
  const port = Number(/^ssh: root@127\.0\.0\.1 -p (\d+)/m.exec(text.stdout)?.[1])
  t.match(text.stdout, new RegExp(`^testbed ${NAME}: running \\(QEMU [^,]+, (tcg|kvm), pid \\d+`))
  t.ok(port > 0, `the text names the ssh port (${port})`)
  const json = await statusJson()
  t.equal(json.running, true)
  t.equal(json.sshPort, port, 'the same port in JSON')
  const banner = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    socket.setTimeout(10_000, () => socket.destroy(new Error('no ssh banner within 10 s')))
    socket.once('data', (d) => (resolve(d.toString()), socket.destroy()))
    socket.once('error', reject)
  })
  t.match(banner, /^SSH-2\.0-OpenSSH/, 'the guest sshd answers on that port')
})

t.test('testbed up a second time says it already runs and exits 64', { skip: SKIP }, async (t) => {
  const { sshPort, qemu } = await statusJson()
  const again = await testbed('up')
  t.equal(again.exitCode, 64)
  t.match(again.stderr, `limafs: testbed ${NAME} already runs (QEMU pid ${qemu.pid}, ssh port ${sshPort})`)
  t.ok(isAlive(qemu.pid), 'the running guest is left alone')
})

t.test('testbed down leaves no QEMU or virtiofsd process of the instance and removes its run dir', { skip: SKIP }, async (t) => {
  const { qemu, virtiofsd } = await statusJson()
  const pids = [qemu.pid, ...(virtiofsd?.pids ?? [])]
  t.ok(virtiofsd?.pids.length, 'a virtiofsd ran for the virtiofs share')
  const result = await testbed('down')
  t.equal(result.exitCode, 0, `down exits 0 (${result.stderr.trim()})`)
  for (const pid of pids) t.notOk(isAlive(pid), `pid ${pid} is gone`)
  t.strictSame(qemuOrVirtiofsdMentioning(RUN), [], 'no qemu-system or virtiofsd mentions the run dir')
  t.notOk(existsSync(RUN), 'the run dir is removed')
  const status = await testbed('status')
  t.equal(status.exitCode, 1, 'status now exits 1')
  t.match(status.stdout, `testbed ${NAME}: not running`)
})
