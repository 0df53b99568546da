// `limactl list --json` read at the boundary: one JSON object per line, Lima's field names,
// checked with zod; what limafs does not use passes through; anything else is an error that
// names the line.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { LimactlOutputError, parseListJson } from '../../provision/lima/list-json.ts'
import { LIMA_FIXTURES } from '../helpers/lima.ts'

const FIXTURE = readFileSync(join(LIMA_FIXTURES, 'list-json-2.2.txt'), 'utf8')

t.test('Lima 2.2 output: one instance per line, with the fields limafs uses typed', async (t) => {
  const [made, other] = parseListJson(FIXTURE)
  t.match(made, {
    name: 'limafs-run-7-9p', status: 'Running', dir: '/Users/runner/.lima/limafs-run-7-9p', vmType: 'qemu', arch: 'aarch64',
    cpus: 2, memory: 2147483648, disk: 107374182400, sshLocalPort: 60022, sshConfigFile: '/Users/runner/.lima/limafs-run-7-9p/ssh.config',
    hostAgentPID: 4242, driverPID: 4250, sshAddress: '127.0.0.1', limaVersion: '2.2.0',
  })
  t.match(made?.config, { vmType: 'qemu', mountType: '9p', mounts: [{ mountPoint: '/mnt/limafs/9p-none-mmap', writable: true, '9p': { securityModel: 'none', cache: 'mmap' } }, { writable: false }] })
  t.equal((made as Record<string, unknown>).protected, false, 'fields limafs does not use pass through')
  t.match(other, { name: 'default', status: 'Stopped', vmType: 'vz', config: { mountType: 'virtiofs' } })
  t.notOk(other && 'sshLocalPort' in other, 'a stopped instance has no ssh port')
})

t.test('no instance: empty output, and blank lines are no instance', async (t) => {
  t.strictSame(parseListJson(''), [])
  t.strictSame(parseListJson('\n\n'), [])
})

t.test('a JSON array (not Lima\'s format) is refused, naming the line', async (t) => {
  const array = `[${FIXTURE.trim().split('\n').join(',')}]`
  t.throws(() => parseListJson(array), LimactlOutputError)
  t.throws(() => parseListJson(array), /limactl list --json, line 1: \(the line\): Invalid input: expected object, received array/)
})

t.test('a line that is not JSON, or whose fields have the wrong types, is an error with the line number and field', async (t) => {
  const lines = FIXTURE.trim().split('\n')
  t.throws(() => parseListJson(`${lines[0]}\nlevel=warning msg="oops"\n`), /line 2 is not JSON/)
  t.throws(() => parseListJson(lines[0]!.replace('"cpus":2', '"cpus":"2"')), /line 1: cpus: Invalid input: expected number, received string/)
  t.throws(() => parseListJson(lines[0]!.replace('"status":"Running"', '"status":"Sleeping"')), /line 1: status: Invalid option/)
  t.throws(() => parseListJson(lines[0]!.replace('"name":"limafs-run-7-9p",', '')), /line 1: name: Invalid input/)
})
