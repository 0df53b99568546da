// Guest processes of their own (python3 helpers by name) and the children they fork: two names
// are two processes; a helper that dies is replaced for the next call; a child that dies of
// SIGBUS takes nothing with it and the helper says how it ended.
import { execFileSync } from 'node:child_process'
import { truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { SpecialFiles } from '../../agent/worker/special-files.ts'
import type { OpResult } from '../../agent/worker/protocol.ts'
import { tempDir } from '../helpers/agent-bundle.ts'

const HAS_PYTHON = (() => {
  try {
    execFileSync('python3', ['--version'])
    return true
  } catch {
    return false
  }
})()
const skip = HAS_PYTHON ? false : 'no python3'
const value = (r: OpResult) => (r.ok ? r.value : `${r.errno}: ${r.message}`)

t.test('two named guest processes are two pids; each is kept between calls; one killed is replaced by a new one', { skip }, async (t) => {
  const special = new SpecialFiles('python3')
  const a = value(await special.callIn('a', 'pid', [])) as number
  const b = value(await special.callIn('b', 'pid', [])) as number
  t.type(a, 'number')
  t.not(a, b, 'a and b are different processes')
  t.equal(value(await special.callIn('a', 'pid', [])), a, 'a is the same process on the next call')
  process.kill(a, 'SIGKILL')
  await new Promise((r) => setTimeout(r, 200))
  const again = value(await special.callIn('a', 'pid', []))
  t.type(again, 'number', 'the next call to a gets an answer')
  t.not(again, a, 'from a new process')
  for (const name of ['a', 'b']) process.kill(value(await special.callIn(name, 'pid', [])) as number, 'SIGKILL')
})

t.test("a child that touches a mapping of a file truncated under it dies of SIGBUS, and only it: the helper answers how it ended and goes on", { skip }, async (t) => {
  const dir = tempDir(t)
  const f = join(dir, 'mapped')
  writeFileSync(f, 'A'.repeat(8192))
  const special = new SpecialFiles('python3')
  const helper = value(await special.call('pid', [])) as number
  const child = value(await special.call('of-mmap-child', [f, 8192, 4096])) as number
  t.type(child, 'number', 'the child mapped the file')
  t.not(child, helper, 'it is a process of its own')
  truncateSync(f, 0)
  t.equal(value(await special.call('child-go', [child])), 'SIGBUS', 'it died of SIGBUS')
  t.equal(value(await special.call('pid', [])), helper, 'the helper is the same process, still answering')
  t.match(value(await special.call('of-mmap-child', [f, 8192, 0])), /^EINVAL: the child could not set up: mmap length is greater than file size/, 'a child that can not set up (the file is empty now): said so')
  const g = join(dir, 'intact')
  writeFileSync(g, 'A'.repeat(8192))
  const again = value(await special.call('of-mmap-child', [g, 8192, 4096]))
  t.type(again, 'number', 'and the helper forks the next one')
  t.equal(value(await special.call('child-kill', [again])), 'SIGKILL')
  process.kill(helper, 'SIGKILL')
})

t.test('a lock holder that is killed lets go: the other process gets the lock', { skip }, async (t) => {
  const dir = tempDir(t)
  const f = join(dir, 'locked')
  writeFileSync(f, 'x')
  const special = new SpecialFiles('python3')
  const holder = value(await special.call('lk-hold-child', [f, 'fcntl'])) as number
  const fd = value(await special.callIn('b', 'lk-open', [f])) as number
  t.equal(value(await special.callIn('b', 'lk-set', [fd, 'fcntl', 'write', 0, 0])), 'EAGAIN: Resource temporarily unavailable', 'held: another process is refused')
  t.equal(value(await special.call('child-kill', [holder])), 'SIGKILL', 'the holder is killed')
  t.equal(value(await special.callIn('b', 'lk-set', [fd, 'fcntl', 'write', 0, 0])), null, 'now the other process gets it')
  for (const r of [await special.call('pid', []), await special.callIn('b', 'pid', [])]) process.kill(value(r) as number, 'SIGKILL')
})
