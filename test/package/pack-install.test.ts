// The package installs anywhere: `npm pack`, then `npm install TARBALL` in an empty dir (offline:
// nothing else to fetch), and the installed `limafs` runs without tsx or this checkout: --help,
// and `matrix print` of the built-in matrix it carries. (A testbed run from the installed
// package is a VM test's job; this one is cheap.)
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { installedPackages, packAndInstall, type Installed } from '../helpers/packed.ts'

let installed: Installed
t.before(async () => {
  installed = await packAndInstall()
})
t.teardown(() => installed && rmSync(dirname(installed.tarball), { recursive: true, force: true }))

const npx = (...args: string[]) => execa('npx', ['--no-install', 'limafs', ...args], { cwd: installed.dir, reject: false, env: { ...process.env, NODE_OPTIONS: '' } })

t.test('the tarball holds what a user needs and nothing else: bin, the bundles and their chunks, the built-in matrix, README', async (t) => {
  const unexpected = installed.files.filter((f) => !/^(bin\/limafs\.js|dist\/limafs(-agent|-mount-inotify)?\.mjs|dist\/limafs-.+-[A-Z0-9]{8}\.mjs|dist\/default-matrix\.yaml|README\.md|package\.json)$/.test(f))
  t.same(unexpected, [], 'no sources, tests or fixtures')
  for (const f of ['bin/limafs.js', 'dist/limafs.mjs', 'dist/limafs-agent.mjs', 'dist/default-matrix.yaml', 'README.md', 'package.json']) t.ok(installed.files.includes(f), f)
  t.same(installedPackages(installed.dir), ['limafs'], 'no dependency installed beside it: the bundle carries them')
})

t.test('npx limafs --help in the empty dir: the usage, exit 0', async (t) => {
  const r = await npx('--help')
  t.equal(r.exitCode, 0, String(r.stderr))
  t.match(String(r.stdout), /^Usage: limafs <command> \[options\]\n/)
  t.match(String(r.stdout), /\n  recommend \[--results FILE\|OUT\] \[--profile NAME\]/)
})

t.test('npx limafs matrix print: the built-in matrix, read from the installed package', async (t) => {
  const r = await npx('matrix', 'print')
  t.equal(r.exitCode, 0, String(r.stderr))
  t.match(String(r.stdout), `from ${join(installed.dir, 'node_modules', 'limafs', 'dist', 'default-matrix.yaml')}`)
  t.match(String(r.stdout), /\nconfigs:\n  - name: 9p-none-none\n/)
})

t.test('the installed CLI runs the agent bundle it carries (asked for its checks, before any guest)', async (t) => {
  // `run` asks dist/limafs-agent.mjs for its check list first: a suite it does not know is a
  // usage error, named as the agent's answer, and nothing boots.
  const r = await npx('run', '--suite', 'no-such-suite', '--out', join(dirname(installed.tarball), 'out'))
  t.equal(r.exitCode, 64, String(r.stderr))
  t.match(String(r.stderr), 'suite no-such-suite: this agent has no such suite yet; skipped')
  t.match(String(r.stderr), 'limafs: none of the suites no-such-suite is known to the agent')
})

t.test('exit codes from the installed CLI: recommend --help 0, an unknown command 64', async (t) => {
  t.equal((await npx('recommend', '--help')).exitCode, 0)
  const bad = await npx('frobnicate')
  t.equal(bad.exitCode, 64)
  t.match(String(bad.stderr), /^limafs: unknown command "frobnicate"/)
})
