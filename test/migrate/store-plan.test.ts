// limafs migrate's pure parts: QEMU's two stored forms byte for byte, the guest's view under
// each model, the plan (what changes, what can't be kept, what blocks it), the steps of a
// change, and which running VMs hold a dir.
import t from 'tap'
import type { TreeEntry } from '../../agent/worker/ops/tree.ts'
import { guestView, type Snapshot } from '../../provision/migrate/guest-view.ts'
import { exportsOf, holdersOf } from '../../provision/migrate/mounted.ts'
import { planMigration, sameState } from '../../provision/migrate/plan.ts'
import { fileFromMeta, majorMinor, makedev, metaFromFile, metaFromXattrs, modeOf, typeOfMode, xattrsFromMeta } from '../../provision/migrate/store.ts'
import { stepsFor } from '../../provision/migrate/transition.ts'

const hex = (s: string) => Buffer.from(s).toString('hex')
const AS_USER = { root: false, uid: 1000, gid: 1000, dirOwner: { uid: 1000, gid: 1000 } }
const AS_ROOT = { ...AS_USER, root: true, uid: 0, gid: 0 }

t.test("QEMU's stored forms: mapped-xattr's little-endian xattrs, mapped-file's decimal lines", async (t) => {
  // As QEMU 7.2 wrote them for a guest `touch f; chown 1234:5678 f; chmod 640 f` (seen on the testbed).
  t.strictSame(metaFromXattrs({ 'user.virtfs.uid': 'd2040000', 'user.virtfs.gid': '2e160000', 'user.virtfs.mode': 'a0810000' }), { uid: 1234, gid: 5678, mode: 0o100640 })
  t.strictSame(xattrsFromMeta({ uid: 1234, gid: 5678, mode: 0o100640, rdev: makedev(1, 3) }), { 'user.virtfs.uid': 'd2040000', 'user.virtfs.gid': '2e160000', 'user.virtfs.mode': 'a0810000', 'user.virtfs.rdev': '0301000000000000' })
  t.strictSame(metaFromXattrs({ 'user.virtfs.uid': 'd204' }), {}, 'a short value is not taken (QEMU reads 4 bytes)')
  t.equal(fileFromMeta({ uid: 0, gid: 0, mode: 0o120777 }), 'virtfs.uid=0\nvirtfs.gid=0\nvirtfs.mode=41471\n', 'a symlink: decimal, type bits included')
  t.strictSame(metaFromFile('virtfs.mode=8630\nvirtfs.rdev=259\ngarbage\n'), { mode: 0o20666, rdev: 259 }, 'read in any order, atoi')
  t.equal(typeOfMode(0o020666), 'char')
  t.equal(modeOf('symlink', 0o777), 0o120777)
  t.equal(makedev(1, 3), 259)
  t.equal(majorMinor(makedev(259, 70000)), '259:70000', 'large numbers round-trip')
})

const file = (e: Partial<TreeEntry>): TreeEntry => ({ type: 'file', mode: '0600', uid: 1000, gid: 1000, nlink: 1, ino: Math.floor(Math.random() * 1e9), xattrs: {}, ...e })
const x = (m: Parameters<typeof xattrsFromMeta>[0]) => xattrsFromMeta(m)

/** A tree as mapped-xattr leaves it on the host: a chowned file, a symlink, a fifo, a setgid dir, a device, a host-made file. */
function mappedXattrTree(): Snapshot {
  return {
    f: file({ xattrs: { ...x({ uid: 1234, gid: 5678, mode: 0o100640 }), 'user.keep': '6b' } }),
    l: file({ content: hex('target'), size: 6, xattrs: x({ uid: 0, gid: 0, mode: 0o120777 }) }),
    p: file({ size: 0, xattrs: x({ uid: 0, gid: 0, mode: 0o010640, rdev: 0 }) }),
    d: { ...file({ mode: '0700', xattrs: x({ uid: 0, gid: 0, mode: 0o042775 }) }), type: 'dir' },
    'd/dev': file({ xattrs: x({ uid: 0, gid: 0, mode: 0o020640, rdev: makedev(1, 3) }) }),
    host: file({ mode: '0644' }),
  }
}

t.test('the guest view under a model: the stored metadata over the host values', async (t) => {
  const v = guestView(mappedXattrTree(), 'mapped-xattr')
  t.match(v.get('f'), { type: 'file', uid: 1234, gid: 5678, perm: 0o640 })
  t.match(v.get('l'), { type: 'symlink', target: 'target' })
  t.match(v.get('d/dev'), { type: 'char', rdev: 259 })
  t.match(v.get('host'), { type: 'file', uid: 1000, perm: 0o644 }, 'a host-made file shows the host values')
  t.match(guestView(mappedXattrTree(), 'none').get('l'), { type: 'file', perm: 0o600 }, 'under none the same host files are what they are')
})

t.test('mapped-xattr to mapped-file: the metadata moves into .virtfs_metadata files, the xattrs go, host-made files stay', async (t) => {
  const plan = planMigration(mappedXattrTree(), 'mapped-xattr', 'mapped-file', AS_USER)
  const paths = plan.changes.map((c) => c.path)
  t.ok(paths.indexOf('.virtfs_metadata') < paths.indexOf('.virtfs_metadata/f'), 'the metadata dir first')
  t.ok(paths.indexOf('d/.virtfs_metadata') < paths.indexOf('d/.virtfs_metadata/dev'))
  const meta = plan.changes.find((c) => c.path === '.virtfs_metadata/l')!
  t.equal(Buffer.from(meta.after!.content!, 'hex').toString(), 'virtfs.uid=0\nvirtfs.gid=0\nvirtfs.mode=41471\n')
  t.match(meta.after, { perm: '0600', uid: 1000 })
  t.strictSame(plan.changes.find((c) => c.path === 'f')!.after!.virtfs, {}, "f's user.virtfs.* go (user.keep is not touched)")
  t.notOk(paths.includes('host') || paths.includes('.virtfs_metadata/host'), 'a host-made file needs nothing')
  t.ok(paths.indexOf('d') > paths.indexOf('.virtfs_metadata/f'), "a dir's own change after the files")
  t.strictSame([plan.lost, plan.conflicts], [[], []])
})

t.test('mapped-xattr to none as a user: real symlinks and fifos; owners, setgid and devices reported, not faked', async (t) => {
  const plan = planMigration(mappedXattrTree(), 'mapped-xattr', 'none', AS_USER)
  t.match(plan.changes.find((c) => c.path === 'l')!.after, { type: 'symlink', target: 'target', virtfs: {} })
  t.match(plan.changes.find((c) => c.path === 'p')!.after, { type: 'fifo', perm: '0640' })
  t.match(plan.changes.find((c) => c.path === 'd')!.after, { perm: '0775' }, 'setgid dropped with the owner')
  t.match(plan.lost.map((l) => `${l.path}: ${l.what}`), [/^d: owner 0:0/, /^d: the setgid bit/, /^d\/dev: a char device 1:3/, /^d\/dev: owner/, /^f: owner 1234:5678/, /^l: owner 0:0/, /^p: owner 0:0/])
  const root = planMigration(mappedXattrTree(), 'mapped-xattr', 'none', AS_ROOT)
  t.match(root.changes.find((c) => c.path === 'd')!.after, { perm: '2775', uid: 0 }, 'as root the owner and setgid are kept')
  t.match(root.lost, [{ path: 'd/dev', what: /device nodes are never made/ }], 'a device never')
})

t.test('from none to the mapped models: a real symlink becomes the regular file QEMU keeps; planted bookkeeping blocks it', async (t) => {
  const none: Snapshot = { s: { ...file({ mode: '0777' }), type: 'symlink', target: '../up' }, q: { ...file({ mode: '0644' }), type: 'fifo' } }
  const plan = planMigration(none, 'none', 'mapped-file', AS_USER)
  t.match(plan.changes.find((c) => c.path === 's')!.after, { type: 'file', content: hex('../up'), perm: '0600' })
  t.match(Buffer.from(plan.changes.find((c) => c.path === '.virtfs_metadata/q')!.after!.content!, 'hex').toString(), /virtfs.mode=4516\nvirtfs.rdev=0/)
  const planted: Snapshot = { f: file({ xattrs: x({ uid: 0, mode: 0o104755 }) }), '.virtfs_metadata': { ...file({}), type: 'dir' }, '.virtfs_metadata/f': file({}) }
  t.match(planMigration(planted, 'none', 'mapped-xattr', AS_USER).conflicts, [{ path: 'f', what: /as plain data: mapped-xattr would read them as owner/ }])
  t.match(planMigration(planted, 'none', 'mapped-file', AS_USER).conflicts, [{ path: '.virtfs_metadata', what: /mapped-file would hide it/ }])
})

t.test('from mapped-file: its bookkeeping goes, files before dirs', async (t) => {
  const mf: Snapshot = {
    f: file({}), '.virtfs_metadata': { ...file({ mode: '0700' }), type: 'dir' },
    '.virtfs_metadata/f': file({ content: hex('virtfs.uid=1234\nvirtfs.gid=5678\nvirtfs.mode=33184\n') }),
  }
  const plan = planMigration(mf, 'mapped-file', 'mapped-xattr', AS_USER)
  t.strictSame(plan.changes.map((c) => [c.path, c.after === null]), [['f', false], ['.virtfs_metadata/f', true], ['.virtfs_metadata', true]])
  t.strictSame(plan.changes[0]!.after!.virtfs, x({ uid: 1234, gid: 5678, mode: 0o100640 }))
})

t.test("a change's steps: check first, then make, owner, xattrs, mode; undo is the same function the other way", async (t) => {
  const before = { type: 'file' as const, perm: '0600', uid: 1000, gid: 1000, virtfs: x({ mode: 0o120777 }), content: hex('t'), ino: 7 }
  const after = { type: 'symlink' as const, perm: '0777', uid: 1000, gid: 1000, virtfs: {}, target: 't' }
  t.strictSame(stepsFor('l', before, after), [['check', 'l', 7, 'file'], ['unlink', 'l'], ['symlink', 'l', 't'], ['chown', 'l', 1000, 1000]])
  t.strictSame(stepsFor('l', { ...after, ino: 9 }, before), [
    ['check', 'l', 9, 'symlink'], ['unlink', 'l'], ['write', 'l', hex('t'), 0o600], ['chown', 'l', 1000, 1000], ['setxattr', 'l', 'user.virtfs.mode', 'ffa10000'], ['chmod', 'l', 0o600],
  ])
  t.strictSame(stepsFor('m', null, { type: 'file', perm: '0600', uid: 1, gid: 1, virtfs: {}, content: '' }), [['check', 'm', null, null], ['write', 'm', '', 0o600], ['chown', 'm', 1, 1], ['chmod', 'm', 0o600]])
  t.ok(sameState({ ...after, ino: 1, perm: '0777' }, after), 'the inode is not a state')
  t.throws(() => stepsFor('c', null, { type: 'char', perm: '0600', uid: 0, gid: 0, virtfs: {} }), /refusing to make a char/)
})

t.test('a VM holds a dir when it exports it, a dir above it or one inside it; read-only exports and other dirs do not count', async (t) => {
  const qemu = { pid: 1, argv: ['/usr/bin/qemu-system-x86_64', '-virtfs', 'local,path=/,mount_tag=hostroot,readonly=on', '-fsdev', 'local,id=a,path=/srv/share,security_model=mapped-xattr'] }
  const virtiofsd = { pid: 2, argv: ['/usr/lib/qemu/virtiofsd', '--socket-path=/x.sock', '-o', 'source=/data/proj/sub'] }
  const rust = { pid: 3, argv: ['virtiofsd', '--shared-dir', '/home/me'] }
  const other = { pid: 4, argv: ['vim', 'path=/srv/share/x'] }
  t.strictSame(exportsOf(qemu.argv), ['/srv/share'])
  t.strictSame(holdersOf('/srv/share/proj', [qemu, virtiofsd, rust, other], []).map((h) => h.who), ['QEMU pid 1'], 'a dir above')
  t.strictSame(holdersOf('/data/proj', [qemu, virtiofsd, rust], []).map((h) => h.who), ['virtiofsd pid 2'], 'a dir inside')
  t.strictSame(holdersOf('/home/me', [rust], [{ instance: 'default', location: '/home/me' }]).map((h) => h.who), ['virtiofsd pid 3', 'Lima instance default'])
  t.strictSame(holdersOf('/elsewhere', [qemu, virtiofsd, rust, other], []), [], 'the read-only root export does not count')
})
