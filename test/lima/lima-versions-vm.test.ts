// The Lima backend through the CLI, with the limactl STAND-IN (test/lima-standin/) playing
// Lima 1.2 and Lima 2.2 (LIMA_STANDIN_VERSION), as real users meet them:
//   - Lima 1.2 makes the instances from limafs's yaml (the template:// locator 1.x reads; mount
//     tags mount%d), a 9p and a reverse-sshfs one, with a user's ~/.lima/_config/override.yaml
//     that changes a mount's cache, accepted with --accept-overrides (and recorded);
//   - Lima 1.2 `--instance default` on an ordinary default instance (~ read-only, /tmp/lima),
//     the read-only suite on ~ in a scratch dir the host makes there and removes;
//   - Lima 2.2: the same override refuses the configuration it changes (the others run), and
//     environment.json says why;
//   - Lima 2.2 `--instance default` (~ read-only, no mountType listed) with
//     user.passwordlessSudo false is refused up front (sudo -n), then runs once it is true (on ~ too).
// One guest at a time; every instance is deleted at the end.
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import t, { type Test } from 'tap'
import { parse } from 'yaml'
import { readEnvironment } from '../../cli/environment.ts'
import { DEFAULT_QEMU_UID } from '../../provision/testbed/instance.ts'
import { parseResults } from '../../reports/results-schema.ts'
import type { Results } from '../../reports/types.ts'
import { STANDIN_DIR, standinEnv } from '../helpers/lima.ts'
import { limafs, type CliResult } from '../helpers/testbed.ts'

const NAME = `t-lv-${process.pid}`
const TMP = mkdtempSync('/var/tmp/limafs-test-lima-versions-')
chmodSync(TMP, 0o755)
const HOME = join(TMP, 'home')
mkdirSync(join(HOME, 'project'), { recursive: true })
writeFileSync(join(HOME, 'project', 'README'), 'a file of the user\'s\n')
chmodSync(HOME, 0o755)
// ~ is the user's, as a real one is: run as root, the stand-in acts for uid 1000 (QEMU runs as it).
if (process.getuid?.() === 0) for (const p of [HOME, join(HOME, 'project'), join(HOME, 'project', 'README')]) chownSync(p, DEFAULT_QEMU_UID, DEFAULT_QEMU_UID)
const SHARES_ROOT = join(readEnvironment().instancesDir, 'lima')
const QEMU_MISSING = (await execa('qemu-system-x86_64', ['--version'], { reject: false })).exitCode !== 0
const SKIP = QEMU_MISSING ? 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)' : false

/** The stand-in as Lima `version`, its own LIMA_HOME; HOME is the user's ~ (the cache stays the real one). */
function limaEnv(version: string): Record<string, string> {
  const limaHome = join(TMP, `lima-home-${version}`)
  mkdirSync(join(limaHome, '_config'), { recursive: true })
  return { ...standinEnv(limaHome), LIMA_STANDIN_VERSION: version, HOME, TMPDIR: join(TMP, 'tmp'), XDG_CACHE_HOME: readEnvironment().cacheDir.replace(/\/limafs$/, '') }
}
mkdirSync(join(TMP, 'tmp'))
const limactl = (env: Record<string, string>, ...args: string[]) => execa(join(STANDIN_DIR, 'limactl'), args, { env, reject: false })

const matrixFile = join(TMP, 'matrix.yaml')
writeFileSync(matrixFile, `backend: lima
configs:
  - { name: a, mountType: 9p, writable: true, 9p: { securityModel: mapped-xattr, cache: mmap } }
  - { name: b, mountType: 9p, writable: true, 9p: { securityModel: mapped-xattr, cache: mmap } }
  - { name: s, mountType: reverse-sshfs, writable: true }
suites: [chown, symlink]
`)
const only9p = join(TMP, 'only9p.yaml')
writeFileSync(only9p, readFileSync(matrixFile, 'utf8').replace(/^  - \{ name: s,.*\n/m, ''))
const found = join(TMP, 'found.yaml')
writeFileSync(found, 'configs:\n  - { name: x, mountType: 9p }\nsuites: [chown, coherence, read-only]\n')

const runs: Record<string, { cli: CliResult; results?: Results; env?: Record<string, any>; out: string }> = {}
async function run(label: string, args: string[], env: Record<string, string>) {
  const out = join(TMP, label)
  const cli = await limafs(['run', '--out', out, ...args], { timeoutMs: 900_000, env })
  const file = join(out, 'results.json')
  runs[label] = {
    cli, out,
    ...(existsSync(file) ? { results: parseResults(readFileSync(file, 'utf8'), file) } : {}),
    ...(existsSync(join(out, 'environment.json')) ? { env: JSON.parse(readFileSync(join(out, 'environment.json'), 'utf8')) } : {}),
  }
  return runs[label]!
}
/**
 * An instance's read-only ~ was measured: its files read back and every write is refused, in the
 * scratch dir the host made in ~ (how the guest sees host edits there is data, whatever it is);
 * nothing of limafs's is left in ~ after.
 */
function readOnlyHomeMeasured(t: Test, results: Results | undefined) {
  const home = results?.configs.find((c) => c.name.endsWith('home') && !c.config.writable)
  const points = home?.checks.filter((k) => k.suite === 'read-only') ?? []
  const readsAndRefusals = points.filter((k) => /^read-only\/(reads|refuses)\//.test(k.id))
  const wrong = readsAndRefusals.filter((k) => k.status !== 'ok').map((k) => `${k.id} ${k.status}${k.diagnostics ? `: ${k.diagnostics.op} ${JSON.stringify(k.diagnostics.args)} found ${k.diagnostics.found}` : ''}`)
  t.ok(readsAndRefusals.length >= 15, `the read-only suite ran on ~ (${points.length} points)`)
  t.same(wrong, [], '~ reads back, and refuses every write')
  t.notOk(points.some((k) => k.id.startsWith('read-only/host-change/') && k.status === 'skip'), 'host edits in ~ were measured')
  t.same(readdirSync(HOME).filter((n) => n.startsWith('.limafs-')), [], 'the scratch dir the host made in ~ is gone')
}
const tail = (r: CliResult) => r.stderr.split('\n').slice(-30).join('\n')
const status = (r: Results | undefined) => Object.fromEntries(r?.configs.map((c) => [c.name, c.status]) ?? [])

t.teardown(async () => {
  for (const version of ['1.2.2', '2.2.0']) {
    const env = limaEnv(version)
    const listed = await limactl(env, 'list', '--json')
    for (const line of listed.stdout.split('\n').filter(Boolean)) await limactl(env, 'delete', '-f', JSON.parse(line).name)
  }
  for (const suffix of ['9p', 'reverse-sshfs']) rmSync(join(SHARES_ROOT, `${NAME}-${suffix}`), { recursive: true, force: true })
  rmSync(TMP, { recursive: true, force: true })
})

t.test('Lima 1.2 makes the instances from limafs\'s yaml; an override.yaml accepted with --accept-overrides is tested as Lima filled it in', { skip: SKIP }, async (t) => {
  const env = limaEnv('1.2.2')
  // 1.x merges override.yaml's mounts by location: the host dir limafs gives config a.
  writeFileSync(join(env.LIMA_HOME!, '_config', 'override.yaml'), `mounts:\n  - location: ${join(SHARES_ROOT, `${NAME}-9p`, 'shares', 'a')}\n    9p: { cache: loose }\n`)
  // --keep: the lima.yaml limafs wrote stays to be looked at; the instances are deleted below.
  const { cli, results, env: environment } = await run('v1-create', ['--matrix', matrixFile, '--name', NAME, '--no-restart', '--accept-overrides', '--keep'], env)
  t.ok(cli.exitCode === 0 || cli.exitCode === 1, `the run completed (exit ${cli.exitCode}; stderr tail:\n${tail(cli)})`)
  t.strictSame(status(results), { a: 'completed', b: 'completed', s: 'completed' })
  t.match(cli.stderr, /Lima 1\.2\.2: limactl create --name=t-lv-\d+-9p/)
  t.match(cli.stderr, /Lima merges .*_config\/override\.yaml into every instance/)
  t.match(cli.stderr, /a: Lima filled in mounts\[\]\.9p\.cache "loose", not the planned "mmap" \(--accept-overrides: tested as filled in\)/)
  const yaml = parse(readFileSync(join(SHARES_ROOT, `${NAME}-9p`, 'lima.yaml'), 'utf8')) as { base: string[]; minimumLimaVersion: string }
  t.strictSame(yaml.base, ['template://_images/ubuntu-24.04'], 'the locator form Lima 1.x reads')
  t.equal(yaml.minimumLimaVersion, '1.1.0')
  t.match(environment, { limaVersion: '1.2.2', limaConfigFiles: [/override\.yaml$/], limaOverridesAccepted: true })
  t.match(environment?.guests?.['9p']?.limaConfigDrift ?? environment?.limaConfigDrift, [{ config: 'a', field: 'mounts[].9p.cache', planned: 'mmap', filled: 'loose' }], 'environment.json records the difference')
  t.match(results?.configs.find((c) => c.name === 'a')?.config, { ninep: { cache: 'loose' } }, 'results say what was tested: cache loose')
  t.match(environment?.mountinfo?.a, /^9p mount0 .*loose/, 'Lima 1.x tags (mount0), and the guest really mounted it with cache=loose')
  t.match(environment?.mountinfo?.s, /^fuse\.sshfs :\S+\/shares\/s /, 'the reverse-sshfs instance: sshfs in the guest, from the host\'s sftp-server')
  t.equal(results?.configs.find((c) => c.name === 's')?.checks.find((k) => k.id === 'symlink/call/guest-made')?.status, 'ok', 'a symlink round-trips on reverse-sshfs (made, then read back with its target)')
  rmSync(join(env.LIMA_HOME!, '_config', 'override.yaml'))
  for (const suffix of ['9p', 'reverse-sshfs']) {
    await limactl(env, 'delete', '-f', `${NAME}-${suffix}`)
    rmSync(join(SHARES_ROOT, `${NAME}-${suffix}`), { recursive: true, force: true })
  }
})

t.test('Lima 1.2 --instance default: the default template\'s mounts (~ read-only, /tmp/lima writable), mountType 9p as 1.x lists it', { skip: SKIP }, async (t) => {
  const env = limaEnv('1.2.2')
  t.equal((await limactl(env, 'create', '--name=default', 'template://default')).exitCode, 0)
  const started = await limactl(env, 'start', '--tty=false', 'default')
  t.equal(started.exitCode, 0, started.stderr.slice(-500))
  const { cli, results } = await run('v1-instance', ['--backend', 'lima', '--instance', 'default', '--matrix', found], env)
  t.ok(cli.exitCode === 0 || cli.exitCode === 1, `completed (exit ${cli.exitCode}; stderr tail:\n${tail(cli)})`)
  const names = results?.configs.map((c) => c.name) ?? []
  t.ok(names.includes('tmp-lima'), `the writable /tmp/lima mount (${names.join(', ')})`)
  t.ok(names.some((n) => n.endsWith('home')), 'and the read-only home mount')
  t.ok(results?.configs.find((c) => c.name === 'tmp-lima')?.checks.some((k) => k.status === 'ok'), 'the writable mount was tested')
  t.match(results?.configs.find((c) => c.name === 'tmp-lima')?.config, { mountType: '9p', writable: true, ninep: { securityModel: 'none', cache: 'mmap' } })
  readOnlyHomeMeasured(t, results)
  await limactl(env, 'delete', '-f', 'default')
})

t.test('Lima 2.2: an override.yaml that changes a mount refuses that configuration with the reason; the others run', { skip: SKIP }, async (t) => {
  const env = limaEnv('2.2.0')
  // 2.x merges by mountPoint: the location of this entry is not used.
  writeFileSync(join(env.LIMA_HOME!, '_config', 'override.yaml'), 'mounts:\n  - location: /anything\n    mountPoint: /mnt/limafs/a\n    9p: { cache: loose }\n')
  const { cli, results, env: environment } = await run('v2-override', ['--matrix', only9p, '--name', NAME, '--no-restart'], env)
  t.equal(cli.exitCode, 2, `exit 2: a configuration could not be run (stderr tail:\n${tail(cli)})`)
  t.strictSame(status(results), { a: 'infra-failed', b: 'completed' })
  t.match(results?.configs.find((c) => c.name === 'a')?.error, /^Lima's filled-in config differs from the plan \(mounts\[\]\.9p\.cache "mmap" -> "loose"\).*--accept-overrides/)
  t.match(environment, { limaVersion: '2.2.0', limaOverridesAccepted: false, limaConfigDrift: [{ config: 'a', field: 'mounts[].9p.cache', planned: 'mmap', filled: 'loose' }] })
  t.match(environment?.mountinfo?.a, /^9p lima-[0-9a-f]{16} /, 'Lima 2.2 tags')
  t.notOk(existsSync(join(SHARES_ROOT, `${NAME}-9p`)), 'the instance and its share dirs are gone')
  rmSync(join(env.LIMA_HOME!, '_config', 'override.yaml'))
})

t.test('Lima 2.2 --instance default: refused up front while user.passwordlessSudo is false; then its read-only home, mountType from vmType', { skip: SKIP }, async (t) => {
  const env = limaEnv('2.2.0')
  writeFileSync(join(env.LIMA_HOME!, '_config', 'override.yaml'), 'user:\n  passwordlessSudo: false\n')
  t.equal((await limactl(env, 'create', '--name=default', 'template:default')).exitCode, 0)
  t.equal((await limactl(env, 'start', '--tty=false', 'default')).exitCode, 0)
  const refused = await run('v2-nosudo', ['--backend', 'lima', '--instance', 'default', '--matrix', found], env)
  t.equal(refused.cli.exitCode, 2)
  t.match(refused.cli.stderr, /`sudo -n true` fails as \S+ in instance default .*the limafs agent runs as root through sudo -n/)
  t.match(refused.cli.stderr, /user\.passwordlessSudo: false \(its lima\.yaml or ~\/\.lima\/_config\); set it to true \(limactl edit default --set '\.user\.passwordlessSudo = true'/)
  rmSync(join(env.LIMA_HOME!, '_config', 'override.yaml'))
  t.equal((await limactl(env, 'stop', 'default')).exitCode, 0)
  t.equal((await limactl(env, 'start', '--tty=false', 'default')).exitCode, 0)
  const { cli, results, env: environment } = await run('v2-instance', ['--backend', 'lima', '--instance', 'default', '--matrix', found], env)
  t.ok(cli.exitCode === 0 || cli.exitCode === 1, `completed (exit ${cli.exitCode}; stderr tail:\n${tail(cli)})`)
  t.match(cli.stderr, /instance default: limactl list shows no mountType \(Lima 2\.x leaves it to the driver\): 9p from vmType qemu, as the guest's mountinfo confirms/)
  t.strictSame(results?.configs.map((c) => [c.name, c.config.writable]), [[HOME.replace(/^\//, '').replace(/\//g, '-'), false]], 'the one mount of 2.x\'s default template: ~, read-only')
  t.match(environment, { mountType: '9p', mountTypeFrom: 'vmType', limaVersion: '2.2.0' })
  readOnlyHomeMeasured(t, results)
  await limactl(env, 'delete', '-f', 'default')
})
