// Modes and special files: chmod persistence, setuid/setgid and what clears them, umask,
// mode 0000, rename and hard links keeping owner and mode, mkfifo and mknod.
import { PERSIST_STAGES, suite } from '../../agent/check-api.ts'

export default suite('modes', 'Modes and special files: chmod, setuid/setgid, umask, rename, links, fifos, device nodes', [
  {
    id: 'modes/chmod-{stage}/file',
    title: 'chmod 0640 on a file: the call, then the mode {stage}',
    stages: PERSIST_STAGES,
    async run(x) {
      const f = await x.make('file')
      x.persists('0640', 'lstat', f, 'mode')
      await x.expect(0, 'chmod', f, 0o640)
    },
  },
  {
    id: 'modes/chmod-{stage}/dir',
    title: 'chmod 0750 on a directory: the call, then the mode {stage}',
    stages: PERSIST_STAGES,
    async run(x) {
      const d = await x.make('dir')
      x.persists('0750', 'lstat', d, 'mode')
      await x.expect(0, 'chmod', d, 0o750)
    },
  },
  {
    id: 'modes/setuid/file',
    title: 'chmod 4755 sets the setuid bit',
    async run(x) {
      const f = await x.make('file')
      await x.expect(0, 'chmod', f, 0o4755)
      await x.expect('4755', 'lstat', f, 'mode')
    },
  },
  {
    id: 'modes/setgid/dir',
    title: 'chmod 2775 sets the setgid bit on a directory',
    async run(x) {
      const d = await x.make('dir')
      await x.expect(0, 'chmod', d, 0o2775)
      await x.expect('2775', 'lstat', d, 'mode')
    },
  },
  {
    id: 'modes/chown-clears-setuid/file',
    title: 'chown of a setuid file clears the setuid bit (Linux)',
    needs: ['root'],
    async run(x) {
      const f = await x.make('file')
      await x.setup('chmod', f, 0o4755)
      await x.expect(0, 'lchown', f, x.other.uid, x.other.gid)
      await x.expect('0755', 'lstat', f, 'mode')
    },
  },
  {
    id: 'modes/write-clears-setuid/file',
    title: 'a write by the owner (not root) clears the setuid bit',
    needs: ['user'],
    async run(x) {
      const u = x.asUser()
      const f = await u.make('file')
      await u.setup('chmod', f, 0o4755)
      await u.expect(0, 'write', f, 'changed\n')
      await u.expect('0755', 'lstat', f, 'mode')
    },
  },
  {
    id: 'modes/umask/file',
    title: 'a new file gets its mode through the umask (0666 & ~027 = 0640)',
    async run(x) {
      const f = x.path('file')
      await x.expect(0, 'umask-create', f, 0o027, 0o666)
      await x.expect('0640', 'lstat', f, 'mode')
    },
  },
  {
    id: 'modes/zero/root-reads',
    title: 'root reads a file of mode 0000',
    needs: ['root'],
    async run(x) {
      const f = await x.make('file')
      await x.setup('write', f, 'secret\n')
      await x.setup('chmod', f, 0)
      await x.expect('secret\n', 'read', f)
    },
  },
  {
    id: 'modes/user-denied/file',
    title: 'the ordinary user can\'t read root\'s mode-0600 file (EACCES)',
    needs: ['user'],
    async run(x) {
      const f = await x.make('file')
      await x.setup('write', f, 'secret\n')
      await x.setup('chmod', f, 0o600)
      await x.asUser().expect('EACCES', 'read', f)
    },
  },
  {
    id: 'modes/rename-keeps/file',
    title: 'rename keeps the owner and mode',
    needs: ['root'],
    async run(x) {
      const f = await x.make('file')
      await x.setup('chmod', f, 0o640)
      await x.setup('lchown', f, x.other.uid, x.other.gid)
      const to = x.path('renamed')
      await x.expect(0, 'rename', f, to)
      await x.expect(`${x.other.uid},${x.other.gid},0640`, 'lstat', to, 'uid,gid,mode')
    },
  },
  {
    id: 'modes/hardlink-keeps/file',
    title: 'a hard link shows the same owner and mode, and a link count of 2',
    needs: ['root'],
    async run(x) {
      const f = await x.make('file')
      await x.setup('chmod', f, 0o640)
      await x.setup('lchown', f, x.other.uid, x.other.gid)
      const link = x.path('link')
      await x.expect(0, 'link', f, link)
      await x.expect(`${x.other.uid},${x.other.gid},0640,2`, 'lstat', link, 'uid,gid,mode,nlink')
    },
  },
  {
    id: 'modes/mkfifo/fifo',
    title: 'mkfifo makes a fifo',
    async run(x) {
      const f = x.path('fifo')
      await x.expect(0, 'mkfifo', f, 0o644)
      await x.expect('fifo', 'lstat', f, 'type')
    },
  },
  {
    id: 'modes/mknod/char',
    title: 'mknod makes a character device node (1,3)',
    needs: ['root'],
    async run(x) {
      const f = x.path('null')
      await x.expect(0, 'mknod', f, 0o644, 'c', 1, 3)
      await x.expect('char', 'lstat', f, 'type')
    },
  },
])
