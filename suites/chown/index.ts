// Ownership: does chown work, and does what it set last (at once, after drop_caches, after a
// remount, after a VM restart)? And what did the host really store?
import { OBJECT_KINDS, PERSIST_STAGES, suite, type CheckSpec } from '../../agent/check-api.ts'

const perKind: CheckSpec[] = OBJECT_KINDS.map((kind) => ({
  id: `chown/{stage}/${kind}`,
  title: `chown of a ${kind} to another uid:gid: the call, then the owner {stage}`,
  stages: PERSIST_STAGES,
  needs: ['root'],
  async run(x) {
    const f = await x.make(kind)
    x.persists(`${x.other.uid},${x.other.gid}`, 'lstat', f, 'uid,gid')
    await x.expect(0, 'lchown', f, x.other.uid, x.other.gid)
  },
}))

export default suite('chown', 'Ownership: chown and chgrp, and whether what they set lasts', [
  ...perKind,
  {
    id: 'chown/chgrp-{stage}/file',
    title: 'chgrp alone (uid -1) changes only the group: the call, then the owner {stage}',
    stages: PERSIST_STAGES,
    needs: ['root'],
    async run(x) {
      const f = await x.make('file')
      const before = (await x.setup('lstat', f)) as { uid: number }
      x.persists(`${before.uid},${x.other.gid}`, 'lstat', f, 'uid,gid')
      await x.expect(0, 'lchown', f, -1, x.other.gid)
    },
  },
  {
    id: 'chown/recursive-{stage}/tree',
    title: 'chown -R over a small tree (dirs, files, a symlink) changes every entry {stage}',
    stages: PERSIST_STAGES,
    needs: ['root'],
    async run(x) {
      const top = x.path('tree')
      await x.setup('mkdir', top, 0o755)
      await x.setup('create', `${top}/a`, 0o644)
      await x.setup('mkdir', `${top}/sub`, 0o755)
      await x.setup('create', `${top}/sub/b`, 0o644)
      await x.setup('symlink', 'a', `${top}/link`)
      const owner = `${x.other.uid},${x.other.gid}`
      for (const p of [top, `${top}/a`, `${top}/sub`, `${top}/sub/b`]) x.persists(owner, 'lstat', p, 'uid,gid')
      await x.expect(0, 'chown-R', top, `${x.other.uid}:${x.other.gid}`)
    },
  },
  {
    id: 'chown/non-root/file',
    title: 'the ordinary user may not give their file away: chown to another uid fails EPERM (POSIX)',
    needs: ['user'],
    async run(x) {
      const u = x.asUser()
      const f = await u.make('file')
      await u.expect('EPERM', 'lchown', f, x.other.uid, x.other.gid)
    },
  },
  {
    id: 'chown/new-owner/root',
    title: 'a file root creates is owned by 0:0',
    needs: ['root'],
    async run(x) {
      const f = await x.make('file')
      await x.expect('0,0', 'lstat', f, 'uid,gid')
    },
  },
  {
    id: 'chown/new-owner/user',
    title: 'a file the ordinary user creates is owned by their uid:gid',
    needs: ['user'],
    async run(x) {
      const u = x.asUser()
      const f = await u.make('file')
      await u.expect(`${x.user.uid},${x.user.gid}`, 'lstat', f, 'uid,gid')
    },
  },
  {
    id: 'chown/host-stored/file',
    title: 'after a chown the guest saw succeed, the host keeps the new owner somewhere (real owner, user.virtfs.* xattrs or .virtfs_metadata)',
    needs: ['root', 'host'],
    async run(x) {
      const f = await x.make('file')
      const chown = await x.attempt('lchown', f, x.other.uid, x.other.gid)
      if (!chown.ok) x.skip(`chown itself failed (${chown.errno}): nothing was claimed, nothing to find on the host`)
      const host = await x.recordHost(f)
      const stored = [
        host?.uid === x.other.uid && host.gid === x.other.gid ? 'real owner' : undefined,
        host?.virtfs?.uid === x.other.uid && host.virtfs.gid === x.other.gid ? 'user.virtfs.* xattrs' : undefined,
        host?.virtfsMetadata?.['virtfs.uid'] === String(x.other.uid) && host.virtfsMetadata['virtfs.gid'] === String(x.other.gid) ? '.virtfs_metadata' : undefined,
      ].filter(Boolean)
      x.note(`host keeps it in: ${stored.join(', ') || 'nowhere'}`)
      if (!stored.length) x.fail({ op: 'host-look', args: [f], wanted: `${x.other.uid},${x.other.gid}`, found: host ? `${host.uid},${host.gid}` : 'no answer', stage: 'host', class: 'silent' })
    },
  },
])
