import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { buildBundles } from '../helpers/agent-bundle.ts'
import { jsonErrorOffset, positionOf } from '../../reports/json-position.ts'
import { resultsJson, runJson } from '../../reports/results-json.ts'
import { parseResults, parseRunRecord } from '../../reports/results-schema.ts'
import { ResultsFileError } from '../../reports/results-file-error.ts'
import { fixtureResults, fixtureRun } from '../helpers/reports-fixtures.ts'

const FILE = 'base/results.json'
const good = () => JSON.parse(resultsJson(fixtureResults())) as Record<string, unknown>

/** The message parseResults throws for text (fails the test when it does not throw). */
function messageFor(t: Test, text: string): string {
  try {
    parseResults(text, FILE)
  } catch (err) {
    t.type(err, ResultsFileError, 'a ResultsFileError')
    t.equal((err as ResultsFileError).file, FILE)
    t.notMatch((err as Error).message, /\n\s+at /, 'no stack trace in the message')
    return (err as Error).message
  }
  t.fail('parseResults accepted it')
  return ''
}

t.test('results.json as written reads back the same', async (t) => {
  const results = fixtureResults()
  t.same(parseResults(resultsJson(results), FILE), results)
})

t.test('run.json as written reads back the same, without its header', async (t) => {
  const run = fixtureRun()
  const text = runJson(run)
  t.match(JSON.parse(text), { schema: 'limafs-run', version: 1 })
  t.same(parseRunRecord(text, 'out/run.json'), run)
})

t.test('not JSON: the message names the file, the line and column, and the reason', async (t) => {
  t.equal(messageFor(t, '{\n  "schema": "limafs-results",\n  "version": 1,\n}\n'), `${FILE} is not JSON: line 4, column 1: Expected double-quoted property name`)
  t.equal(messageFor(t, '{"a": }'), `${FILE} is not JSON: line 1, column 7: Unexpected token '}'`, 'V8 gives no position here; ours does')
  t.equal(messageFor(t, '{"a": 1} trailing'), `${FILE} is not JSON: line 1, column 10: Unexpected non-whitespace character after JSON`)
  t.equal(messageFor(t, '  \n'), `${FILE} is empty, not JSON`)
})

t.test('a foreign JSON file is named as such, with what its schema field holds', async (t) => {
  t.equal(messageFor(t, '{"name": "some-package", "version": "1.0.0"}'), `${FILE} is not a limafs results.json (schema field is missing; a results.json has "schema": "limafs-results")`)
  t.equal(messageFor(t, '{"schema": "limafs-run", "version": 1}'), `${FILE} is not a limafs results.json (schema field is "limafs-run"; a results.json has "schema": "limafs-results")`)
  t.equal(messageFor(t, '[1, 2]'), `${FILE} is not a limafs results.json (it holds an array, not an object)`)
  t.equal(messageFor(t, '"text"'), `${FILE} is not a limafs results.json (it holds "text", not an object)`)
})

t.test('another version of the schema says which one and which this limafs reads', async (t) => {
  const message = messageFor(t, JSON.stringify({ ...good(), version: 2 }))
  t.match(message, `${FILE}: results.json version 2; this limafs reads version 1`)
  t.match(message, /limafs report OUT/, 'and how to get one it reads')
})

t.test('a malformed field: its path and what was expected', async (t) => {
  const doc = good()
  const configs = doc.configs as Array<Record<string, unknown>>
  configs[2]!.status = 'done'
  const checks = configs[0]!.checks as Array<Record<string, unknown>>
  checks[1]!.status = 42
  ;(configs[1]!.counts as Record<string, unknown>).ok = -1
  delete doc.finishedAt
  t.equal(messageFor(t, JSON.stringify(doc)), [
    `${FILE} is not a valid limafs results.json:`,
    '  finishedAt: missing (expected string)',
    '  configs[0].checks[1].status: expected "ok"|"fail"|"todo"|"skip"|"crashed", got 42',
    '  configs[1].counts.ok: Too small: expected number to be >=0, got -1',
    '  configs[2].status: expected "completed"|"crashed"|"infra-failed", got "done"',
  ].join('\n'))
})

t.test('malformed diagnostics are reported too, down to an args element', async (t) => {
  const doc = good()
  const check = ((doc.configs as Array<Record<string, unknown>>)[0]!.checks as Array<Record<string, unknown>>)[0]!
  ;(check.diagnostics as Record<string, unknown>).args = ['f', true]
  t.equal(messageFor(t, JSON.stringify(doc)), `${FILE} is not a valid limafs results.json:\n  configs[0].checks[0].diagnostics.args[1]: expected string or number, got true`)
})

t.test('a long list of malformed fields is cut after ten', async (t) => {
  const doc = good()
  doc.configs = Array.from({ length: 12 }, () => ({}))
  const lines = messageFor(t, JSON.stringify(doc)).split('\n')
  t.equal(lines.length, 12, 'the heading, ten issues, and a count of the rest')
  t.match(lines.at(-1), /^ {2}\.\.\. and \d+ more$/)
})

t.test('run.json gets the same kind of messages', async (t) => {
  t.throws(() => parseRunRecord(resultsJson(fixtureResults()), 'out/run.json'), {
    message: 'out/run.json is not a limafs run.json (schema field is "limafs-results"; a run.json has "schema": "limafs-run")',
  })
  t.throws(() => parseRunRecord(runJson({ ...fixtureRun(), declaredChecks: 'all' as unknown as string[] }), 'out/run.json'), {
    message: 'out/run.json is not a valid limafs run.json:\n  declaredChecks: expected array, got "all"',
  })
})

t.test('jsonErrorOffset finds the first syntax error, and nothing in valid JSON', async (t) => {
  const table: Array<[string, number | undefined]> = [
    ['{"a": [1, 2.5e3, -0, "x\\n\\u00e9", true, false, null, {}]}', undefined],
    ['  "just a string"  ', undefined],
    ['{"a": }', 6],
    ['[1, 2', 5],
    ['[01]', 2],
    ['{"a" 1}', 5],
    ['"\\x"', 1],
    ['"tab\tinside"', 4],
    ['nul', 0],
    ['{} {}', 3],
  ]
  for (const [text, offset] of table) t.equal(jsonErrorOffset(text), offset, JSON.stringify(text))
  t.same(positionOf('ab\ncd\nef', 7), { line: 3, column: 2 })
})

t.test('the CLI maps an unusable results.json to exit 64, with the one message (bin/limafs.js, as users run it)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'limafs-schema-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'results.json')
  writeFileSync(file, '{"schema": "limafs-results", "version": 7}')
  await buildBundles()
  const run = spawnSync(process.execPath, [fileURLToPath(new URL('../../bin/limafs.js', import.meta.url)), 'gate', '--baseline', file, '--current', file], { encoding: 'utf8' })
  t.equal(run.status, 64)
  t.equal(run.stderr, `limafs: ${file}: results.json version 7; this limafs reads version 1 (use the limafs that wrote it, or rebuild it from the TAP with \`limafs report OUT\`)\n`)
})
