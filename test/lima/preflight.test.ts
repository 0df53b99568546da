// The Lima preflight refuses, before anything is created, a plan the installed Lima can't run,
// saying what to install: a vmType its `limactl info` lacks; QEMU itself missing (on macOS,
// Homebrew's lima formula does not bring it: `brew install lima qemu`).
import t from 'tap'
import { planInstances } from '../../provision/lima/instance-plan.ts'
import { parseLimaVersion } from '../../provision/lima/lima-version.ts'
import { checkPlanRunnable, type LimaPreflight } from '../../provision/lima/preflight.ts'
import { parseMatrix } from '../../provision/matrix/load-matrix.ts'

const configs = parseMatrix('configs:\n  - { name: a, mountType: 9p, writable: true }\n  - { name: v, mountType: virtiofs, writable: true }\n', 'm.yaml').configs
const pre = (over: Partial<LimaPreflight>): LimaPreflight => ({
  versionText: '2.2.0', version: parseLimaVersion('2.2.0'), info: { version: '2.2.0', limaHome: '/h/.lima', vmTypes: ['qemu', 'vz'] },
  hostOs: 'darwin', hostArch: 'aarch64', configFiles: [], ...over,
})

t.test('a vmType Lima does not have: refused with what it needs', async (t) => {
  const [, vz] = planInstances('p', configs, 'darwin')
  await t.rejects(checkPlanRunnable(pre({ info: { version: '2.2.0', limaHome: '/h', vmTypes: ['qemu'] } }), vz!), /Lima 2\.2\.0 on darwin has no vmType vz \(limactl info: qemu\), which virtiofs needs here/)
})

t.test("QEMU missing (Homebrew's lima does not bring it on macOS): refused with brew install lima qemu", async (t) => {
  const [ninep] = planInstances('p', configs, 'darwin')
  const err = await checkPlanRunnable(pre({ hostArch: 'no-such-arch' }), ninep!).catch((e: unknown) => e) as Error & { details: { hint?: string } }
  t.match(err.message, /qemu-system-no-such-arch is not installed or does not run: Lima's vmType qemu \(for 9p\) needs it/)
  t.match(err.details.hint, /brew install lima qemu \(the lima formula does not bring QEMU on macOS/)
})

t.test('QEMU there (this host\'s): the plan passes', async (t) => {
  const [ninep] = planInstances('p', configs, 'linux')
  await checkPlanRunnable(pre({ hostOs: 'linux', hostArch: process.arch === 'arm64' ? 'aarch64' : 'x86_64' }), ninep!)
  t.pass()
})
