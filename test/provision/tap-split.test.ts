import t from 'tap'
import { Parser } from 'tap-parser'
import { TapSplitter } from '../../provision/tap-split.ts'

const agentTap = (points: (mount: string) => string[]) => [
  'TAP version 14',
  '# limafs-agent 0.1.0 run: node v20',
  ...['/mnt/limafs/a', '/mnt/limafs/b', '/mnt/other'].flatMap((m, i) => [
    `# Subtest: ${m}`,
    '    # Subtest: chown',
    ...points(m).map((p) => `        ${p}`),
    `        1..${points(m).length}`,
    '    ok 1 - chown',
    '    1..1',
    `ok ${i + 1} - ${m}`,
  ]),
  '1..3',
]

async function leaves(text: string): Promise<Array<{ name: string; ok: boolean }>> {
  const found: Array<{ name: string; ok: boolean }> = []
  const parser = new Parser()
  parser.on('result', (r: { name: string; ok: boolean; fullname: string }) => found.push({ name: r.name, ok: r.ok }))
  const done = new Promise((resolve) => parser.on('complete', resolve))
  parser.end(text)
  await done
  return found
}

t.test('the agent\'s stream becomes one TAP document per config, both passes in one file', async (t) => {
  const files = new Map<string, string>()
  const splitter = new TapSplitter((m) => ({ '/mnt/limafs/a': 'a', '/mnt/limafs/b': 'b' })[m], {
    append: (config, text) => files.set(config, (files.get(config) ?? '') + text),
  })
  for (const line of agentTap(() => ['ok 1 - chown/call/file'])) splitter.line(line)
  for (const line of agentTap(() => ['ok 1 - chown/after-restart/file'])) splitter.line(line)
  splitter.finish()
  t.strictSame([...files.keys()], ['a', 'b'], 'a mount that is no config is left out')
  const a = files.get('a')!
  t.match(a, /^TAP version 14\n# Subtest: \/mnt\/limafs\/a\n/, 'each file is a TAP 14 document')
  t.match(a, /\nok 1 - \/mnt\/limafs\/a\n[\s\S]*\nok 2 - \/mnt\/limafs\/a\n1\.\.2\n$/, 'closing points are renumbered per file and the plan closes it')
  t.notMatch(a, /mnt\/limafs\/b/, 'nothing of the other config')
  t.strictSame((await leaves(a)).map((l) => l.name), ['chown/call/file', 'chown/after-restart/file'], 'tap-parser reads both passes')
})

t.test('a stream cut off mid-mount keeps what was written (a crash loses nothing seen)', async (t) => {
  const files = new Map<string, string>()
  const splitter = new TapSplitter((m) => (m === '/mnt/limafs/a' ? 'a' : undefined), { append: (c, text) => files.set(c, (files.get(c) ?? '') + text) })
  for (const line of agentTap(() => ['ok 1 - chown/call/file', 'not ok 2 - chown/at-once/file']).slice(0, 6)) splitter.line(line)
  t.match(files.get('a'), /not ok 2 - chown\/at-once\/file\n$/)
  t.strictSame((await leaves(files.get('a')!)).map((l) => [l.name, l.ok]), [['chown/call/file', true], ['chown/at-once/file', false]])
})
