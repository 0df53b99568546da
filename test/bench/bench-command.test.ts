// `limafs bench` and `limafs run` as a user calls them, without a VM: help, and the mistakes
// that are usage errors before anything boots.
import t from 'tap'
import { limafs } from '../helpers/testbed.ts'

t.test('limafs bench --help says what it measures and exits 0; limafs --help lists bench', async (t) => {
  const help = await limafs(['bench', '--help'])
  t.equal(help.exitCode, 0)
  t.match(help.stdout, /^Usage: limafs bench \[options\]\n/)
  t.match(help.stdout, /--bench-files N .*\n.*--bench-bytes N .*\n.*--bench-repeats N .*at least 3/)
  const top = await limafs(['--help'])
  t.match(top.stdout, /\n {2}bench {12}how fast each configuration is/)
})

t.test('limafs run --help lists the bench sizes it passes on to the agent', async (t) => {
  const help = await limafs(['run', '--help'])
  t.equal(help.exitCode, 0)
  t.match(help.stdout, /--bench-files N[\s\S]*--bench-bytes N[\s\S]*--bench-repeats N/)
})

t.test('usage errors exit 64 before anything boots', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['bench', '--suite', 'chown'], /bench runs the bench suite only, without a restart: --suite is not an option here/],
    [['bench', '--no-restart'], /--no-restart is not an option here/],
    [['bench', '--bench-repeats', '2'], /--bench-repeats: expected an integer >= 3, got "2"/],
    [['run', '--bench-files', 'many'], /--bench-files: expected an integer >= 1, got "many"/],
    [['bench', '--no-such-flag'], /Unknown option '--no-such-flag'/],
  ]
  for (const [args, message] of cases) {
    const r = await limafs(args, { timeoutMs: 30_000 })
    t.equal(r.exitCode, 64, `limafs ${args.join(' ')} exits 64`)
    t.match(r.stderr, message)
  }
})
