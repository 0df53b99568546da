// limafs's limactl driver, against the limactl STAND-IN (test/lima-standin/) with no guest
// booted: --version, list --json, create, delete -f, and how failures read: limactl's own error
// lines, the tail of the instance's logs, what to do. Also the pure log readers.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { InfraError } from '../../provision/errors.ts'
import { LimaBackend } from '../../provision/lima/lima-backend.ts'
import { findMark, hostAgentLine, instanceLogTail, Limactl, LimactlError, limactlWhy, saveInstanceLogs } from '../../provision/lima/limactl.ts'
import { parseMatrix } from '../../provision/matrix/load-matrix.ts'
import { STANDIN_DIR } from '../helpers/lima.ts'

const dir = mkdtempSync(join(tmpdir(), 'limafs-limactl-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
// The stand-in reads LIMA_HOME from its environment, which it inherits from this process.
process.env.LIMA_HOME = join(dir, 'lima-home')
const limactl = new Limactl({ binary: join(STANDIN_DIR, 'limactl'), startTimeoutMs: 120_000 })
const yaml = (vmType: string, mountType: string) => {
  const file = join(dir, `${vmType}.yaml`)
  writeFileSync(file, `vmType: ${vmType}\nmountType: ${mountType}\nmounts:\n  - location: ${dir}/share\n    mountPoint: /mnt/limafs/x\n    writable: true\n`)
  return file
}

t.test("--version: the version from Lima's `limactl version X` line", async (t) => {
  t.equal(await limactl.version(), '2.2.0')
})

t.test('list --json: no instance is an empty list; an unknown name too (Lima exits 1: "unmatched instances")', async (t) => {
  t.strictSame(await limactl.list(), [])
  t.strictSame(await limactl.list('nope'), [])
  t.equal(await limactl.get('nope'), undefined)
})

t.test('create then list: a Stopped instance with Lima\'s fields and its filled-in config; delete -f removes it', async (t) => {
  await limactl.create('t-one', yaml('qemu', '9p'))
  const listed = await limactl.get('t-one')
  t.match(listed, { name: 't-one', status: 'Stopped', vmType: 'qemu', dir: join(dir, 'lima-home', 't-one'), limaVersion: '2.2.0' })
  t.match(listed?.config, { mountType: '9p', mounts: [{ writable: true, '9p': { securityModel: 'none', protocolVersion: '9p2000.L', msize: '128KiB', cache: 'mmap' } }] })
  await limactl.delete('t-one')
  t.strictSame(await limactl.list(), [])
})

t.test('a refused create (vmType vz on a Linux host) is a LimactlError with Lima\'s reason and the yaml to look at', async (t) => {
  const error = await limactl.create('t-vz', yaml('vz', 'virtiofs')).catch((e: unknown) => e)
  t.type(error, LimactlError)
  t.match((error as LimactlError).message, /create --name=t-vz --tty=false .*vz\.yaml failed \(exit 1\): unknown or unsupported VM type: vz/)
  t.match((error as LimactlError).details.hint, /the lima\.yaml is .*vz\.yaml/)
})

t.test("the Lima backend when Lima refuses its yaml (an override.yaml's bad mountType): limactl validate says why before anything is created", async (t) => {
  const sharesRoot = join(dir, 'shares-root')
  mkdirSync(join(dir, 'lima-home', '_config'), { recursive: true })
  writeFileSync(join(dir, 'lima-home', '_config', 'override.yaml'), 'mountType: bogus\n')
  t.teardown(() => rmSync(join(dir, 'lima-home', '_config', 'override.yaml'), { force: true }))
  const backend = new LimaBackend({ limactl, namePrefix: 't-ovr', sharesRoot, yaml: { image: { template: '_images/ubuntu-24.04' }, cpus: 1, memory: '1GiB', provisionNode: true }, keep: false, acceptOverrides: false, logsDir: join(dir, 'logs') })
  const configs = parseMatrix('configs:\n  - { name: a, mountType: 9p, writable: true }\n', 'm.yaml').configs
  const lines: string[] = []
  const error = await backend.boot(configs, (l) => lines.push(l)).catch((e: unknown) => e)
  t.type(error, LimactlError)
  t.match((error as InfraError).message, /validate .*lima\.yaml failed \(exit 1\): failed to validate YAML file .*field `mountType` must be "reverse-sshfs" or "9p" or "virtiofs", or "wsl2", got `bogus`/)
  t.match((error as InfraError).details.hint, /the lima\.yaml is .*t-ovr-9p\/lima\.yaml; Lima 2\.2\.0 refused it/)
  t.match(lines[0], /Lima merges .*_config\/override\.yaml into every instance/)
  t.strictSame(await limactl.list(), [], 'nothing was created')
  t.notOk(existsSync(join(sharesRoot, 't-ovr-9p')), 'its share dirs are removed')
})

t.test('a limactl that is not there: an InfraError saying to install Lima', async (t) => {
  const missing = new Limactl({ binary: join(dir, 'no-limactl'), startTimeoutMs: 1000 })
  await t.rejects(missing.version(), InfraError)
  await t.rejects(missing.create('x', '/x.yaml'), /could not be started \(not installed, or not on PATH\?\)/)
})

t.test("failure text: limactl's error and fatal messages, the host agent's JSON log as level: msg", async (t) => {
  const stderr = 'time="t" level=info msg="Starting QEMU"\ntime="t" level=error msg="guest agent does not seem to be running"\ntime="t" level=fatal msg="did not receive an event with the \\"running\\" status"\n'
  t.equal(limactlWhy(stderr, false, 1000), 'guest agent does not seem to be running; did not receive an event with the "running" status')
  t.equal(limactlWhy('plain text\nlast line\n', false, 1000), 'plain text\nlast line')
  t.equal(limactlWhy('', true, 90_000), 'timed out after 90 s')
  t.equal(hostAgentLine('{"level":"error","msg":"failed to mount","error":"EIO","time":"t"}'), 'error: failed to mount (EIO)')
  t.equal(hostAgentLine('not json'), 'not json')
})

t.test("the instance's log tail: ha.stderr.log and serial.log, labelled; nothing when there are no logs", async (t) => {
  const inst = join(dir, 'inst')
  mkdirSync(inst)
  t.equal(instanceLogTail(inst), '')
  t.equal(instanceLogTail(undefined), '')
  writeFileSync(join(inst, 'ha.stderr.log'), `${Array.from({ length: 20 }, (_, i) => JSON.stringify({ level: 'info', msg: `line ${i}` })).join('\n')}\n`)
  writeFileSync(join(inst, 'serial.log'), '[    1.0] Booting\n[    2.0] cloud-init: failed\n')
  const text = instanceLogTail(inst, 3)
  t.match(text, new RegExp(`^--- ${inst}/ha\\.stderr\\.log \\(last lines\\) ---\\ninfo: line 17\\ninfo: line 18\\ninfo: line 19\\n--- ${inst}/serial\\.log \\(last lines\\) ---\\n\\[    1\\.0\\] Booting\\n\\[    2\\.0\\] cloud-init: failed$`))
})

t.test("a failed instance's logs: the last lines of each kept in the results dir; a provision failure's mark found in them", async (t) => {
  const inst = join(dir, 'inst2')
  mkdirSync(inst)
  writeFileSync(join(inst, 'ha.stderr.log'), `${Array.from({ length: 500 }, (_, i) => JSON.stringify({ level: 'info', msg: `line ${i}` })).join('\n')}\n`)
  writeFileSync(join(inst, 'serial.log'), '[ 1.0] boot\n[ 9.0] cloud-init[812]: LIMAFS-PROVISION-FAILED: apt-get update failed (the network?)\n')
  writeFileSync(join(inst, 'lima.yaml'), 'not a log\n')
  const saved = saveInstanceLogs(inst, join(dir, 'out', 'lima-logs', 'inst2'), 300)
  t.strictSame(saved.map((f) => f.split('/').pop()).sort(), ['ha.stderr.log', 'serial.log'])
  const ha = readFileSync(join(dir, 'out', 'lima-logs', 'inst2', 'ha.stderr.log'), 'utf8').trim().split('\n')
  t.equal(ha.length, 300)
  t.match(ha.at(-1), /line 499/)
  t.equal(findMark(inst, 'LIMAFS-PROVISION-FAILED:'), 'LIMAFS-PROVISION-FAILED: apt-get update failed (the network?)')
  t.equal(findMark(inst, 'NOT-THERE:'), undefined)
  t.strictSame(saveInstanceLogs(join(dir, 'nope'), join(dir, 'x')), [])
})
