// Every point the agent emits is a check id it declares in `list`: reports, TODO tables and
// the gate key on these ids, so an undeclared (or never emitted) id is a bug.
import t from 'tap'
import { countLeaves, listedChecks, parseTap, runAgent, tempDir } from '../helpers/agent-bundle.ts'

t.setTimeout(0)
const isRoot = process.getuid?.() === 0

t.test('list prints one line per check id, each with a one-line description', async (t) => {
  const plain = await runAgent(['list'])
  t.equal(plain.exitCode, 0, 'list exits 0')
  const listed = await listedChecks()
  const lines = plain.stdout.split('\n').filter(Boolean)
  t.equal(lines.length, listed.length, 'as many lines as ids in list --json')
  t.ok(listed.length > 0, 'some checks')
  const problems: string[] = []
  const seen = new Set<string>()
  for (const [i, line] of lines.entries()) {
    const [id = '', title = '', ...more] = line.split('\t')
    if (more.length) problems.push(`${id}: more than an id and a description`)
    if (id !== listed[i]?.id) problems.push(`line ${i + 1} is ${id}, list --json says ${listed[i]?.id}`)
    if (title.trim().length < 10) problems.push(`${id}: no description`)
    if (/\{stage\}/.test(`${id} ${title}`)) problems.push(`${id}: {stage} left in`)
    // suite/aspect/object, and a property after it where an object has several (migrate/to-none/file/mode)
    if (!/^[a-z0-9-]+\/[a-z0-9-]+\/[a-z0-9-]+(\/[a-z0-9-]+)?$/.test(id)) problems.push(`${id}: not suite/aspect/object[/property]`)
    if (id.split('/')[0] !== listed[i]?.suite) problems.push(`${id}: not in its suite ${listed[i]?.suite}`)
    if (seen.has(id)) problems.push(`${id}: listed twice`)
    seen.add(id)
  }
  t.strictSame(problems, [], 'every line is "ID<tab>description", ids unique')
})

t.test('list --suite narrows to that suite, and an unknown suite is a usage error', async (t) => {
  const listed = await listedChecks()
  const chown = await runAgent(['list', '--suite', 'chown', '--json'])
  t.equal(chown.exitCode, 0, 'list --suite chown exits 0')
  t.strictSame((JSON.parse(chown.stdout) as Array<{ id: string }>).map((c) => c.id), listed.filter((c) => c.suite === 'chown').map((c) => c.id), 'the chown ids, in order')
  const unknown = await runAgent(['list', '--suite', 'no-such-suite'])
  t.equal(unknown.exitCode, 64, 'an unknown suite exits 64')
  t.match(unknown.stderr, /unknown suite no-such-suite/, 'and names it')
})

t.test('a run on a local dir emits exactly the declared ids, each once, under its own suite', { skip: isRoot ? false : 'needs root (the whole set of checks runs only as root)' }, async (t) => {
  const dir = tempDir(t)
  const listed = await listedChecks()
  const r = await runAgent(['run', '--mount', dir, '--allow-any-fs'])
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr })
  const { leaves, parseErrors } = parseTap(r.stdout)
  t.strictSame(parseErrors, [], 'the TAP parses')
  const emitted = leaves.map((l) => l.name)
  const declared = listed.map((c) => c.id)
  t.strictSame(emitted.filter((id) => !declared.includes(id)), [], 'nothing undeclared was emitted')
  t.strictSame(declared.filter((id) => !emitted.includes(id)), [], 'every declared id was emitted')
  t.strictSame(emitted.filter((id, i) => emitted.indexOf(id) !== i), [], 'no id twice')
  const suiteOf = new Map(listed.map((c) => [c.id, c.suite]))
  t.strictSame(leaves.filter((l) => l.fullname !== `${dir} > ${suiteOf.get(l.name)} > ${l.name}`).map((l) => l.fullname), [], 'each point sits under the mount path > its suite')
  t.equal(countLeaves(leaves).notOk, 0, 'nothing failed')
})
