// Results with markup in every place a run can put text (check ids, diagnostics, config names,
// reasons, environment values): report.html must show all of it as text.
import { countChecks } from '../../reports/counts.ts'
import type { CheckResult, Results } from '../../reports/types.ts'
import { resultsFixture } from './reports-fixtures.ts'

export const EVIL_ID = 'xattr/<script>alert(1)</script>/file'
export const EVIL_FOUND = '</script><img src=x onerror=alert(2)>'
export const EVIL_CONFIG = '9p-<i>evil</i>'
/** Known deviations of the evil config: one fails loud, one fails silently. */
export const KNOWN_LOUD_ID = 'chown/<todo>'
export const KNOWN_SILENT_ID = 'chown/known-silent'

/** The real run (run2) plus a config and checks whose texts are markup; its evil check is a silent failure, and it has a known deviation that fails loud and one that fails silently. */
export function evilResults(): Results {
  const results = resultsFixture('run2/results.json')
  const evil: CheckResult = {
    id: EVIL_ID,
    suite: 'xattr',
    status: 'fail',
    class: 'silent',
    diagnostics: {
      op: '"><svg onload=alert(3)>',
      args: ['<b>bold</b>', 1234],
      wanted: "v'al\"ue",
      found: EVIL_FOUND,
      stage: 'at-once',
      class: 'silent',
      host: { path: '<u>p</u>', exists: true, type: 'file', xattrs: { 'user.<x>': '3c' } },
      '<odd key>': '<odd value>',
    },
  }
  const todo: CheckResult = { id: KNOWN_LOUD_ID, suite: 'chown', status: 'todo', class: 'loud', reason: '<script>alert(4)</script>', diagnostics: { found: '&amp;', errno: 'EPERM' } }
  const silentTodo: CheckResult = { id: KNOWN_SILENT_ID, suite: 'chown', status: 'todo', class: 'silent', reason: 'a known silent deviation', diagnostics: { found: '1000,1000', class: 'silent' } }
  const checks = [evil, todo, silentTodo]
  results.configs.push({
    name: EVIL_CONFIG,
    config: { mountType: '9p', writable: true, ninep: { securityModel: '<s>', cache: 'mmap' } },
    status: 'crashed',
    error: '<script>alert(5)</script>',
    counts: countChecks(checks),
    checks,
    tapFiles: [],
  })
  results.environment.hostOs = '<script>alert(6)</script>'
  results.environment.mountinfo = { ...results.environment.mountinfo, [EVIL_CONFIG]: '<script>alert(7)</script>' }
  results.matrix.file = '"><script>alert(8)</script>'
  return results
}
