// The lima.yaml limafs writes, golden-tested, and checked against what lima-9p.md says Lima
// reads: the keys of pkg/limatype/lima_yaml.go, 9p only with vmType qemu, virtiofs with vz,
// every 9p setting spelled out with the matrix's value (Lima's defaults when the matrix has none).
import t from 'tap'
import { parse } from 'yaml'
import { parseMatrix } from '../../provision/matrix/load-matrix.ts'
import { instanceName, LIMA_NAME_RE, planInstances, VM_TYPE_FOR } from '../../provision/lima/instance-plan.ts'
import { planLimaShares } from '../../provision/lima-compat/plan-shares.ts'
import { DEFAULT_LIMA_CPUS, DEFAULT_LIMA_IMAGE, DEFAULT_LIMA_MEMORY, imageKeys, limaYaml, type LimaYamlOptions } from '../../provision/lima/lima-yaml.ts'
import { limaMountTag } from '../../provision/lima-compat/mount-tag.ts'
import { matchLimaGolden } from '../helpers/lima.ts'

const MATRIX = parseMatrix(`
configs:
  - { name: 9p-none-mmap, mountType: 9p, writable: true, 9p: { securityModel: none, cache: mmap } }
  - { name: 9p-mapped-xattr-loose, mountType: 9p, writable: true, 9p: { securityModel: mapped-xattr, cache: loose, msize: 512KiB } }
  - { name: 9p-defaults-writable, mountType: 9p, writable: true }
  - { name: 9p-defaults-readonly, mountType: 9p }
  - { name: virtiofs, mountType: virtiofs, writable: true }
`, 'golden.yaml')
const OPTIONS: LimaYamlOptions = { image: DEFAULT_LIMA_IMAGE, cpus: DEFAULT_LIMA_CPUS, memory: DEFAULT_LIMA_MEMORY, provisionNode: true }
const SHARES_DIR = '/var/tmp/limafs-501/lima/run-1-9p/shares'
const plans = planInstances('run-1', MATRIX.configs)

type Doc = { [key: string]: unknown; mounts: Array<Record<string, any>> }
const docOf = (i: number, options = OPTIONS): Doc => parse(limaYaml(plans[i]!, planLimaShares(SHARES_DIR, plans[i]!.configs), options)) as Doc

/** Every top-level key Lima's LimaYAML struct has (pkg/limatype/lima_yaml.go, Lima 2.2). */
const LIMA_KEYS = ['base', 'minimumLimaVersion', 'vmType', 'vmOpts', 'os', 'arch', 'images', 'cpuType', 'cpus', 'memory', 'disk', 'additionalDisks', 'mounts', 'mountTypesUnsupported', 'mountType', 'mountInotify', 'ssh', 'firmware', 'audio', 'video', 'provision', 'upgradePackages', 'containerd', 'guestInstallPrefix', 'probes', 'portForwards', 'copyToHost', 'message', 'networks', 'env', 'param', 'dns', 'hostResolver', 'propagateProxyEnv', 'caCerts', 'rosetta', 'plain', 'timezone', 'nestedVirtualization', 'user', 'tpm', 'osOpts']

t.test('the 9p configurations go to ONE QEMU instance and the virtiofs one to ONE VZ instance, 9p first', async (t) => {
  t.strictSame(plans.map((p) => [p.name, p.vmType, p.mountType, p.configs.length]), [['run-1-9p', 'qemu', '9p', 4], ['run-1-virtiofs', 'vz', 'virtiofs', 1]])
  t.strictSame(VM_TYPE_FOR, { '9p': 'qemu', virtiofs: 'vz' }, '9p exists only with QEMU; virtiofs is VZ (Lima\'s default on macOS)')
  t.strictSame(planInstances('x', MATRIX.configs.filter((c) => c.mountType === '9p')).length, 1, 'a 9p-only matrix needs one instance')
  t.ok(LIMA_NAME_RE.test(instanceName('limafs-run-123', '9p')), 'instance names are valid Lima names')
  t.notOk(LIMA_NAME_RE.test('bad name'), 'a name with a space is not')
})

t.test('the 9p instance\'s lima.yaml matches its golden file', async (t) => {
  matchLimaGolden(t, limaYaml(plans[0]!, planLimaShares(SHARES_DIR, plans[0]!.configs), OPTIONS), 'lima-9p.golden.yaml')
})

t.test('the virtiofs instance\'s lima.yaml matches its golden file', async (t) => {
  matchLimaGolden(t, limaYaml(plans[1]!, planLimaShares('/var/tmp/limafs-501/lima/run-1-virtiofs/shares', plans[1]!.configs), OPTIONS), 'lima-virtiofs.golden.yaml')
})

t.test('every key written is one Lima reads; mountType goes with vmType as Lima pairs them', async (t) => {
  for (const i of [0, 1]) {
    const doc = docOf(i)
    t.strictSame(Object.keys(doc).filter((k) => !LIMA_KEYS.includes(k)), [], `instance ${i}: no key Lima does not know`)
  }
  t.match(docOf(0), { vmType: 'qemu', mountType: '9p' })
  t.match(docOf(1), { vmType: 'vz', mountType: 'virtiofs' })
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
  t.strictSame(docOf(1).mounts.map((m) => [m.virtiofs, m['9p']]), [[{ queueSize: 1024 }, undefined]], 'virtiofs mounts carry no 9p block')
})

t.test('image, cpus and memory come from the options; the image is a Lima template or a file', async (t) => {
  t.match(docOf(0), { base: ['template:_images/ubuntu-24.04'], cpus: 2, memory: '2GiB', minimumLimaVersion: '2.0.0' })
  t.notOk('images' in docOf(0), 'a template gives the images list: no URL to go stale here')
  t.strictSame(imageKeys('debian-12'), { base: ['template:_images/debian-12'] })
  t.strictSame(imageKeys('template:fedora'), { base: ['template:fedora'] })
  t.strictSame(imageKeys('https://example.invalid/x.img'), { images: [{ location: 'https://example.invalid/x.img' }] })
  t.strictSame(imageKeys('/Users/me/ubuntu.qcow2'), { images: [{ location: '/Users/me/ubuntu.qcow2' }] })
  t.match(docOf(0, { ...OPTIONS, cpus: 3, memory: '3GiB' }), { cpus: 3, memory: '3GiB' })
})

t.test('node: a system provision script installs the distro\'s nodejs only when needed, and a readiness probe waits for it', async (t) => {
  const doc = docOf(0) as Doc & { provision: Array<{ mode: string; script: string }>; probes: Array<{ mode: string; script: string; hint: string }> }
  t.equal(doc.provision.length, 1)
  t.equal(doc.provision[0]!.mode, 'system')
  t.match(doc.provision[0]!.script, /^#!\/bin\/sh\n/, 'Lima needs a #! line')
  t.match(doc.provision[0]!.script, /then exit 0; fi\n/, 'nothing is installed when the image has Node >= 18 (idempotent: Lima runs it every boot)')
  t.match(doc.provision[0]!.script, /apt-get install -y -q --no-install-recommends nodejs/)
  t.match(doc.probes[0], { mode: 'readiness', script: /^#!\/bin\/sh\n/, hint: /Node >= 18/ })
  const bare = docOf(0, { ...OPTIONS, provisionNode: false })
  t.notOk('provision' in bare || 'probes' in bare, 'without provisionNode the guest gets nothing installed')
})

t.test('a plan and shares of different mount types are refused (a bug, not a user error)', async (t) => {
  t.throws(() => limaYaml(plans[0]!, planLimaShares(SHARES_DIR, MATRIX.configs), OPTIONS), /instance run-1-9p is 9p; virtiofs are not/)
})
