// Symlinks: made in the guest (do they stay links, with their target and owner?) and made on
// the host (can the guest read, follow and lchown them?).
import { basename } from 'node:path'
import { PERSIST_STAGES, suite, type CheckContext } from '../../agent/check-api.ts'

const CONTENT = 'limafs symlink target\n'

export default suite('symlink', 'Symlinks made in the guest and on the host: readlink, lstat, follow, lchown', [
  {
    id: 'symlink/{stage}/guest-made',
    title: 'ln -s in the guest: the call, then it is still a symlink with its target {stage}',
    stages: PERSIST_STAGES,
    async run(x) {
      const target = x.path('target')
      await x.setup('create', target, 0o644)
      const link = x.path('link')
      x.persists('symlink', 'lstat', link, 'type')
      x.persists(basename(target), 'readlink', link)
      await x.expect(0, 'symlink', basename(target), link)
    },
  },
  {
    id: 'symlink/follow/guest-made',
    title: 'reading through a guest-made symlink gives the target\'s content',
    async run(x) {
      const target = x.path('target')
      await x.setup('create', target, 0o644)
      await x.setup('write', target, CONTENT)
      const link = x.path('link')
      await x.setup('symlink', basename(target), link)
      await x.expect(CONTENT, 'read', link)
    },
  },
  {
    id: 'symlink/lchown-{stage}/guest-made',
    title: 'chown -h on a guest-made symlink sets the link\'s owner, not the target\'s: the call, then {stage}',
    stages: PERSIST_STAGES,
    needs: ['root'],
    async run(x) {
      const target = x.path('target')
      await x.setup('create', target, 0o644)
      const link = x.path('link')
      await x.setup('symlink', basename(target), link)
      const before = (await x.setup('lstat', target)) as { uid: number; gid: number }
      x.persists(`${x.other.uid},${x.other.gid}`, 'lstat', link, 'uid,gid')
      x.persists(`${before.uid},${before.gid}`, 'lstat', target, 'uid,gid')
      await x.expect(0, 'lchown', link, x.other.uid, x.other.gid)
    },
  },
  {
    id: 'symlink/lchown/dangling',
    title: 'chown -h on a dangling symlink works and sets its owner',
    needs: ['root'],
    async run(x) {
      const link = x.path('dangling')
      await x.setup('symlink', 'no-such-target', link)
      await x.expect(0, 'lchown', link, x.other.uid, x.other.gid)
      await x.expect(`${x.other.uid},${x.other.gid}`, 'lstat', link, 'uid,gid')
    },
  },
  {
    id: 'symlink/host-stored/guest-made',
    title: 'a symlink made in the guest is a real symlink on the host, with the same target',
    needs: ['host'],
    async run(x) {
      const link = x.path('link')
      await x.setup('symlink', 'target-name', link)
      const host = await x.recordHost(link)
      const found = host ? (host.type === 'symlink' ? `symlink -> ${host.symlinkTarget}` : `${host.type ?? 'missing'} ${host.mode ?? ''}`.trim()) : 'no answer'
      if (found !== 'symlink -> target-name') x.fail({ op: 'host-look', args: [link], wanted: 'symlink -> target-name', found, stage: 'host', class: 'silent' })
    },
  },
  {
    id: 'symlink/host-made/readlink',
    title: 'a symlink made on the host: readlink in the guest returns its target',
    needs: ['host'],
    async run(x) {
      const link = await hostMadeLink(x)
      await x.expect('host-target', 'readlink', link)
    },
  },
  {
    id: 'symlink/host-made/follow',
    title: 'a symlink made on the host: reading through it in the guest gives the target\'s content',
    needs: ['host'],
    async run(x) {
      const link = await hostMadeLink(x)
      await x.expect(CONTENT, 'read', link)
    },
  },
  {
    id: 'symlink/host-made/lchown',
    title: 'a symlink made on the host: chown -h in the guest sets its owner',
    needs: ['host', 'root'],
    async run(x) {
      const link = await hostMadeLink(x)
      await x.expect(0, 'lchown', link, x.other.uid, x.other.gid)
      await x.expect(`${x.other.uid},${x.other.gid}`, 'lstat', link, 'uid,gid')
    },
  },
])

/**
 * Asks the host to make `host-target` (with CONTENT, whole at once: written aside and renamed, so
 * that a guest looking at it mid-write, as mountInotify's guest agent does, cannot keep an empty
 * size; see open-files/host-rewritten) and a symlink to it, in this check's dir.
 */
async function hostMadeLink(x: CheckContext): Promise<string> {
  const dir = x.path('hostdir')
  await x.setup('mkdir', dir, 0o777)
  await x.hostSetup('replace', `${dir}/host-target`, { content: CONTENT })
  await x.hostSetup('symlink', `${dir}/host-link`, { target: 'host-target' })
  return `${dir}/host-link`
}
