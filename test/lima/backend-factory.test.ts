// Which backend `limafs run` drives: --backend, else the matrix's; each backend's own flags; a
// flag of another backend is a usage error (exit 64), never silently ignored; whether there is
// a restart phase, and why not.
import t from 'tap'
import { chooseBackend, limaMemory, type BackendFlags } from '../../cli/backend-factory.ts'
import { readEnvironment } from '../../cli/environment.ts'
import { UsageError } from '../../provision/errors.ts'
import { parseMatrix } from '../../provision/matrix/load-matrix.ts'
import { LimaBackend } from '../../provision/lima/lima-backend.ts'
import { TestbedBackend } from '../../provision/testbed/testbed-backend.ts'

const env = readEnvironment({ HOME: '/home/x' })
const matrix = parseMatrix('configs:\n  - { name: a, mountType: 9p, writable: true }\n', 'm.yaml')
const limaMatrix = { ...matrix, backend: 'lima' as const }
const choose = (flags: BackendFlags, m = matrix) => chooseBackend(flags, m, env, { cwd: '/cwd', outDir: '/tmp/limafs-out' })

t.test("the matrix's backend unless --backend says otherwise", async (t) => {
  t.type((await choose({})).backend, TestbedBackend)
  t.type((await choose({}, limaMatrix)).backend, LimaBackend)
  t.type((await choose({ backend: 'testbed' }, limaMatrix)).backend, TestbedBackend)
  await t.rejects(choose({ backend: 'docker' }), /--backend: must be one of testbed\|lima\|ssh, got "docker"/)
})

t.test('a flag of another backend is a usage error that names both', async (t) => {
  await t.rejects(choose({ accel: 'tcg' }, limaMatrix), UsageError)
  await t.rejects(choose({ accel: 'tcg' }, limaMatrix), /--accel: a flag of the testbed backend; this run uses the lima backend \(the matrix's; choose with --backend testbed\)/)
  await t.rejects(choose({ backend: 'testbed', image: ['debian-12'], 'lima-timeout': '60' }), /--image, --lima-timeout: flags of the lima backend; this run uses the testbed backend$/)
  await t.rejects(choose({ mount: ['/x'] }), /--mount: a flag of the ssh backend/)
})

t.test('restart phase: on for the testbed and for instances the run makes, unless --no-restart', async (t) => {
  t.strictSame((await choose({})).restart, { enabled: true })
  t.strictSame((await choose({ 'no-restart': true })).restart, { enabled: false, reason: '--no-restart' })
  t.strictSame((await choose({ backend: 'lima' })).restart, { enabled: true })
})

t.test('lima flags: --restart-existing needs --instance; --instance takes no image, cpus, memory or name', async (t) => {
  await t.rejects(choose({ backend: 'lima', 'restart-existing': true }), /--restart-existing goes with --instance NAME/)
  await t.rejects(choose({ backend: 'lima', instance: 'default', image: ['debian-12'] }), /--image makes no sense with --instance/)
  await t.rejects(choose({ backend: 'lima', 'lima-timeout': '5' }), /--lima-timeout: expected an integer >= 60/)
  await t.rejects(choose({ backend: 'lima', name: 'bad name' }), /Lima instance names are letters and digits/)
  await t.rejects(choose({ backend: 'lima', instance: 'default', 'accept-overrides': true }), /--accept-overrides makes no sense with --instance/)
  await t.rejects(choose({ backend: 'lima', image: ['https://x.invalid/a.img,digest=md5:00'] }), /digest must be sha256:HEX/)
  await t.rejects(choose({ backend: 'testbed', 'accept-overrides': true }), /--accept-overrides: a flag of the lima backend/)
})

t.test('ssh flags: all three are needed; the VM is used as it is', async (t) => {
  await t.rejects(choose({ backend: 'ssh', ssh: 'me@vm' }), /the ssh backend needs --ssh USER@HOST\[:PORT\], --identity KEY and at least one --mount/)
  await t.rejects(choose({ backend: 'ssh', ssh: 'me@vm', identity: '/k', mount: ['/m'], keep: true }), /--keep makes no sense with the ssh backend/)
  await t.rejects(choose({ backend: 'ssh', ssh: 'vm', identity: '/k', mount: ['/m'] }), /--ssh: expected USER@HOST\[:PORT\]/)
  await t.rejects(choose({ backend: 'ssh', ssh: 'me@vm', identity: '/nonexistent/key', mount: ['/m'] }), /--identity \/nonexistent\/key: ENOENT/)
})

t.test("--memory for Lima: MiB as for the testbed, or a Lima size; Lima's default otherwise", async (t) => {
  t.equal(limaMemory(undefined), '2GiB')
  t.equal(limaMemory('3072'), '3072MiB')
  t.equal(limaMemory('4GiB'), '4GiB')
  t.throws(() => limaMemory('100'), /--memory: expected an integer >= 256/)
  t.throws(() => limaMemory('lots'), /--memory: expected MiB \(e\.g\. 2048\) or a size of at least 256MiB/)
})
