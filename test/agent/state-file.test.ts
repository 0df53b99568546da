import t from 'tap'
import { PERSIST_STAGES } from '../../agent/check-api.ts'
import { decodeState, encodeState, STATE_FILE } from '../../agent/state-file.ts'
import type { StagedCheck } from '../../agent/run-types.ts'

const SCRATCH = '/mnt/share/.limafs-Ab12Cd'

const staged: StagedCheck[] = [
  {
    suite: 'chown',
    check: { id: 'chown/{stage}/file', stages: PERSIST_STAGES },
    persisted: [{ wanted: '1234,5678', op: 'lstat', args: [`${SCRATCH}/chown/0-file`, 'uid,gid'] }],
    callFailedLoud: false,
  },
  {
    suite: 'symlink',
    check: { id: 'symlink/{stage}/guest-made', stages: PERSIST_STAGES },
    persisted: [
      { wanted: 'symlink', op: 'lstat', args: [`${SCRATCH}/symlink/0-link`, 'type'] },
      { wanted: '0-target', op: 'readlink', args: [`${SCRATCH}/symlink/0-link`] },
      { wanted: 0, op: 'chmod', args: [SCRATCH, 0o755] },
    ],
    callFailedLoud: true,
  },
  {
    suite: 'modes',
    check: { id: 'modes/chmod-{stage}/file', stages: ['call', 'at-once', 'after-drop-caches'] },
    persisted: [{ wanted: '0640', op: 'lstat', args: [`${SCRATCH}/modes/0-file`, 'mode'] }],
    callFailedLoud: false,
  },
]

t.test('the state file keeps only checks with an after-restart stage, paths relative to the scratch dir', async (t) => {
  const text = encodeState('/mnt/share', SCRATCH, staged)
  t.notOk(text.includes(SCRATCH), 'no absolute scratch path in the file')
  const data = JSON.parse(text) as { format: string; mountPath: string; staged: StagedCheck[] }
  t.equal(data.mountPath, '/mnt/share', 'the mount path is kept')
  t.strictSame(data.staged.map((s) => s.check.id), ['chown/{stage}/file', 'symlink/{stage}/guest-made'], 'only the checks with after-restart')
  t.equal(data.staged[0]?.persisted[0]?.args[0], '$SCRATCH/chown/0-file', 'paths as $SCRATCH/...')
  t.equal(STATE_FILE, 'state.json', 'the file name verify looks for')
})

t.test('decodeState gives back the same staged checks, in another scratch dir after a restart', async (t) => {
  const text = encodeState('/mnt/share', SCRATCH, staged)
  t.strictSame(decodeState(text, SCRATCH), staged.slice(0, 2), 'same scratch dir: the same checks')
  const moved = '/other/mount/.limafs-Zz99Yy'
  const back = decodeState(text, moved)
  if (typeof back === 'string') throw new Error(back)
  t.equal(back[0]?.persisted[0]?.args[0], `${moved}/chown/0-file`, 'paths in the new scratch dir')
  t.equal(back[1]?.persisted[2]?.args[0], moved, 'the scratch dir itself')
  t.equal(back[1]?.persisted[2]?.args[1], 0o755, 'numbers untouched')
  t.equal(back[1]?.callFailedLoud, true, 'loudness kept')
})

t.test('a path that only starts like the scratch dir is not rewritten', async (t) => {
  const text = encodeState('/mnt/share', SCRATCH, [{ ...staged[0]!, persisted: [{ wanted: 0, op: 'lstat', args: [`${SCRATCH}x/file`] }] }])
  t.ok(text.includes(`${SCRATCH}x/file`), 'kept as it is')
})

t.test('a file that is not ours, or of another version, gives a message instead of checks', async (t) => {
  const table: Array<[string, RegExp]> = [
    ['not json {', /^not JSON/],
    [JSON.stringify({ format: 'something-else', version: 1, staged: [] }), /not a limafs agent state file \(format "something-else"\)/],
    [JSON.stringify({ hello: 'world' }), /not a limafs agent state file/],
    [JSON.stringify({ format: 'limafs-agent-state', version: 2, staged: [] }), /state file version 2; this agent reads version 1/],
    [JSON.stringify({ format: 'limafs-agent-state', version: 1 }), /no staged checks/],
  ]
  for (const [text, want] of table) {
    const r = decodeState(text, SCRATCH)
    t.type(r, 'string', text)
    t.match(r, want, text)
  }
})
