// `limafs run` as a user types it: --help tells every backend and its flags (and stays true to
// what the command takes), and backend mistakes are usage errors (exit 64) before anything boots.
import t from 'tap'
import { OWN_FLAGS } from '../../cli/backend-factory.ts'
import { RUN_USAGE } from '../../cli/run-command.ts'
import { limafs } from '../helpers/testbed.ts'

t.test('--help names the three backends and every flag each one takes', async (t) => {
  const help = await limafs(['run', '--help'])
  t.equal(help.exitCode, 0)
  t.equal(help.stdout, `${RUN_USAGE}\n`)
  t.match(RUN_USAGE, /--backend B +testbed\|lima\|ssh/)
  for (const [backend, flags] of Object.entries(OWN_FLAGS)) {
    for (const flag of flags) t.match(RUN_USAGE, new RegExp(`--${flag}\\b`), `${backend}: --${flag} is in --help`)
  }
})

t.test('backend mistakes are usage errors (exit 64) with what to do', async (t) => {
  const other = await limafs(['run', '--backend', 'lima', '--accel', 'tcg'])
  t.equal(other.exitCode, 64)
  t.match(other.stderr, /--accel: a flag of the testbed backend; this run uses the lima backend/)
  const ssh = await limafs(['run', '--backend', 'ssh', '--ssh', 'me@127.0.0.1:1'])
  t.equal(ssh.exitCode, 64)
  t.match(ssh.stderr, /the ssh backend needs --ssh USER@HOST\[:PORT\], --identity KEY and at least one --mount/)
  const unknown = await limafs(['run', '--backend', 'docker'])
  t.equal(unknown.exitCode, 64)
})

t.test('lima with no limactl on PATH: exit 2 and "install Lima", not a crash', async (t) => {
  const r = await limafs(['run', '--backend', 'lima', '--instance', 'default'], { env: { ...(process.env as Record<string, string>), PATH: '/nonexistent' } })
  t.equal(r.exitCode, 2)
  t.match(r.stderr, /limactl --version failed/)
  t.match(r.stderr, /what to do: install Lima \(macOS: brew install lima\)/)
  t.notMatch(r.stderr, /unexpected error/)
})
