// What `limafs testbed up` does when the environment can't give it a guest: one clear message
// that says what to do, exit 2 (64 for a usage mistake), and nothing left behind: no QEMU or
// virtiofsd process, no run dir. Only the boot-timeout case boots (once); the KVM case runs the
// ~8 s KVM probe once, in a copy of the cache.
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { delimiter, join } from 'node:path'
import { execa } from 'execa'
import t, { type Test } from 'tap'
import { cachedKernel, limafs, NO_CACHED_KERNEL, qemuOrVirtiofsdMentioning, REAL_CACHE_DIR, type CliResult } from '../helpers/testbed.ts'

const NAME = `t-fault-${process.pid}`
const QEMU_MISSING = (await execa('qemu-system-x86_64', ['--version'], { reject: false })).exitCode !== 0
const NEEDS_QEMU = QEMU_MISSING ? 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)' : false
const NEEDS_WARM_CACHE = cachedKernel() ? NEEDS_QEMU : NO_CACHED_KERNEL

/** A fresh dir for one test; on disk and traversable by QEMU's unprivileged user. */
function scratch(t: Test): string {
  const dir = mkdtempSync('/var/tmp/limafs-test-fault-')
  chmodSync(dir, 0o755)
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** `limafs testbed up --name ... --run-dir RUN ARGS`; afterwards, whatever it started must be gone. */
async function upExpectingFailure(t: Test, run: string, args: string[], env?: Record<string, string>): Promise<CliResult> {
  const result = await limafs(['testbed', 'up', '--name', NAME, '--run-dir', run, ...args], env ? { env } : {})
  t.strictSame(qemuOrVirtiofsdMentioning(run), [], 'no QEMU or virtiofsd process of this instance is left')
  t.notOk(existsSync(run), 'no run dir is left')
  return result
}

/** Asserts the one message, and (for exit 2) the "what to do" line under it. */
function assertMessage(t: Test, result: CliResult, exitCode: 2 | 64, message: string | RegExp, whatToDo?: string | RegExp): void {
  t.equal(result.exitCode, exitCode, `exit ${exitCode}`)
  const lines = result.stderr.split('\n').filter((l) => l.startsWith('limafs: '))
  t.equal(lines.length, 1, `one error message (stderr:\n${result.stderr})`)
  t.match(lines[0], message)
  if (whatToDo !== undefined) t.match(result.stderr, new RegExp(`\\n  what to do: ${typeof whatToDo === 'string' ? whatToDo.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : whatToDo.source}`))
  t.notMatch(result.stderr, /unexpected error|    at /, 'no stack trace')
}

t.test('without qemu-system-x86_64 on PATH, up says to install qemu-system-x86 and exits 2', async (t) => {
  const dir = scratch(t)
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  // What up may need before it looks for QEMU, but not QEMU.
  for (const tool of ['node', 'apt-cache', 'apt-get', 'dpkg-deb', 'tar', 'bash', 'sh', 'ssh-keygen', 'xz', 'zstd']) {
    const found = await execa('sh', ['-c', `command -v ${tool}`], { reject: false })
    if (found.exitCode === 0) symlinkSync(found.stdout.trim(), join(bin, tool))
  }
  const probe = await execa('sh', ['-c', 'command -v qemu-system-x86_64'], { reject: false, env: { PATH: bin }, extendEnv: false })
  t.not(probe.exitCode, 0, 'precondition: qemu-system-x86_64 is not on the stripped PATH')
  const result = await upExpectingFailure(t, join(dir, 'run'), [], { PATH: bin })
  assertMessage(t, result, 2, 'limafs: qemu-system-x86_64 not found or not runnable', 'apt-get install qemu-system-x86')
})

t.test('--kernel-deb naming a file that does not exist is a usage error that says what to give instead', { skip: NEEDS_QEMU }, async (t) => {
  const dir = scratch(t)
  const result = await upExpectingFailure(t, join(dir, 'run'), ['--kernel-deb', '/nonexistent.deb', '--cache-dir', join(dir, 'cache')])
  assertMessage(t, result, 64, /^limafs: --kernel-deb \/nonexistent\.deb: no such file; give the path of a linux-image \.deb .*, or leave --kernel-deb out to use apt's linux-image-amd64$/)
})

t.test('when apt-cache knows no linux-image-amd64, up says to run apt-get update or pass --kernel-deb and exits 2', { skip: NEEDS_QEMU }, async (t) => {
  const dir = scratch(t)
  const fakeBin = join(dir, 'fake-bin')
  mkdirSync(fakeBin)
  // Not what is under test: an apt-cache without package lists prints nothing useful and fails.
  writeFileSync(join(fakeBin, 'apt-cache'), '#!/bin/sh\necho "E: No packages found" >&2\nexit 100\n')
  chmodSync(join(fakeBin, 'apt-cache'), 0o755)
  const cache = join(dir, 'cache') // empty: no remembered answer from an earlier apt-cache
  const result = await upExpectingFailure(t, join(dir, 'run'), ['--cache-dir', cache], { PATH: `${fakeBin}${delimiter}${process.env.PATH}` })
  assertMessage(t, result, 2, /^limafs: kernel package not found: apt-cache knows no linux-image-amd64/, "install apt's lists (apt-get update), or pass --kernel-deb PATH to a linux-image .deb")
  t.notOk(existsSync(join(cache, 'apt-kernel.json')), 'no answer is remembered from a failed apt-cache')
  t.notOk(existsSync(join(cache, 'kernels')), 'nothing was downloaded or unpacked')
})

t.test('an --ssh-port that is already in use is refused before anything starts, naming the port', { skip: NEEDS_QEMU }, async (t) => {
  const dir = scratch(t)
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const port = (server.address() as AddressInfo).port
  const result = await upExpectingFailure(t, join(dir, 'run'), ['--ssh-port', String(port)])
  assertMessage(t, result, 2, `limafs: ssh port ${port} on 127.0.0.1 is in use (EADDRINUSE)`, 'pick another with --ssh-port, or leave --ssh-port out to get a free one')
})

t.test('a guest that does not answer ssh within --boot-timeout is stopped; the message carries the end of its console log', { skip: NEEDS_WARM_CACHE }, async (t) => {
  const dir = scratch(t)
  const run = join(dir, 'run')
  // Watch the console log while it exists: the run dir is removed on failure.
  let lastConsole = ''
  const watcher = setInterval(() => {
    try {
      lastConsole = readFileSync(join(run, 'console.log'), 'utf8')
    } catch {
      // not there (yet, or any more)
    }
  }, 50)
  const result = await upExpectingFailure(t, run, ['--boot-timeout', '1']).finally(() => clearInterval(watcher))
  assertMessage(t, result, 2, 'limafs: the guest did not answer ssh within 1 s', "raise --boot-timeout (a TCG boot takes ~10 s); the guest's console log (removed with the run dir) ended with:")
  const after = result.stderr.split("ended with:\n")[1] ?? ''
  t.match(after, /^\S.*\n/, 'at least one console line (or a note that it is empty) follows')
  const lastLine = lastConsole.trimEnd().split('\n').at(-1)
  if (lastLine) t.ok(after.includes(lastLine), `the last console line seen (${JSON.stringify(lastLine)}) is in the message`)
  else t.match(after, /^\(empty: the guest had printed nothing on its serial console yet\)/, 'an empty console log is said to be empty')
  t.match(result.stderr, /QEMU started \(pid \d+/, 'QEMU had really been started (and was stopped)')
})

t.test('--accel kvm where /dev/kvm cannot run a guest fails after the KVM probe, says to use TCG, and remembers the verdict', { skip: NEEDS_WARM_CACHE, timeout: 120_000 }, async (t) => {
  const dir = scratch(t)
  const run = join(dir, 'run')
  if (!existsSync('/dev/kvm')) {
    const result = await upExpectingFailure(t, run, ['--accel', 'kvm'])
    return assertMessage(t, result, 2, 'limafs: --accel kvm: /dev/kvm does not exist', 'use --accel tcg (or auto)')
  }
  // A copy of the warm cache without the remembered probe verdict, so the probe really runs.
  const cache = join(dir, 'cache')
  cpSync(REAL_CACHE_DIR, cache, { recursive: true, filter: (src) => !src.endsWith('/accel.json') && !src.includes('/downloads') })
  const result = await upExpectingFailure(t, run, ['--accel', 'kvm', '--cache-dir', cache])
  if (result.exitCode === 0) {
    await limafs(['testbed', 'down', '--name', NAME, '--run-dir', run])
    return t.pass('KVM fault', { skip: 'KVM works on this host: there is no fault to provoke' })
  }
  assertMessage(t, result, 2, /^limafs: KVM is present but unusable: a KVM probe boot (did not finish in 8 s|failed: .+)$/, 'use --accel tcg (or auto, which falls back to TCG)')
  t.strictSame(qemuOrVirtiofsdMentioning(cache), [], 'the probe QEMU is gone')
  const verdict = JSON.parse(readFileSync(join(cache, 'accel.json'), 'utf8')) as { failure?: string }
  t.match(verdict.failure, /^a KVM probe boot/, 'the verdict is remembered in the cache')
  const again = await upExpectingFailure(t, run, ['--accel', 'kvm', '--cache-dir', cache])
  t.equal(again.stderr.split('\n').find((l) => l.startsWith('limafs: ')), result.stderr.split('\n').find((l) => l.startsWith('limafs: ')), 'the next up fails the same way')
  t.ok(again.seconds < 8, `without probing again (${again.seconds.toFixed(1)} s)`)
})

t.test('usage mistakes exit 64 with a message naming what was wrong, and start nothing', async (t) => {
  const dir = scratch(t)
  const run = join(dir, 'run')
  const table: Array<[string, string[], RegExp]> = [
    ['an unknown accelerator', ['up', '--accel', 'warp'], /^limafs: --accel: must be one of auto\|kvm\|tcg, got "warp"$/],
    ['a boot timeout of 0', ['up', '--boot-timeout', '0'], /^limafs: --boot-timeout: expected an integer >= 1, got "0"$/],
    ['an unknown option', ['up', '--colour'], /^limafs: Unknown option '--colour'/],
    ['an unknown subcommand', ['reboot'], /^limafs: unknown testbed command "reboot"$/],
    ['exec without a command', ['exec'], /^limafs: testbed exec needs a command after --$/],
    ['exec on a testbed that does not run', ['exec', '--', 'true'], /^limafs: testbed t-fault-\d+ is not running \(no .*\); start it with `limafs testbed up`$/],
  ]
  for (const [name, [sub, ...args], message] of table) {
    const result = await limafs(['testbed', sub!, '--name', NAME, '--run-dir', run, ...args])
    t.equal(result.exitCode, 64, `${name}: exit 64`)
    t.match(result.stderr.split('\n')[0], message, `${name}: says so`)
  }
  t.notOk(existsSync(run), 'no run dir was made')
  t.strictSame(qemuOrVirtiofsdMentioning(run), [])
})
