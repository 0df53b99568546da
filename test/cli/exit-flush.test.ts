// `limafs` exits with its code only once what it wrote has reached a pipe: output larger than a
// pipe's buffer (64 KiB here) read by a slower reader must arrive whole.
import t from 'tap'
import { execa } from 'execa'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/limafs.js', import.meta.url))

t.test('matrix print --json through a shell pipe reads back whole', async (t) => {
  // `sleep` first: the pipe fills before anything reads it, as with a busy `jq`.
  const r = await execa('sh', ['-c', `node "${BIN}" matrix print --json | (sleep 0.5; cat)`])
  t.ok(r.stdout.length > 65536, `more than a pipe's buffer arrived (${r.stdout.length} bytes)`)
  t.doesNotThrow(() => JSON.parse(r.stdout), 'the JSON is complete')
})
