// The lima.yaml limafs writes, golden-tested, and checked against what lima-9p.md says Lima
// reads: the keys of pkg/limatype/lima_yaml.go, 9p only with vmType qemu, virtiofs with vz,
// every 9p setting spelled out with the matrix's value (Lima's defaults when the matrix has none).
import t from 'tap'
import { parse } from 'yaml'
import { parseMatrix } from '../../provision/matrix/load-matrix.ts'
import { instanceName, LIMA_NAME_RE, planInstances, vmTypeFor } from '../../provision/lima/instance-plan.ts'
import { planLimaShares } from '../../provision/lima-compat/plan-shares.ts'
import { DEFAULT_LIMA_IMAGE, parseImageSpec } from '../../provision/lima/image-spec.ts'
import { parseLimaVersion } from '../../provision/lima/lima-version.ts'
import { DEFAULT_LIMA_CPUS, DEFAULT_LIMA_MEMORY, imageKeys, limaYaml, type LimaYamlOptions } from '../../provision/lima/lima-yaml.ts'
import { limaMountTag } from '../../provision/lima-compat/mount-tag.ts'
import { matchLimaGolden } from '../helpers/lima.ts'

const MATRIX = parseMatrix(`
configs:
  - { name: 9p-none-mmap, mountType: 9p, writable: true, 9p: { securityModel: none, cache: mmap } }
  - { name: 9p-mapped-xattr-loose, mountType: 9p, writable: true, 9p: { securityModel: mapped-xattr, cache: loose, msize: 512KiB } }
  - { name: 9p-defaults-writable, mountType: 9p, writable: true }
  - { name: 9p-defaults-readonly, mountType: 9p }
  - { name: virtiofs, mountType: virtiofs, writable: true }
  - { name: sshfs-nocache, mountType: reverse-sshfs, writable: true, sshfs: { cache: false } }
  - { name: inotify, mountType: 9p, writable: true, mountInotify: true }
`, 'golden.yaml')
const LIMA_2_2 = parseLimaVersion('2.2.0')
const OPTIONS: LimaYamlOptions = { image: parseImageSpec(undefined), cpus: DEFAULT_LIMA_CPUS, memory: DEFAULT_LIMA_MEMORY, provisionNode: true, limaVersion: LIMA_2_2 }
const SHARES_DIR = '/var/tmp/limafs-501/lima/run-1-9p/shares'
// As on macOS: virtiofs with vz.
const plans = planInstances('run-1', MATRIX.configs, 'darwin')

type Doc = { [key: string]: unknown; mounts: Array<Record<string, any>> }
const docOf = (i: number, options = OPTIONS): Doc => parse(limaYaml(plans[i]!, planLimaShares(SHARES_DIR, plans[i]!.configs), options)) as Doc

/** Every top-level key Lima's LimaYAML struct has (pkg/limatype/lima_yaml.go, Lima 2.2). */
const LIMA_KEYS = ['base', 'minimumLimaVersion', 'vmType', 'vmOpts', 'os', 'arch', 'images', 'cpuType', 'cpus', 'memory', 'disk', 'additionalDisks', 'mounts', 'mountTypesUnsupported', 'mountType', 'mountInotify', 'ssh', 'firmware', 'audio', 'video', 'provision', 'upgradePackages', 'containerd', 'guestInstallPrefix', 'probes', 'portForwards', 'copyToHost', 'message', 'networks', 'env', 'param', 'dns', 'hostResolver', 'propagateProxyEnv', 'caCerts', 'rosetta', 'plain', 'timezone', 'nestedVirtualization', 'user', 'tpm', 'osOpts']

t.test('one instance per mount type and mountInotify, 9p first; virtiofs with VZ on macOS, QEMU + virtiofsd on Linux', async (t) => {
  t.strictSame(plans.map((p) => [p.name, p.vmType, p.mountType, p.mountInotify, p.configs.length]), [
    ['run-1-9p', 'qemu', '9p', false, 4], ['run-1-9p-inotify', 'qemu', '9p', true, 1], ['run-1-virtiofs', 'vz', 'virtiofs', false, 1], ['run-1-reverse-sshfs', 'qemu', 'reverse-sshfs', false, 1],
  ])
  t.strictSame([vmTypeFor('9p', 'darwin'), vmTypeFor('virtiofs', 'darwin'), vmTypeFor('virtiofs', 'linux'), vmTypeFor('reverse-sshfs', 'darwin')], ['qemu', 'vz', 'qemu', 'qemu'], '9p exists only with QEMU; virtiofs is VZ on macOS, QEMU + virtiofsd on Linux (qemu_driver.go validateMountType)')
  t.strictSame(planInstances('x', MATRIX.configs.filter((c) => c.mountType === '9p' && !c.mountInotify), 'linux').length, 1, 'a 9p-only matrix needs one instance')
  t.ok(LIMA_NAME_RE.test(instanceName('limafs-run-123', '9p')), 'instance names are valid Lima names')
  t.notOk(LIMA_NAME_RE.test('bad name'), 'a name with a space is not')
})

t.test('the 9p instance\'s lima.yaml matches its golden file', async (t) => {
  matchLimaGolden(t, limaYaml(plans[0]!, planLimaShares(SHARES_DIR, plans[0]!.configs), OPTIONS), 'lima-9p.golden.yaml')
})

t.test('the virtiofs instance\'s lima.yaml matches its golden file (vz: no queueSize, which VZ ignores)', async (t) => {
  matchLimaGolden(t, limaYaml(plans[2]!, planLimaShares('/var/tmp/limafs-501/lima/run-1-virtiofs/shares', plans[2]!.configs), OPTIONS), 'lima-virtiofs.golden.yaml')
  const linux = planInstances('run-1', MATRIX.configs, 'linux').find((p) => p.mountType === 'virtiofs')!
  const doc = parse(limaYaml(linux, planLimaShares('/v/shares', linux.configs), OPTIONS)) as Doc
  t.match(doc, { vmType: 'qemu', mountType: 'virtiofs', mounts: [{ virtiofs: { queueSize: 1024 } }] }, 'on Linux: QEMU + virtiofsd, with its queueSize')
})

t.test('the reverse-sshfs instance\'s lima.yaml: every sshfs setting spelled out; the mountInotify one says so', async (t) => {
  const doc = parse(limaYaml(plans[3]!, planLimaShares('/v/shares', plans[3]!.configs), OPTIONS)) as Doc
  t.match(doc, { vmType: 'qemu', mountType: 'reverse-sshfs', mountInotify: false, mounts: [{ writable: true, sshfs: { cache: false, followSymlinks: false, sftpDriver: 'openssh-sftp-server' } }] })
  t.notOk('9p' in doc.mounts[0]!, 'no 9p block on a reverse-sshfs mount')
  t.match(parse(limaYaml(plans[1]!, planLimaShares('/v/shares', plans[1]!.configs), OPTIONS)), { mountInotify: true })
})

t.test("the template locator is the form the installed Lima reads: template: on 2.x, template:// on 1.x (whose SeemsTemplateURL can't read the other)", async (t) => {
  const form = (v: string) => (parse(limaYaml(plans[0]!, planLimaShares(SHARES_DIR, plans[0]!.configs), { ...OPTIONS, limaVersion: parseLimaVersion(v) })) as Doc).base
  t.strictSame(form('2.2.0'), ['template:_images/ubuntu-24.04'])
  t.strictSame(form('2.0.0'), ['template:_images/ubuntu-24.04'])
  t.strictSame(form('1.2.2'), ['template://_images/ubuntu-24.04'])
  t.strictSame(form('1.1.0'), ['template://_images/ubuntu-24.04'])
  t.match(docOf(0), { minimumLimaVersion: '1.1.0' }, 'base: with a template:// locator needs 1.1')
  t.match(docOf(0), { user: { passwordlessSudo: true } }, '2.2: passwordless sudo said outright')
  t.notOk('user' in (parse(limaYaml(plans[0]!, planLimaShares(SHARES_DIR, plans[0]!.configs), { ...OPTIONS, limaVersion: parseLimaVersion('2.1.4') })) as Doc), 'before 2.2 there is no such key')
})

t.test('every key written is one Lima reads; mountType goes with vmType as Lima pairs them', async (t) => {
  for (const i of [0, 1, 2, 3]) {
    const doc = docOf(i)
    t.strictSame(Object.keys(doc).filter((k) => !LIMA_KEYS.includes(k)), [], `instance ${i}: no key Lima does not know`)
  }
  t.match(docOf(0), { vmType: 'qemu', mountType: '9p' })
  t.match(docOf(2), { vmType: 'vz', mountType: 'virtiofs' })
  t.strictSame(docOf(0).containerd, { system: false, user: false }, 'no containerd/nerdctl download (Lima\'s default user: true)')
  t.strictSame(docOf(0).ssh, { loadDotSSHPubKeys: false }, 'the user\'s ~/.ssh keys stay out')
})

t.test('each mount: a fresh host dir per config, mounted at /mnt/limafs/<config>, writable as the matrix says', async (t) => {
  const mounts = docOf(0).mounts
  t.strictSame(mounts.map((m) => [m.location, m.mountPoint, m.writable]), [
    [`${SHARES_DIR}/9p-none-mmap`, '/mnt/limafs/9p-none-mmap', true],
    [`${SHARES_DIR}/9p-mapped-xattr-loose`, '/mnt/limafs/9p-mapped-xattr-loose', true],
    [`${SHARES_DIR}/9p-defaults-writable`, '/mnt/limafs/9p-defaults-writable', true],
    [`${SHARES_DIR}/9p-defaults-readonly`, '/mnt/limafs/9p-defaults-readonly', false],
  ])
  const shares = planLimaShares(SHARES_DIR, plans[0]!.configs)
  t.equal(shares[0]!.tag, limaMountTag(`${SHARES_DIR}/9p-none-mmap`, '/mnt/limafs/9p-none-mmap'), 'the tag is the one Lima computes from location and mountPoint')
  t.equal(limaMountTag('/home/runner', '/home/runner'), 'lima-7d73e542f8f9aa0c', "lima-9p.md's check value for Lima 2.2's tag")
})

t.test('every 9p setting is spelled out: the matrix\'s values, else Lima\'s defaults (none, 9p2000.L, 128KiB, mmap writable / fscache read-only)', async (t) => {
  const ninep = docOf(0).mounts.map((m) => m['9p'])
  t.strictSame(ninep, [
    { securityModel: 'none', protocolVersion: '9p2000.L', msize: '128KiB', cache: 'mmap' },
    { securityModel: 'mapped-xattr', protocolVersion: '9p2000.L', msize: '512KiB', cache: 'loose' },
    { securityModel: 'none', protocolVersion: '9p2000.L', msize: '128KiB', cache: 'mmap' },
    { securityModel: 'none', protocolVersion: '9p2000.L', msize: '128KiB', cache: 'fscache' },
  ])
  t.strictSame(docOf(2).mounts.map((m) => [m.virtiofs, m['9p']]), [[undefined, undefined]], 'virtiofs mounts carry no 9p block (nor, with vz, a queueSize)')
})

t.test('image, cpus and memory come from the options; the image is a Lima template or pinned files (location, digest, arch)', async (t) => {
  t.match(docOf(0), { base: ['template:_images/ubuntu-24.04'], cpus: 2, memory: '2GiB' })
  t.notOk('images' in docOf(0), 'a template gives the images list: no URL to go stale here')
  t.equal(DEFAULT_LIMA_IMAGE, 'ubuntu-24.04')
  const keys = (values: string[], v = '2.2.0') => imageKeys(parseImageSpec(values), parseLimaVersion(v))
  t.strictSame(keys(['debian-12']), { base: ['template:_images/debian-12'] })
  t.strictSame(keys(['template:fedora']), { base: ['template:fedora'] })
  t.strictSame(keys(['template://fedora'], '1.2.2'), { base: ['template://fedora'] })
  t.strictSame(keys(['https://example.invalid/x.img']), { images: [{ location: 'https://example.invalid/x.img' }] })
  t.strictSame(keys(['/Users/me/ubuntu.qcow2']), { images: [{ location: '/Users/me/ubuntu.qcow2' }] })
  const sha = `sha256:${'ab'.repeat(32)}`
  t.strictSame(keys([`https://x.invalid/noble-arm64.img,digest=${sha},arch=aarch64`, 'https://x.invalid/noble-amd64.img,arch=x86_64']), {
    images: [{ location: 'https://x.invalid/noble-arm64.img', arch: 'aarch64', digest: sha }, { location: 'https://x.invalid/noble-amd64.img', arch: 'x86_64' }],
  }, 'one pinned image per arch, for the same guest on every Lima version')
  t.throws(() => parseImageSpec(['debian-12,arch=x86_64']), /digest= and arch= go with an image file/)
  t.throws(() => parseImageSpec(['https://x.invalid/a.img,arch=arm64']), /arch must be one of x86_64\|aarch64/)
  t.throws(() => parseImageSpec(['https://x.invalid/a.img,size=1']), /unknown field "size=1"/)
  t.throws(() => parseImageSpec(['https://x.invalid/a.img,arch=x86_64', 'https://x.invalid/b.img,arch=x86_64']), /one image per arch/)
  t.match(docOf(0, { ...OPTIONS, cpus: 3, memory: '3GiB' }), { cpus: 3, memory: '3GiB' })
})

t.test('node: a system provision script installs the distro\'s nodejs only when needed, and a readiness probe waits for it', async (t) => {
  const doc = docOf(0) as Doc & { provision: Array<{ mode: string; script: string }>; probes: Array<{ mode: string; script: string; hint: string }> }
  t.equal(doc.provision.length, 1)
  t.equal(doc.provision[0]!.mode, 'system')
  t.match(doc.provision[0]!.script, /^#!\/bin\/sh\n/, 'Lima needs a #! line')
  t.match(doc.provision[0]!.script, /then exit 0; fi\n/, 'nothing is installed when the image has Node >= 18 (idempotent: Lima runs it every boot)')
  t.match(doc.provision[0]!.script, /apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends nodejs/, 'apt waits for the dpkg lock of Ubuntu\'s first boot')
  t.match(doc.provision[0]!.script, /apt-get -o DPkg::Lock::Timeout=600 update/)
  t.match(doc.provision[0]!.script, /fail\(\) \{ echo "LIMAFS-P""ROVISION-FAILED: \$\*" \| tee \/var\/lib\/limafs\/node-provision-failed/, 'a failure leaves a marker (and prints the mark, split in the source)')
  t.notMatch(doc.provision[0]!.script, /LIMAFS-PROVISION-FAILED/, 'the whole mark never appears in the script itself')
  t.match(doc.probes[0], { mode: 'readiness', script: /^#!\/bin\/sh\n/, hint: /Node >= 18/ })
  t.match(doc.probes[0]!.script, /if \[ -f \/var\/lib\/limafs\/node-provision-failed \]; then cat .* >&2; exit 1; fi/, 'the probe fails at once on the marker')
  t.match(doc.probes[0]!.script, /-ge 10 \]/, 'and waits only 10 s itself (Lima retries a probe 200 times)')
  const bare = docOf(0, { ...OPTIONS, provisionNode: false })
  t.notOk('provision' in bare || 'probes' in bare, 'without provisionNode the guest gets nothing installed')
})

t.test('a plan and shares of different mount types are refused (a bug, not a user error)', async (t) => {
  t.throws(() => limaYaml(plans[0]!, planLimaShares(SHARES_DIR, MATRIX.configs), OPTIONS), /instance run-1-9p is 9p; virtiofs, sshfs-nocache are not/)
})
