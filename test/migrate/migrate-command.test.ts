// `limafs migrate` on a local dir (no VM), run as a user runs it: usage errors, a dry run that
// changes nothing, --apply then --undo back to the very same bytes, symlinks out of the dir
// never followed, and the refusal while a (stand-in) QEMU exports the dir.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { limafs } from '../helpers/testbed.ts'

t.setTimeout(0)
const isRoot = process.getuid?.() === 0

/** A dir on disk (user.* xattrs; tmpfs before Linux 6.6 has none), removed at the end. */
function workDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync('/var/tmp/limafs-migrate-test-')
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Every entry below dir, byte for byte: type, mode, owner, xattrs, content or link target (python3, never following a symlink). */
async function hostBytes(dir: string): Promise<string> {
  const script = String.raw`
import os, sys, stat
root = sys.argv[1]
for base, dirs, files in os.walk(root):
    dirs.sort()
    for n in sorted(dirs + files):
        p = os.path.join(base, n)
        st = os.lstat(p)
        x = {a: os.getxattr(p, a, follow_symlinks=False).hex() for a in sorted(os.listxattr(p, follow_symlinks=False))}
        c = os.readlink(p) if stat.S_ISLNK(st.st_mode) else open(p, 'rb').read().hex() if stat.S_ISREG(st.st_mode) else ''
        print(os.path.relpath(p, root), oct(st.st_mode), st.st_uid, st.st_gid, st.st_nlink, x, c)
`
  return (await execa('python3', ['-c', script, dir])).stdout
}

/** What a guest under mapped-xattr left: a chowned file, a symlink, a fifo, a setuid file, a dir, and a host symlink leading out. */
async function mappedXattrTree(dir: string, outside: string): Promise<void> {
  const script = String.raw`
import os, struct, sys
d = sys.argv[1]
le = lambda n: struct.pack('<I', n)
def meta(p, uid, gid, mode, rdev=None):
    os.setxattr(p, 'user.virtfs.uid', le(uid)); os.setxattr(p, 'user.virtfs.gid', le(gid)); os.setxattr(p, 'user.virtfs.mode', le(mode))
    if rdev is not None: os.setxattr(p, 'user.virtfs.rdev', struct.pack('<Q', rdev))
def f(name, content=b''):
    p = os.path.join(d, name); open(p, 'wb').write(content); os.chmod(p, 0o600); return p
meta(f('file', b'data\n'), 1234, 5678, 0o100640); os.setxattr(os.path.join(d, 'file'), 'user.keep', b'k')
meta(f('link', b'file'), 0, 0, 0o120777)
meta(f('fifo'), 0, 0, 0o010640, 0)
meta(f('setuid', b'#!/bin/sh\n'), 0, 0, 0o104755)
os.mkdir(os.path.join(d, 'sub'), 0o700); meta(os.path.join(d, 'sub'), 1234, 5678, 0o042775)
meta(f('sub/inner', b'in\n'), 1234, 5678, 0o100644)
`
  await execa('python3', ['-c', script, dir])
  symlinkSync(outside, join(dir, 'out'))
}

t.test('usage errors exit 64 and say what was wrong', async (t) => {
  const dir = workDir(t)
  const table: Array<[string, string[], RegExp]> = [
    ['no --from', ['migrate', '--to', 'none', dir], /needs --from MODEL/],
    ['an unknown model', ['migrate', '--from', 'mapped', '--to', 'none', dir], /--from: unknown model "mapped"; one of none, mapped-xattr, mapped-file, virtiofs/],
    ['the same model twice', ['migrate', '--from', 'none', '--to', 'none', dir], /both none: nothing to convert/],
    ['no dir', ['migrate', '--from', 'none', '--to', 'mapped-file'], /takes one DIR/],
    ['a dir that is not there', ['migrate', '--from', 'none', '--to', 'mapped-file', join(dir, 'nope')], /not a directory/],
    ['a manifest inside the dir', ['migrate', '--from', 'none', '--to', 'mapped-file', dir, '--manifest', join(dir, 'm.json')], /is inside .*: it would become part of the share/],
    ['--undo with a dir', ['migrate', '--undo', join(dir, 'm.json'), dir], /--undo MANIFEST takes the dir and the models from the manifest/],
    ['--undo of a file that is no manifest', ['migrate', '--undo', '/etc/hostname'], /not a manifest of limafs migrate/],
  ]
  for (const [name, args, message] of table) {
    const r = await limafs(args)
    t.equal(r.exitCode, 64, `${name}: exit 64`)
    t.match(r.stderr, message, `${name}: says so`)
  }
})

t.test('mapped-xattr -> mapped-file -> back: the dry run changes nothing, --apply converts, --undo restores every byte; nothing outside is touched', { skip: isRoot ? false : 'needs root (the tree has other owners)' }, async (t) => {
  const work = workDir(t)
  const dir = join(work, 'share')
  const outside = join(work, 'outside')
  mkdirSync(dir)
  mkdirSync(outside)
  writeFileSync(join(outside, 'secret'), 'outside\n')
  await mappedXattrTree(dir, outside)
  const original = await hostBytes(dir)
  const outsideBefore = await hostBytes(outside)

  const dry = await limafs(['migrate', '--from', 'mapped-xattr', '--to', 'mapped-file', dir])
  t.equal(dry.exitCode, 0, 'the dry run exits 0', { stderr: dry.stderr })
  t.match(dry.stdout, /from mapped-xattr to mapped-file: 7 entries the guest sees, \d+ changes \(dry run: nothing changed; --apply to change\)/)
  t.match(dry.stdout, /\.virtfs_metadata\/link: mapped-file's metadata: owner 0:0, mode 120777/)
  t.match(dry.stdout, /checked that no running QEMU or virtiofsd exports it/)
  t.equal(await hostBytes(dir), original, 'the dry run changed nothing')

  const manifest = join(work, 'm.json')
  const applied = await limafs(['migrate', '--from', 'mapped-xattr', '--to', 'mapped-file', dir, '--apply', '--manifest', manifest])
  t.equal(applied.exitCode, 0, '--apply exits 0', { stdout: applied.stdout, stderr: applied.stderr })
  t.match(applied.stdout, /applied \d+ changes; under mapped-file the guest sees what it saw under mapped-xattr \(7 entries checked\)/, 'and checked the guest view')
  const converted = await hostBytes(dir)
  t.match(converted, /^\.virtfs_metadata\/link 0o100600 \d+ \d+ 1 \{\} 7669727466732e7569643d300a/m, 'the symlink\'s metadata in a 0600 file, decimal lines')
  t.notMatch(converted, /user\.virtfs/, 'no user.virtfs.* xattr left')
  t.match(converted, /^file .*'user\.keep': '6b'/m, 'other xattrs kept')

  const undoDry = await limafs(['migrate', '--undo', manifest])
  t.equal(undoDry.exitCode, 0)
  t.equal(await hostBytes(dir), converted, 'the undo dry run changed nothing')
  const undone = await limafs(['migrate', '--undo', manifest, '--apply'])
  t.equal(undone.exitCode, 0, '--undo --apply exits 0', { stdout: undone.stdout })
  t.equal(await hostBytes(dir), original, 'every byte as before: types, modes, owners, xattrs, contents')
  const again = await limafs(['migrate', '--undo', manifest, '--apply'])
  t.match(again.stdout, /0 changes to put back, \d+ never made \(or undone already\)/, 'a second undo has nothing to do')

  const toNone = await limafs(['migrate', '--from', 'mapped-xattr', '--to', 'none', dir, '--apply', '--manifest', join(work, 'm2.json')])
  t.equal(toNone.exitCode, 0, 'to none exits 0', { stdout: toNone.stdout })
  const real = await hostBytes(dir)
  t.match(real, /^link 0o120777 .* file$/m, 'a real symlink')
  t.match(real, /^fifo 0o10640 /m, 'a real fifo')
  t.match(real, /^setuid 0o104755 0 0 /m, 'as root, the setuid root file is real')
  t.equal(await hostBytes(outside), outsideBefore, 'the dir the symlink `out` leads to is untouched throughout')
})

t.test('a dir a running VM exports (or one above it) is refused with exit 2, naming the process; nothing changes', async (t) => {
  const work = workDir(t)
  const dir = join(work, 'share', 'project')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'f'), 'x')
  // A stand-in QEMU: python3 under QEMU's name, its command line exporting the dir's parent.
  const bin = join(work, 'qemu-system-x86_64')
  symlinkSync((await execa('python3', ['-c', 'import sys; print(sys.executable)'])).stdout.trim(), bin)
  const vm = execa(bin, ['-c', 'import time; time.sleep(120)', '-fsdev', `local,id=s,path=${join(work, 'share')},security_model=mapped-xattr`], { reject: false })
  t.teardown(() => vm.kill('SIGKILL'))
  await new Promise((r) => setTimeout(r, 300))
  const before = await hostBytes(dir)
  const r = await limafs(['migrate', '--from', 'mapped-xattr', '--to', 'mapped-file', dir, '--apply', '--manifest', join(work, 'm.json')])
  t.equal(r.exitCode, 2, 'exit 2')
  t.match(r.stderr, new RegExp(`shared into a running VM: QEMU pid ${vm.pid} exports ${join(work, 'share')}`), 'names the process and the export')
  t.match(r.stderr, /stop the VM/, 'and what to do')
  t.equal(await hostBytes(dir), before, 'nothing changed')
})
