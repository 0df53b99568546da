// The limactl STAND-IN (test/lima-standin/) plays each Lima version the way that version's source
// behaves, and limafs's Lima driver and preflight read each one right (no VM is booted here):
// template locators (1.x can't read `template:NAME`), `limactl info` (hostOS since 2.0),
// `limactl validate`, `list --json` of a default instance (2.x lists no mountType; 1.x mounts
// /tmp/lima too; passwordlessSudo since 2.2), ~/.lima/_config/override.yaml merged into every
// instance (by mountPoint in 2.x, by location in 1.x) and seen by limafs as drift, mount tags.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { configDrift, driftReason } from '../../provision/lima/config-drift.ts'
import { parseImageSpec } from '../../provision/lima/image-spec.ts'
import { planInstances } from '../../provision/lima/instance-plan.ts'
import { limaYaml } from '../../provision/lima/lima-yaml.ts'
import { Limactl, LimactlError } from '../../provision/lima/limactl.ts'
import { limaPreflight } from '../../provision/lima/preflight.ts'
import { planLimaShares } from '../../provision/lima-compat/plan-shares.ts'
import { parseMatrix } from '../../provision/matrix/load-matrix.ts'
import { sharesOf } from '../lima-standin/standin-instance.ts'
import { standinLima } from '../lima-standin/lima-version.ts'
import { STANDIN_DIR } from '../helpers/lima.ts'

const dir = mkdtempSync(join(tmpdir(), 'limafs-standin-versions-'))
chmodSync(dir, 0o755)
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
// The stand-in inherits these: its ~ (Lima's default mount), its TMPDIR ({{.GlobalTempDir}}).
process.env.HOME = join(dir, 'home')
process.env.TMPDIR = join(dir, 'tmp')
mkdirSync(process.env.HOME)
mkdirSync(process.env.TMPDIR)
const limactl = new Limactl({ binary: join(STANDIN_DIR, 'limactl'), startTimeoutMs: 60_000 })

/** Plays Lima `version` with its own LIMA_HOME for the body. */
async function as<T>(version: string, body: (limaHome: string) => Promise<T>): Promise<T> {
  const limaHome = join(dir, `lima-${version}`)
  mkdirSync(limaHome, { recursive: true })
  process.env.LIMA_STANDIN_VERSION = version
  process.env.LIMA_HOME = limaHome
  return body(limaHome)
}

const matrix = parseMatrix('configs:\n  - { name: a, mountType: 9p, writable: true, 9p: { cache: mmap } }\n', 'm.yaml')
const plan = planInstances('v', matrix.configs, 'linux')[0]!
const shares = planLimaShares(join(dir, 'shares'), plan.configs)
const yamlFor = (file: string, version: Awaited<ReturnType<typeof limaPreflight>>['version']) => {
  writeFileSync(file, limaYaml(plan, shares, { image: parseImageSpec(undefined), cpus: 1, memory: '1GiB', provisionNode: false, limaVersion: version }))
  return file
}

t.test('Lima 1.2: the opaque template: locator fails as in Lima, the template:// one that limafs writes for it validates', async (t) => {
  await as('1.2.2', async (limaHome) => {
    const pre = await limaPreflight(limactl)
    t.match(pre, { versionText: '1.2.2', hostOs: process.platform, hostArch: /x86_64|aarch64/, configFiles: [] }, '1.x info has no hostOS: ours is used')
    t.equal(pre.info.hostOS, undefined)
    const ours = yamlFor(join(limaHome, 'ours.yaml'), pre.version)
    await limactl.validate(ours)
    const opaque = join(limaHome, 'opaque.yaml')
    writeFileSync(opaque, `minimumLimaVersion: 1.1.0\nbase: [template:_images/ubuntu-24.04]\nmounts: [{ location: ${dir}, writable: true }]\n`)
    const err = await limactl.validate(opaque).catch((e: unknown) => e)
    t.type(err, LimactlError)
    t.match((err as Error).message, /filename "" is invalid: identifier "\." must match \^\[A-Za-z0-9\]\+/, "pkg/limatmpl/locator.go: 1.x reads no name from template:NAME")
  })
})

t.test('Lima 2.2: limafs writes template:, and the template:// form validates with Lima\'s warning', async (t) => {
  await as('2.2.0', async (limaHome) => {
    const pre = await limaPreflight(limactl)
    t.match(pre.info, { version: '2.2.0', hostOS: process.platform, vmTypes: ['qemu'] })
    await limactl.validate(yamlFor(join(limaHome, 'ours.yaml'), pre.version))
    const slashes = join(limaHome, 'slashes.yaml')
    writeFileSync(slashes, `base: [template://_images/ubuntu-24.04]\nmounts: [{ location: ${dir}, writable: true }]\n`)
    await limactl.validate(slashes)
    const old = join(limaHome, 'old.yaml')
    writeFileSync(old, 'minimumLimaVersion: 9.0.0\n')
    await t.rejects(limactl.validate(old), /template requires Lima version `9\.0\.0`; this is only `2\.2\.0`/)
  })
})

t.test("a default instance (template:default): 2.x lists no mountType and mounts only ~, read-only; 1.x lists 9p and mounts /tmp/lima too", async (t) => {
  const v2 = await as('2.2.0', async () => {
    await limactl.create('default', 'template:default')
    return (await limactl.get('default'))!
  })
  t.equal(v2.config?.mountType, undefined, 'no mountType: the driver picks it at start')
  t.match(v2.config?.mounts, [{ location: process.env.HOME, mountPoint: process.env.HOME, writable: false, '9p': { cache: 'fscache' } }])
  t.equal(v2.config?.mounts?.length, 1)
  t.equal(v2.config?.user?.passwordlessSudo, true, '2.2: passwordless sudo by default')
  const v1 = await as('1.2.2', async () => {
    await limactl.create('default', 'template://default')
    return (await limactl.get('default'))!
  })
  t.equal(v1.config?.mountType, '9p', '1.x FillDefault: 9p for vmType qemu')
  t.match(v1.config?.mounts, [{ location: process.env.HOME, writable: false }, { location: join(process.env.TMPDIR!, 'lima'), mountPoint: '/tmp/lima', writable: true }])
  t.equal(v1.config?.user?.passwordlessSudo, undefined, 'no such setting before 2.2')
  const v20 = await as('2.0.3', async () => {
    await limactl.create('default', 'template:default')
    return (await limactl.get('default'))!
  })
  t.equal(v20.config?.mountType, undefined, '2.0 lists no mountType either')
  t.equal(v20.config?.user?.passwordlessSudo, undefined, 'nor has passwordlessSudo')
})

t.test("override.yaml changes a mount: merged by mountPoint (2.x) or location (1.x), and limafs's comparison names the change", async (t) => {
  const byVersion = {
    '2.2.0': `  - location: /ignored/when/merged/by/mountPoint\n    mountPoint: ${shares[0]!.mountPoint}\n`,
    '1.2.2': `  - location: ${shares[0]!.hostDir}\n`,
  }
  for (const [version, entry] of Object.entries(byVersion)) {
    await as(version, async (limaHome) => {
      mkdirSync(join(limaHome, '_config'), { recursive: true })
      writeFileSync(join(limaHome, '_config', 'override.yaml'), `mounts:\n${entry}    9p: { cache: loose }\n`)
      const pre = await limaPreflight(limactl)
      t.match(pre.configFiles, [/_config\/override\.yaml$/], `${version}: the preflight names the file Lima will merge in`)
      await limactl.create('v-9p', yamlFor(join(limaHome, 'v.yaml'), pre.version))
      const filled = (await limactl.get('v-9p'))!.config
      t.equal(filled?.mounts?.length, 1, `${version}: merged into the one mount, not added`)
      const drift = configDrift(plan, shares, filled)
      t.strictSame(drift, [{ config: 'a', field: 'mounts[].9p.cache', planned: 'mmap', filled: 'loose' }], `${version}: the difference, field by field`)
      t.match(driftReason(drift, 'a'), /mounts\[\]\.9p\.cache "mmap" -> "loose".*--accept-overrides/)
      t.equal(driftReason(drift, 'b'), undefined)
    })
  }
})

t.test('mount tags as each version gives them (pkg/cidata, pkg/driver/qemu): mount%d, then sha256 with \\0, then with :', async (t) => {
  const config = { vmType: 'qemu', arch: 'x86_64', cpus: 1, memory: '1GiB', disk: '1GiB', mountType: '9p', mountInotify: false, user: {}, provision: [], probes: [],
    mounts: [{ location: '/home/runner', mountPoint: '/home/runner', writable: false, sshfs: { cache: true, followSymlinks: false, sftpDriver: '' }, '9p': { securityModel: 'none', protocolVersion: '9p2000.L', msize: '128KiB', cache: 'fscache' }, virtiofs: {} }] }
  const tag = (v: string) => sharesOf(standinLima({ LIMA_STANDIN_VERSION: v }), config)[0]!.tag
  t.equal(tag('1.2.2'), 'mount0')
  t.equal(tag('2.0.3'), 'mount0')
  t.match(tag('2.1.4'), /^lima-[0-9a-f]{16}$/)
  t.not(tag('2.1.4'), tag('2.2.0'))
  t.equal(tag('2.2.0'), 'lima-7d73e542f8f9aa0c', "lima-9p.md's check value")
})
