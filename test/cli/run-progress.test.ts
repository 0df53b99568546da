// The end of `limafs run`'s log names what made it exit 1: each failure no known deviation
// explains, and each crashed point.
import t from 'tap'
import { unknownFailureLines } from '../../cli/run-progress.ts'
import type { CheckResult, ConfigResult } from '../../reports/types.ts'

const config = (name: string, checks: CheckResult[]) => ({ name, checks }) as unknown as ConfigResult
const point = (id: string, status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult => ({ id, suite: id.split('/')[0]!, status, ...extra })

t.test('only failures and crashes are named, known deviations (todo) and passes are not', async (t) => {
  const lines = unknownFailureLines({
    configs: [
      config('virtiofs', [
        point('open-files/host-deleted/read', 'fail', { class: 'silent', diagnostics: { found: '' } }),
        point('open-files/host-deleted/fstat', 'todo', { class: 'silent', diagnostics: { found: '1' } }),
        point('chown/call/file', 'ok'),
      ]),
      config('9p-none-mmap', [point('locks/flock/host', 'crashed'), point('space/enospc/freed', 'fail', { class: 'loud', diagnostics: { found: 'ENOSPC' } })]),
    ],
  })
  t.strictSame(lines, [
    'not known: virtiofs open-files/host-deleted/read (silent): found ""',
    'crashed: 9p-none-mmap locks/flock/host',
    'not known: 9p-none-mmap space/enospc/freed (loud): found "ENOSPC"',
  ])
})

t.test('many are cut at max with a count of the rest; a long found is cut short', async (t) => {
  const checks = Array.from({ length: 25 }, (_, i) => point(`names/n${i}/file`, 'fail', { class: 'silent', diagnostics: { found: 'x'.repeat(500) } }))
  const lines = unknownFailureLines({ configs: [config('sshfs-cache', checks)] })
  t.equal(lines.length, 21)
  t.equal(lines.at(-1), 'and 5 more (results.json)')
  t.ok(lines[0]!.length < 250, 'a found of 500 bytes is cut')
  t.match(lines[0], /…$/)
})
