// The agent bundle runs on Node 18 (Ubuntu 24.04's apt nodejs is 18.19) exactly as on the Node
// the tests run on: same help, same list, same verdicts on a local dir.
import t from 'tap'
import { ensureNode18, NODE18_VERSION, runnableByAll } from '../helpers/node18.ts'
import { countLeaves, parseTap, runAgent, tempDir } from '../helpers/agent-bundle.ts'

t.setTimeout(0)
const isRoot = process.getuid?.() === 0
const found = await ensureNode18()
const skip = 'unavailable' in found ? found.unavailable : false


t.test(`the bundle prints its help and its list on Node ${NODE18_VERSION} as on ${process.version}`, { skip }, async (t) => {
  if ('unavailable' in found) return
  t.match(found.version, /^v18\./, `the binary is Node 18 (${found.version})`)
  const help = await runAgent(['--help'], { nodeBinary: found.node })
  t.equal(help.exitCode, 0, '--help exits 0', { stderr: help.stderr })
  t.match(help.stdout, /^Usage: limafs-agent <command>/, 'the usage')
  const list18 = await runAgent(['list'], { nodeBinary: found.node })
  const listHere = await runAgent(['list'])
  t.equal(list18.exitCode, 0, 'list exits 0')
  t.ok(list18.stdout.length > 0, 'list prints checks')
  t.equal(list18.stdout, listHere.stdout, 'the same list')
})

t.test(`a run on a local dir gives the same verdicts on Node ${NODE18_VERSION} as on ${process.version}`, { skip: skip || (isRoot ? false : 'needs root') }, async (t) => {
  if ('unavailable' in found) return
  const verdicts = async (node?: string) => {
    const dir = tempDir(t)
    const r = await runAgent(['run', '--mount', dir, '--allow-any-fs'], node ? { nodeBinary: node } : {})
    const { leaves, parseErrors } = parseTap(r.stdout)
    return { r, parseErrors, counts: countLeaves(leaves), points: leaves.map((l) => `${l.name} ${l.ok ? 'ok' : 'not ok'}${l.skip !== false ? ' SKIP' : ''}${l.todo !== false ? ' TODO' : ''}`) }
  }
  const node18 = runnableByAll(found.node)
  t.teardown(node18.remove)
  const on18 = await verdicts(node18.node)
  const here = await verdicts()
  t.equal(on18.r.exitCode, 0, 'exit 0 on Node 18', { stderr: on18.r.stderr })
  t.match(on18.r.stdout, /# limafs-agent \S+ run: node v18\./, 'the agent says it ran on Node 18')
  t.strictSame(on18.parseErrors, [], 'the TAP parses')
  t.equal(here.r.exitCode, 0, `exit 0 on ${process.version}`, { stderr: here.r.stderr })
  t.strictSame(on18.counts, here.counts, `the same counts (${JSON.stringify(on18.counts)})`)
  t.strictSame(on18.points, here.points, 'the same point by point')
})
