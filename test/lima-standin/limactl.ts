// A STAND-IN for Lima's `limactl` (run through ./limactl), for tests on a Linux machine where Lima
// can't be installed. It is NOT Lima. It plays the Lima version LIMA_STANDIN_VERSION says
// (default 2.2.0; 1.2.2, 2.0.x, 2.1.x differ where Lima did: ./lima-version.ts) and implements
// what limafs's Lima backend uses:
//   limactl --version | info | validate FILE...
//   limactl create --name=N [--tty=false] FILE.yaml|template:NAME|template://NAME
//   limactl start [--tty=false] [--timeout=DURATION] [--progress (2.x)] N
//   limactl stop N | delete -f N... | list --json [N...]
// in Lima's formats ($LIMA_HOME, default ~/.lima; N/lima.yaml, N/ssh.config, N/ha.stderr.log,
// N/serial.log; _config/user; list --json one object per line with Lima's field names), with
// Lima's template locators (./lima-templates.ts), its merging of _config/{default,override,base}.yaml
// (./lima-fill.ts), by booting limafs's own testbed (provision/testbed/*) with the filled config's
// mounts: the same `-virtfs local,mount_tag=TAG,...` arguments as Lima's QEMU driver (TAG per
// version), the same fstab lines as Lima's cloud-init, reverse-sshfs the way Lima's host agent
// mounts it, mountInotify the way its host and guest agents do it, QEMU run as an ordinary user.
//
// What differs from Lima, on purpose:
//  - vmType vz is refused, as Lima on a Linux host refuses it (its VZ driver exists on macOS
//    only): `create` fails with Lima's "unknown or unsupported VM type: vz".
//  - the guest is the testbed's (the host's own / read-only, a Debian kernel), not the image the
//    lima.yaml names; `images:`/`base:` are read (a wrong locator fails as in Lima), not downloaded.
//  - Lima refuses to run as root. Run as root (CI here), the stand-in acts for uid 1000 as the
//    testbed does: QEMU drops to it, the mount locations it makes are given to it, and the guest
//    user is that uid's name, with passwordless sudo unless user.passwordlessSudo is false (2.2+)
//    (a sudoers file bind-mounted over the read-only /etc/sudoers, the way the testbed gives
//    the guest its own /etc/shadow).
//  - `provision:` scripts (mode system) and readiness `probes:` run over ssh as root after the
//    boot, their output in ha.stderr.log: a failing provision script only warns, a failing probe
//    fails `start` (as in Lima). The guest root is read-only, so a script can't install packages;
//    the host's node (Node 20) is in the guest already, so limafs's node provision script has
//    nothing to do.
import { chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, appendFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { readEnvironment } from '../../cli/environment.ts'
import { ramInBytes } from '../../provision/lima-compat/ram-in-bytes.ts'
import { shellQuote } from '../../provision/shell-quote.ts'
import { SshConnection } from '../../provision/ssh.ts'
import { DEFAULT_QEMU_UID, down, isRunning, readState, sshTarget, up, type TestbedState } from '../../provision/testbed/instance.ts'
import { ensureKeys } from '../../provision/testbed/keys.ts'
import { validate } from './lima-fill.ts'
import { LimaError, readTemplate } from './lima-templates.ts'
import { goQ, isV2, standinLima } from './lima-version.ts'
import { effectiveMountType, instanceDir, listEntry, loadConfig, readConfig, sharesOf, sshConfigText, type StandinConfig } from './standin-instance.ts'

const HOST_ARCH = process.arch === 'arm64' ? 'aarch64' : 'x86_64'
const lima = standinLima()
const home = process.env.HOME || homedir()
const limaHome = process.env.LIMA_HOME || join(home, '.lima')
const host = { arch: HOST_ARCH, home, warn: (msg: string) => logrus('warning', msg) }
const isRoot = process.getuid?.() === 0
const uid = isRoot ? DEFAULT_QEMU_UID : process.getuid!()
const gid = isRoot ? DEFAULT_QEMU_UID : process.getgid!()

/** A fatal error, as limactl prints it (level=fatal). */
class Fatal extends LimaError {}

/** Lima's (logrus) stderr format. */
function logrus(level: 'info' | 'warning' | 'fatal', msg: string): void {
  process.stderr.write(`time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(msg)}\n`)
}

/** The host agent's log (JSON lines), which the Lima backend shows the end of when start fails. */
function haLog(name: string, level: string, msg: string): void {
  const dir = instanceDir(limaHome, name)
  if (existsSync(dir)) appendFileSync(join(dir, 'ha.stderr.log'), `${JSON.stringify({ level, msg, time: new Date().toISOString() })}\n`)
  logrus(level === 'error' ? 'warning' : 'info', msg)
}

const testbedDir = (name: string) => join(instanceDir(limaHome, name), 'testbed')

function state(name: string): TestbedState | undefined {
  try {
    return readState(testbedDir(name))
  } catch {
    return undefined
  }
}

function userName(id: number): string {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === String(id))
  return line?.split(':')[0] ?? 'limafs'
}

function instanceNames(): string[] {
  if (!existsSync(limaHome)) return []
  return readdirSync(limaHome).filter((n) => !n.startsWith('_') && existsSync(join(limaHome, n, 'lima.yaml'))).sort()
}

function requireConfig(name: string): StandinConfig {
  const config = readConfig(lima, limaHome, name, host)
  if (!config) throw new Fatal(`instance "${name}" does not exist, run \`limactl create --name=${name}\` to create a new instance`)
  return config
}

function flagValue(args: string[], flag: string): string | undefined {
  const eq = args.find((a) => a.startsWith(`--${flag}=`))
  if (eq) return eq.slice(flag.length + 3)
  const i = args.indexOf(`--${flag}`)
  return i >= 0 ? args[i + 1] : undefined
}

const positionals = (args: string[], valued: string[] = []) =>
  args.filter((a, i) => !a.startsWith('-') && !valued.some((f) => args[i - 1] === `--${f}`))

function create(args: string[]): void {
  const locator = positionals(args, ['name'])[0]
  if (!locator) throw new Fatal('limactl create: expected FILE.yaml or a template: locator')
  const tmpl = readTemplate(lima, locator, { cwd: process.cwd(), warn: host.warn })
  const name = flagValue(args, 'name') ?? tmpl.name
  const config = loadConfig(lima, limaHome, tmpl.doc, { ...host, cwd: process.cwd() })
  validate(lima, config)
  // pkg/driverutil: the VZ driver exists on macOS only.
  if (config.vmType !== 'qemu') throw new Fatal(`unknown or unsupported VM type: ${config.vmType}`)
  const dir = instanceDir(limaHome, name)
  if (existsSync(join(dir, 'lima.yaml'))) throw new Fatal(`instance ${goQ(lima, name)} already exists (${dir})`)
  mkdirSync(dir, { recursive: true, mode: 0o755 })
  writeFileSync(join(dir, 'lima.yaml'), stringify(tmpl.doc))
  writeFileSync(join(dir, 'lima-version'), lima.text)
  logrus('info', `Attempting to download the image (stand-in: nothing to download, the testbed's guest is used)`)
  logrus('info', `Run \`limactl start ${name}\` to start the instance.`)
}

/** `limactl validate FILE...` (cmd/limactl/template.go templateValidateAction): read, embed, load with _config, Validate. */
function validateCommand(args: string[]): void {
  const files = positionals(args)
  if (!files.length) throw new Fatal('requires at least 1 arg(s), only received 0')
  for (const file of files) {
    const tmpl = readTemplate(lima, file, { cwd: process.cwd(), warn: host.warn })
    // Embedding (and its locator errors) comes before Validate, unwrapped, as in Lima.
    const config = loadConfig(lima, limaHome, tmpl.doc, { ...host, cwd: process.cwd() })
    try {
      validate(lima, config)
    } catch (err) {
      throw new Fatal(`failed to validate YAML file ${goQ(lima, file)}: ${(err as Error).message}`)
    }
    logrus('info', `${goQ(lima, file)}: OK`)
  }
}

/** `limactl info` (pkg/limainfo/limainfo.go): hostOS and hostArch since 2.0. */
function info(): void {
  const defaultTemplate = loadConfig(lima, limaHome, readTemplate(lima, isV2(lima) ? 'template:default' : 'template://default', { cwd: process.cwd(), warn: () => {} }).doc, { ...host, cwd: process.cwd() })
  process.stdout.write(`${JSON.stringify({
    version: lima.text,
    templates: [{ name: 'default', location: '(stand-in)' }],
    defaultTemplate,
    limaHome,
    vmTypes: ['qemu'],
    ...(isV2(lima) ? { vmTypesEx: { qemu: {} }, hostOS: process.platform, hostArch: HOST_ARCH, identityFile: join(limaHome, '_config', 'user') } : {}),
    guestAgents: {},
  })}\n`)
}

/** Go durations limactl takes for --timeout ("10m", "90s", "1h"). */
function durationMs(value: string | undefined, fallback: number): number {
  if (!value) return fallback
  const m = /^(\d+)(ms|s|m|h)$/.exec(value)
  if (!m) throw new Fatal(`invalid duration ${value}`)
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h']
}

/** Lima's `_config/user` key; the stand-in's is the testbed's client key, which the guest accepts. */
async function userKey(cacheDir: string): Promise<string> {
  const dir = join(limaHome, '_config')
  const key = join(dir, 'user')
  if (!existsSync(key)) {
    await ensureKeys(cacheDir)
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    copyFileSync(join(cacheDir, 'keys', 'client_ed25519'), key)
    copyFileSync(join(cacheDir, 'keys', 'client_ed25519.pub'), `${key}.pub`)
  }
  return key
}

/** What Lima's cloud-init does for its user, on the testbed's read-only root: hostname, sudo, key. */
function guestSetupScript(name: string, user: string, publicKey: string, passwordlessSudo: boolean): string {
  const S = '/run/limafs'
  // pkg/cidata/cidata.TEMPLATE.d/user-data (2.2): "sudo: ALL=(ALL) NOPASSWD:ALL" only with passwordlessSudo.
  const rule = passwordlessSudo ? `${user} ALL=(ALL:ALL) NOPASSWD:ALL` : `${user} ALL=(ALL:ALL) ALL`
  return `set -e
/run/limafs/busybox hostname lima-${name}
{ cat /etc/hosts; echo "127.0.1.1 lima-${name}"; } > ${S}/hosts
printf '%s\\n' 'Defaults env_reset' 'Defaults secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"' 'root ALL=(ALL:ALL) ALL' ${shellQuote(rule)} > ${S}/sudoers
chmod 0440 ${S}/sudoers
for f in hosts sudoers; do mount --bind ${S}/$f /etc/$f; done
grep -qxF ${shellQuote(publicKey)} ${S}/authorized_keys || echo ${shellQuote(publicKey)} >> ${S}/authorized_keys
`
}

async function runScript(ssh: SshConnection, script: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const path = `/tmp/limactl-standin-${process.pid}-${Math.random().toString(36).slice(2)}`
  await ssh.upload(Buffer.from(script), path, 0o755)
  const result = await ssh.exec(`${path}; c=$?; rm -f ${path}; exit $c`, { timeoutMs })
  return { code: result.code, output: `${result.stdout}${result.stderr}`.trim() }
}

async function start(args: string[]): Promise<void> {
  // cmd/limactl/start.go: --progress exists since 2.0.0.
  if (args.includes('--progress') && !isV2(lima)) throw new Fatal('unknown flag: --progress')
  const progress = args.includes('--progress')
  const name = positionals(args, ['timeout'])[0]
  if (!name) throw new Fatal('limactl start: expected an instance name (the stand-in does not take a file here: create first)')
  const config = requireConfig(name)
  validate(lima, config)
  const existing = state(name)
  if (existing && isRunning(existing)) throw new Fatal(`instance "${name}" is already running`)
  const timeoutMs = durationMs(flagValue(args, 'timeout'), 600_000)
  const dir = instanceDir(limaHome, name)
  const env = readEnvironment()
  const key = await userKey(env.cacheDir)
  const shares = sharesOf(lima, config)
  for (const s of shares) {
    // pkg/driver/qemu/qemu.go: os.MkdirAll(location, 0o755) for each mount.
    if (!existsSync(s.hostDir)) mkdirSync(s.hostDir, { recursive: true, mode: 0o755 })
    // As root, act for uid 1000 like the testbed: the user who owns the locations runs QEMU (never $HOME itself: the user's own).
    if (isRoot && s.hostDir !== home) chownSync(s.hostDir, uid, gid)
  }
  rmSync(join(dir, 'serial.log'), { force: true })
  symlinkSync(join('testbed', 'console.log'), join(dir, 'serial.log'))
  haLog(name, 'info', `Starting the instance "${name}" with the testbed's QEMU (stand-in for Lima ${lima.text}, vmType ${config.vmType}, mountType ${effectiveMountType(config)})`)
  const say = (line: string) => progress && process.stdout.write(`${line}\n`)
  let booted: TestbedState
  try {
    booted = await up({
      name, cacheDir: env.cacheDir, instanceDir: testbedDir(name), configs: shares.map((s) => s.config), shares,
      accel: 'auto', cpus: config.cpus, memoryMiB: Math.floor((ramInBytes(config.memory) ?? 1024 ** 3) / 1024 ** 2),
      uid, gid, bootTimeoutMs: Math.min(timeoutMs, 180_000), log: (line) => haLog(name, 'info', line),
    })
  } catch (err) {
    haLog(name, 'error', `the instance did not start: ${(err as Error).message}`)
    throw new Fatal(`did not receive an event with the "running" status: ${(err as Error).message}`)
  }
  const user = isRoot || process.getuid!() === uid ? userName(uid) : userName(process.getuid!())
  const ssh = await SshConnection.connect(sshTarget(booted), 20_000)
  try {
    const setup = await runScript(ssh, `#!/bin/sh\n${guestSetupScript(name, user, readFileSync(`${key}.pub`, 'utf8').trim(), config.user.passwordlessSudo !== false)}`, 60_000)
    if (setup.code !== 0) haLog(name, 'error', `guest setup (sudo, key) failed: ${setup.output}`)
    for (const [i, p] of config.provision.entries()) {
      if ((p.mode ?? 'system') !== 'system') {
        haLog(name, 'warning', `provision script ${i}: mode ${p.mode} is not run by the stand-in`)
        continue
      }
      const r = await runScript(ssh, p.script, timeoutMs)
      say(`provision script ${i}: ${r.code === 0 ? 'done' : `failed (exit ${r.code})`}`)
      haLog(name, r.code === 0 ? 'info' : 'error', `provision script ${i} ${r.code === 0 ? 'done' : `failed (exit ${r.code}), which Lima only warns about`}${r.output ? `: ${r.output.slice(-300)}` : ''}`)
    }
    for (const [i, probe] of config.probes.entries()) {
      const r = await runScript(ssh, probe.script, timeoutMs)
      if (r.code !== 0) {
        haLog(name, 'error', `readiness probe ${probe.description ?? i} failed: ${r.output.slice(-300)}`)
        throw new Fatal(`failed to satisfy the readiness probe ${JSON.stringify(probe.description ?? String(i))}${probe.hint ? `; hint: ${probe.hint}` : ''}`)
      }
    }
  } finally {
    ssh.close()
  }
  writeFileSync(join(dir, 'ssh.config'), sshConfigText({ name, identityFile: key, user, controlPath: join(dir, 'ssh.sock'), port: booted.sshPort }), { mode: 0o600 })
  const failed = booted.shares.filter((s) => !s.mounted)
  for (const s of failed) haLog(name, 'error', `mount ${s.mountPoint} failed: ${s.mountError}`)
  logrus('info', 'READY. Run `lima` to open the shell.')
}

async function stop(args: string[]): Promise<void> {
  const name = positionals(args)[0]
  if (!name) throw new Fatal('limactl stop: expected an instance name')
  requireConfig(name)
  const s = state(name)
  if (!s || !isRunning(s)) throw new Fatal(`expected status "Running", got "Stopped"`)
  await down(testbedDir(name), (line) => haLog(name, 'info', line))
  rmSync(join(instanceDir(limaHome, name), 'ssh.config'), { force: true })
  logrus('info', 'The instance stopped')
}

async function remove(args: string[]): Promise<void> {
  if (!args.includes('-f') && !args.includes('--force')) throw new Fatal('the limactl stand-in only deletes with -f')
  const names = positionals(args)
  if (!names.length) throw new Fatal('limactl delete: expected an instance name')
  for (const name of names) {
    const dir = instanceDir(limaHome, name)
    if (!existsSync(dir)) {
      logrus('warning', `Ignoring non-existent instance "${name}"`)
      continue
    }
    await down(testbedDir(name), (line) => haLog(name, 'info', line))
    rmSync(dir, { recursive: true, force: true })
    logrus('info', `Deleted "${name}" (${dir})`)
  }
}

function list(args: string[]): number {
  if (!args.includes('--json') && flagValue(args, 'format') !== 'json') throw new Fatal('the limactl stand-in lists with --json only')
  const wanted = positionals(args, ['format'])
  const names = instanceNames()
  let unmatched = false
  for (const w of wanted) {
    if (!names.includes(w)) {
      logrus('warning', `No instance matching ${w} found.`)
      unmatched = true
    }
  }
  if (!names.length && !wanted.length) logrus('warning', 'No instance found. Run `limactl create` to create an instance.')
  for (const name of names.filter((n) => !wanted.length || wanted.includes(n))) {
    const config = requireConfig(name)
    const s = state(name)
    const running = !!s && isRunning(s)
    const createdBy = existsSync(join(instanceDir(limaHome, name), 'lima-version')) ? readFileSync(join(instanceDir(limaHome, name), 'lima-version'), 'utf8').trim() : undefined
    process.stdout.write(`${JSON.stringify(listEntry({ lima, limaHome, name, config, running, ...(createdBy ? { createdBy } : {}), ...(s ? { sshPort: s.sshPort, qemuPid: s.qemu.pid } : {}) }))}\n`)
  }
  if (unmatched) {
    logrus('fatal', 'unmatched instances')
    return 1
  }
  return 0
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case '--version':
    case 'version':
      process.stdout.write(`limactl version ${lima.text} (limafs test stand-in: limafs's QEMU testbed, not Lima)\n`)
      return 0
    case 'info':
      info()
      return 0
    case 'validate':
      validateCommand(rest)
      return 0
    case 'create':
      create(rest)
      return 0
    case 'start':
      await start(rest)
      return 0
    case 'stop':
      await stop(rest)
      return 0
    case 'delete':
    case 'rm':
      await remove(rest)
      return 0
    case 'list':
    case 'ls':
      return list(rest)
    default:
      throw new Fatal(`the limactl stand-in does not implement ${JSON.stringify(command ?? '')} (only create, start, stop, delete -f, list --json, info, validate, --version)`)
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    logrus('fatal', err instanceof LimaError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err))
    process.exit(1)
  },
)
