// The Lima backend end to end, through the CLI a user runs, with the limactl STAND-IN first on
// PATH (test/lima-standin/: Lima can't run on this Linux machine). One small matrix (three 9p
// configurations across security models and caches, plus virtiofs) runs:
//   1. on the built-in testbed (the reference);
//   2. on `--backend lima`: the 9p instance must give the same verdict as the testbed, check by
//      check, restart phase included; the virtiofs one runs as Lima runs it on a Linux host
//      (vmType qemu + virtiofsd, not vz) and gives the testbed's verdicts too. --keep leaves
//      the 9p instance up for:
//   3. `--instance NAME`: the same instance's writable mounts, unchanged and not restarted
//      (two suites, for time);
//   4. `--backend ssh` into that same guest: one share with its host dir, one without (its
//      host-side checks SKIP with the reason), no restart phase.
// Guests are booted one after another, never two at once, and always removed.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { parse } from 'yaml'
import { readEnvironment } from '../../cli/environment.ts'
import { limaMountTag } from '../../provision/lima-compat/mount-tag.ts'
import { NO_HOST_DIR_REASON } from '../../provision/ssh-backend/ssh-backend.ts'
import { parseResults } from '../../reports/results-schema.ts'
import type { Results } from '../../reports/types.ts'
import { REPO } from '../helpers/testbed.ts'
import { limafs, qemuOrVirtiofsdMentioning, type CliResult } from '../helpers/testbed.ts'
import { STANDIN_DIR, standinEnv } from '../helpers/lima.ts'

const NAME = `t-lvm-${process.pid}`
const INSTANCE = `${NAME}-9p`
// On disk under /var/tmp: the shares need a file system with user.* xattrs (tmpfs has none).
const TMP = mkdtempSync('/var/tmp/limafs-test-lima-')
chmodSync(TMP, 0o755)
const LIMA_HOME = join(TMP, 'lima-home')
const ENV = standinEnv(LIMA_HOME)
const SHARES_ROOT = join(readEnvironment().instancesDir, 'lima')
const SHARES = join(SHARES_ROOT, INSTANCE)
const QEMU_MISSING = (await execa('qemu-system-x86_64', ['--version'], { reject: false })).exitCode !== 0
const SKIP = QEMU_MISSING ? 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)' : false
const NINE_P = ['9p-none-mmap', '9p-mapped-xattr-mmap', '9p-mapped-file-loose']

// The CI matrix (three 9p configurations, the default matrix's known deviations) plus virtiofs.
const ciMatrix = readFileSync(join(REPO, '.github', 'lima-ci-matrix.yaml'), 'utf8')
const matrixFile = join(TMP, 'small.yaml')
writeFileSync(matrixFile, ciMatrix
  .replace(/^backend: lima$/m, 'backend: testbed')
  .replace(/^suites:/m, '  - { name: virtiofs, mountType: virtiofs, writable: true }\nsuites:')
  .concat('  - { check: "xattr/*", config: "virtiofs", reason: "virtiofsd started as Lima starts it (no xattr option): xattrs fail EOPNOTSUPP" }\n'))
// For --instance and ssh: the configs are named after the guest mount points.
const foundFile = join(TMP, 'found.yaml')
writeFileSync(foundFile, ciMatrix.replace(/^backend: lima\n/m, '').replaceAll('name: 9p-', 'name: mnt-limafs-9p-').replaceAll('config: "9p-', 'config: "mnt-limafs-9p-'))

const runs: Record<string, { cli: CliResult; results?: Results; out: string }> = {}
async function run(label: string, args: string[], env?: Record<string, string>) {
  const out = join(TMP, label)
  const cli = await limafs(['run', '--out', out, ...args], { timeoutMs: 900_000, ...(env ? { env } : {}) })
  const file = join(out, 'results.json')
  runs[label] = { cli, out, ...(existsSync(file) ? { results: parseResults(readFileSync(file, 'utf8'), file) } : {}) }
  return runs[label]!
}
const statuses = (r: Results | undefined, configs: string[], rename = (c: string) => c) =>
  Object.fromEntries(configs.flatMap((c) => (r?.configs.find((x) => x.name === rename(c))?.checks ?? []).map((k) => [`${c} ${k.id}`, k.status])))
const tail = (r: CliResult) => r.stderr.split('\n').slice(-25).join('\n')

t.before(async () => {
  if (SKIP) return
  await run('testbed', ['--backend', 'testbed', '--matrix', matrixFile, '--name', `${NAME}-tb`])
  await run('lima', ['--backend', 'lima', '--matrix', matrixFile, '--name', NAME, '--keep'], ENV)
})

t.teardown(async () => {
  try {
    await execa(join(STANDIN_DIR, 'limactl'), ['delete', '-f', INSTANCE, `${NAME}-virtiofs`], { env: ENV, reject: false })
  } finally {
    for (const line of [...qemuOrVirtiofsdMentioning(LIMA_HOME), ...qemuOrVirtiofsdMentioning(`${NAME}-tb`)]) process.kill(Number(line.split(' ')[0]), 'SIGKILL')
    rmSync(TMP, { recursive: true, force: true })
    // --keep keeps the share dirs of both instances.
    for (const instance of [INSTANCE, `${NAME}-virtiofs`]) rmSync(join(SHARES_ROOT, instance), { recursive: true, force: true })
  }
})

t.test('the testbed reference run completes: exit 0, every configuration completed', { skip: SKIP }, async (t) => {
  const { cli, results } = runs.testbed!
  t.equal(cli.exitCode, 0, `exit 0 (stderr tail:\n${tail(cli)})`)
  t.ok(results?.configs.every((c) => c.status === 'completed'))
})

t.test('--backend lima: the 9p instance gives the testbed\'s verdict on every check, restart phase included', { skip: SKIP }, async (t) => {
  const lima = runs.lima!.results
  const testbed = runs.testbed!.results
  const want = statuses(testbed, NINE_P)
  const got = statuses(lima, NINE_P)
  t.ok(Object.keys(want).length > 300, `the reference has every check of three configurations (${Object.keys(want).length})`)
  t.strictSame(got, want, 'same status, check by check')
  t.ok(Object.keys(want).some((k) => k.includes('/after-restart/')), 'after-restart checks are among them')
  t.equal(lima?.configs.find((c) => c.name === '9p-mapped-xattr-mmap')?.checks.find((k) => k.id === 'chown/after-restart/file')?.status, 'ok', 'a chown in the mapped-xattr share survives limactl stop + start')
  t.match(runs.lima!.cli.stderr, /phases: 9p boot [\d.]+ s, 9p provision [\d.]+ s, 9p suites [\d.]+ s, 9p restart [\d.]+ s, 9p verify [\d.]+ s/)
  t.match(runs.lima!.cli.stderr, /limactl stop t-lvm-\d+-9p\n.*stopped in [\d.]+ s; limactl start t-lvm-\d+-9p/, 'restart is limactl stop + start')
})

t.test('virtiofs as Lima runs it on a Linux host: vmType qemu + virtiofsd (vz exists on macOS only), the testbed\'s verdicts', { skip: SKIP }, async (t) => {
  const { cli, results } = runs.lima!
  t.equal(cli.exitCode, 0, `exit 0 (stderr tail:\n${tail(cli)})`)
  t.strictSame(results?.configs.map((c) => [c.name, c.status]), [...NINE_P.map((n) => [n, 'completed']), ['virtiofs', 'completed']])
  t.match(cli.stderr, /limactl create --name=t-lvm-\d+-virtiofs .* \(qemu, virtiofs, 1 shares\)/)
  const want = statuses(runs.testbed!.results, ['virtiofs'])
  t.ok(Object.keys(want).length > 50)
  t.strictSame(statuses(results, ['virtiofs']), want, 'same status, check by check')
  const yaml = parse(readFileSync(join(SHARES_ROOT, `${NAME}-virtiofs`, 'lima.yaml'), 'utf8')) as { vmType: string; mounts: Array<{ virtiofs?: { queueSize: number } }> }
  t.match(yaml, { vmType: 'qemu', mounts: [{ virtiofs: { queueSize: 1024 } }] }, 'with its queueSize (QEMU + virtiofsd use it)')
  // --keep kept it; the tests below use the 9p instance only: one guest at a time.
  await execa(join(STANDIN_DIR, 'limactl'), ['delete', '-f', `${NAME}-virtiofs`], { env: ENV, reject: false })
})

t.test("the instance was made from limafs's lima.yaml: Lima's tags, the user's ssh, sudo -n, the environment", { skip: SKIP }, async (t) => {
  const env = JSON.parse(readFileSync(join(runs.lima!.out, 'environment.json'), 'utf8'))
  const uid1000 = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === '1000')?.split(':')[0]
  t.match(env, { backend: 'lima', limaVersion: '2.2.0', vmType: 'qemu', arch: 'x86_64', guestKernel: /^\d+\.\d+/, guestNode: /^v\d+/, guestNodeSource: "the guest's own", limaHostOs: 'linux', limaVmTypes: ['qemu'], limaConfigFiles: [] })
  t.match(env.guests?.['9p'], { limaInstance: INSTANCE, mountType: '9p', limaConfig: { mountType: '9p' }, limaConfigDrift: [], limaOverridesAccepted: false })
  t.equal(env.guestUser, uid1000 ?? 'limafs', 'an ordinary user (the agent ran through sudo -n: the mapped-xattr chowns need root and passed)')
  const yaml = parse(readFileSync(join(SHARES, 'lima.yaml'), 'utf8')) as { vmType: string; mounts: Array<{ location: string; mountPoint: string }> }
  t.equal(yaml.vmType, 'qemu')
  for (const m of yaml.mounts) {
    const config = m.mountPoint.split('/').pop()!
    t.match(env.mountinfo[config], new RegExp(`^9p ${limaMountTag(m.location, m.mountPoint)} `), `${config}: mounted from Lima's tag for ${m.location}`)
  }
  const list = await execa(join(STANDIN_DIR, 'limactl'), ['list', '--json'], { env: ENV })
  t.match(JSON.parse(list.stdout), { name: INSTANCE, status: 'Running' }, '--keep left the instance running')
})

t.test('--instance NAME: its own writable mounts, the same verdicts, no restart, left running as it was', { skip: SKIP }, async (t) => {
  const { cli, results } = await run('instance', ['--backend', 'lima', '--instance', INSTANCE, '--matrix', foundFile, '--suite', 'chown,symlink'], ENV)
  t.equal(cli.exitCode, 0, `exit 0 (stderr tail:\n${tail(cli)})`)
  t.match(cli.stderr, new RegExp(`no restart phase: --instance ${INSTANCE}: an existing instance is not restarted unless --restart-existing`))
  t.match(cli.stderr, new RegExp(`leaving instance ${INSTANCE} as it was`))
  t.strictSame(results?.configs.map((c) => c.name), NINE_P.map((n) => `mnt-limafs-${n}`), 'configs named after the mount points')
  const before = Object.fromEntries(Object.entries(statuses(runs.lima!.results, NINE_P)).filter(([k]) => / (chown|symlink)\//.test(k)))
  const now = statuses(results, NINE_P, (c) => `mnt-limafs-${c}`)
  const afterRestart = (k: string) => /-after-restart\/|\/after-restart\//.test(k)
  t.ok(Object.keys(now).length === Object.keys(before).length, 'every check has a row')
  t.strictSame(Object.fromEntries(Object.entries(now).filter(([k]) => !afterRestart(k))), Object.fromEntries(Object.entries(before).filter(([k]) => !afterRestart(k))), 'each check as in the run that made the instance')
  t.ok(Object.entries(now).filter(([k]) => afterRestart(k)).every(([, s]) => s === 'skip'), 'the after-restart checks are skipped: no restart')
  const list = await execa(join(STANDIN_DIR, 'limactl'), ['list', '--json', INSTANCE], { env: ENV })
  t.match(JSON.parse(list.stdout), { status: 'Running' }, 'still running')
})

t.test('--backend ssh into the same guest: host-side checks skipped with the reason where no host dir was given', { skip: SKIP }, async (t) => {
  const sshConfig = readFileSync(join(LIMA_HOME, INSTANCE, 'ssh.config'), 'utf8')
  const port = /Port (\d+)/.exec(sshConfig)![1]
  const user = /User (\S+)/.exec(sshConfig)![1]
  const { cli, results, out } = await run('ssh', [
    '--backend', 'ssh', '--ssh', `${user}@127.0.0.1:${port}`, '--identity', join(LIMA_HOME, '_config', 'user'),
    '--mount', `/mnt/limafs/9p-mapped-xattr-mmap=${join(SHARES, 'shares', '9p-mapped-xattr-mmap')}`, '--mount', '/mnt/limafs/9p-none-mmap',
    '--matrix', foundFile, '--suite', 'chown,symlink',
  ])
  t.equal(cli.exitCode, 0, `exit 0 (stderr tail:\n${tail(cli)})`)
  t.match(cli.stderr, /no restart phase: the ssh backend does not restart the VM/)
  const withHost = results?.configs.find((c) => c.name === 'mnt-limafs-9p-mapped-xattr-mmap')
  const without = results?.configs.find((c) => c.name === 'mnt-limafs-9p-none-mmap')
  t.match(withHost?.checks.find((k) => k.id === 'chown/host-stored/file'), { status: 'ok', diagnostics: { host: { virtfs: { uid: 1234, gid: 5678 } } } }, 'with a host dir, the host side is looked at')
  const hostChecks = without?.checks.filter((k) => k.reason === NO_HOST_DIR_REASON) ?? []
  t.ok(hostChecks.length >= 3, `without one, the host-side checks are SKIP with the reason (${hostChecks.length})`)
  t.ok(hostChecks.every((k) => k.status === 'skip'))
  t.match(readFileSync(join(out, 'tap', 'mnt-limafs-9p-none-mmap.tap'), 'utf8'), /ok \d+ - symlink\/host-made\/readlink # SKIP no host dir for this mount/)
  t.match(JSON.parse(readFileSync(join(out, 'environment.json'), 'utf8')), { backend: 'ssh', hostDirs: { 'mnt-limafs-9p-none-mmap': NO_HOST_DIR_REASON } })
})
