// `limafs migrate` on the testbed, end to end, sharing one booted guest: a tree made through
// mapped-xattr's sibling share and one made through mapped-file's (owners, modes, setuid,
// setgid, symlinks to a file, a dir and nowhere, a fifo, a device node, a hard link, a user.*
// xattr, a dot-file), looked at by the guest; refused while the VM runs; the VM stopped; a dry
// run that changes nothing; each tree converted to the other model; the VM started again; each
// tree seen through the OTHER model's sibling share exactly as the guest saw it before, point
// by point. All sibling shares are one host dir, so the same host files are behind both.
import { chmodSync, mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import t, { type Test } from 'tap'
import { bringDown, limafs } from '../helpers/testbed.ts'

t.setTimeout(0)
const NAME = `t-migrate-${process.pid}`
const TMP = mkdtempSync('/var/tmp/limafs-test-migrate-')
chmodSync(TMP, 0o755)
const RUN = join(TMP, 'run')
const SIBLING = join(RUN, 'sibling')
const QEMU_MISSING = (await execa('qemu-system-x86_64', ['--version'], { reject: false })).exitCode !== 0
const SKIP = QEMU_MISSING ? 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)' : process.getuid?.() !== 0 ? 'needs root (the trees have other owners)' : false
const TIMEOUT = 300_000

const testbed = (sub: string, ...args: string[]) => limafs(['testbed', sub, '--name', NAME, '--run-dir', RUN, ...args], { timeoutMs: TIMEOUT })
const guest = (...command: string[]) => limafs(['testbed', 'exec', '--name', NAME, '--run-dir', RUN, '--', ...command], { timeoutMs: TIMEOUT })
/** A python3 program run in the guest, given on stdin. */
const guestPy = (program: string, ...args: string[]) => limafs(['testbed', 'exec', '--name', NAME, '--run-dir', RUN, '--', 'python3', '-', ...args], { timeoutMs: TIMEOUT, input: program })
const migrate = (...args: string[]) => limafs(['migrate', ...args], { timeoutMs: TIMEOUT })
const through = (config: string) => `/mnt/limafs-sibling/${config}`
const XATTR = '9p-mapped-xattr-mmap'
const FILE = '9p-mapped-file-mmap'

/** The tree, made by root in the guest (python3: the guest's root is the host's /). */
const MAKE = String.raw`
import os, sys
d = sys.argv[1]
os.mkdir(d); os.chdir(d)
open('file', 'w').write('data\n'); os.chown('file', 1234, 5678); os.chmod('file', 0o640); os.setxattr('file', 'user.keep', b'kept')
open('setuid', 'w').write('#!/bin/sh\n'); os.chown('setuid', 0, 0); os.chmod('setuid', 0o4755)
os.mkdir('sub'); os.chown('sub', 1234, 5678); os.chmod('sub', 0o2775); open('sub/inner', 'w').write('in\n')
os.symlink('file', 'link'); os.chown('link', 1234, 5678, follow_symlinks=False)
os.symlink('sub', 'link-dir'); os.symlink('nowhere', 'dangling')
os.mkfifo('fifo', 0o640); os.mknod('device', 0o20640, os.makedev(1, 3))
os.link('file', 'hardlink'); open('.dot', 'w').write('dot\n')
`

/** What the guest sees of a tree: per entry, each property (python3, after drop_caches). */
const LOOK = String.raw`
import os, stat, sys, json
d = sys.argv[1]; out = {}
for base, dirs, files in os.walk(d):
    for n in dirs + files:
        p = os.path.join(base, n); st = os.lstat(p); rel = os.path.relpath(p, d)
        e = {'type': stat.S_IFMT(st.st_mode), 'mode': oct(stat.S_IMODE(st.st_mode)), 'owner': '%d:%d' % (st.st_uid, st.st_gid)}
        # A file's hard links; a dir's nlink counts its subdirs, mapped-file's hidden .virtfs_metadata among them.
        if not stat.S_ISDIR(st.st_mode): e['nlink'] = st.st_nlink
        if stat.S_ISLNK(st.st_mode): e['target'] = os.readlink(p)
        if stat.S_ISCHR(st.st_mode): e['rdev'] = '%d:%d' % (os.major(st.st_rdev), os.minor(st.st_rdev))
        if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode): e['xattrs'] = {x: os.getxattr(p, x).hex() for x in sorted(os.listxattr(p))}
        if stat.S_ISREG(st.st_mode): e['content'] = open(p).read()
        out[rel] = e
print(json.dumps(out, sort_keys=True))
`

/** What the host has under the sibling dir, byte for byte (types, modes, owners, xattrs, contents). */
async function hostBytes(): Promise<string> {
  const script = String.raw`
import os, sys, stat
for base, dirs, files in os.walk(sys.argv[1]):
    dirs.sort()
    for n in sorted(dirs + files):
        p = os.path.join(base, n); st = os.lstat(p)
        x = {a: os.getxattr(p, a, follow_symlinks=False).hex() for a in sorted(os.listxattr(p, follow_symlinks=False))}
        c = os.readlink(p) if stat.S_ISLNK(st.st_mode) else open(p, 'rb').read().hex() if stat.S_ISREG(st.st_mode) else ''
        print(os.path.relpath(p, sys.argv[1]), oct(st.st_mode), st.st_uid, st.st_gid, st.st_nlink, x, c)
`
  return (await execa('python3', ['-c', script, SIBLING])).stdout
}

type View = Record<string, Record<string, unknown>>
async function look(dir: string): Promise<View> {
  await guest('sh', '-c', 'echo 3 > /proc/sys/vm/drop_caches')
  const r = await guestPy(LOOK, dir)
  if (r.exitCode !== 0) throw new Error(`looking at ${dir} in the guest failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as View
}

/** Point by point: every entry and property the guest saw before, seen the same now. */
function samePoints(t: Test, label: string, before: View, after: View): void {
  t.strictSame(Object.keys(after).sort(), Object.keys(before).sort(), `${label}: the same entries (no bookkeeping shows, nothing lost)`)
  for (const [rel, props] of Object.entries(before)) {
    for (const [prop, value] of Object.entries(props)) t.strictSame(after[rel]?.[prop], value, `${label}: ${rel} ${prop}`)
  }
}

let up: Awaited<ReturnType<typeof testbed>> | undefined
t.before(async () => {
  if (!SKIP) up = await testbed('up', '--siblings')
})
t.teardown(() => bringDown(RUN, TMP, () => testbed('down')))

t.test('a mapped-xattr tree read through mapped-file after limafs migrate, and a mapped-file tree through mapped-xattr, as the guest saw them (symlinks and setuid included); the dry run changes nothing', { skip: SKIP }, async (t) => {
  t.equal(up?.exitCode, 0, 'the testbed is up with sibling shares', { stderr: up?.stderr })
  for (const dir of [`${through(XATTR)}/x2f`, `${through(FILE)}/f2x`]) {
    const made = await guestPy(MAKE, dir)
    t.equal(made.exitCode, 0, `${dir}: the tree made in the guest`, { stderr: made.stderr })
  }
  const x2f = await look(`${through(XATTR)}/x2f`)
  const f2x = await look(`${through(FILE)}/f2x`)
  t.match(x2f, { setuid: { mode: '0o4755', owner: '0:0' }, link: { target: 'file', owner: '1234:5678' }, sub: { mode: '0o2775' }, device: { rdev: '1:3' }, file: { xattrs: { 'user.keep': Buffer.from('kept').toString('hex') } } }, 'mapped-xattr kept everything the tree has')
  t.match(f2x, { setuid: { mode: '0o4755', owner: '0:0' }, link: { target: 'file' }, fifo: { mode: '0o640' } }, 'so did mapped-file')
  const before = await look(`${through(FILE)}/x2f`)
  t.not(before.link?.type, x2f.link?.type, 'unconverted, mapped-file shows the mapped-xattr symlink as something else (the silent loss the suite measures)')

  const refused = await migrate('--from', 'mapped-xattr', '--to', 'mapped-file', join(SIBLING, 'x2f'), '--apply', '--manifest', join(TMP, 'refused.json'))
  t.equal(refused.exitCode, 2, 'while the VM runs: refused, exit 2')
  t.match(refused.stderr, new RegExp(`shared into a running VM: .*QEMU pid \\d+ exports ${SIBLING}(;|$)`, 'm'), 'naming QEMU and the export')

  const stopped = await testbed('stop')
  t.equal(stopped.exitCode, 0, 'testbed stop', { stderr: stopped.stderr })
  const host = await hostBytes()
  for (const [tree, from, to] of [['x2f', 'mapped-xattr', 'mapped-file'], ['f2x', 'mapped-file', 'mapped-xattr']] as const) {
    const dry = await migrate('--from', from, '--to', to, join(SIBLING, tree))
    t.equal(dry.exitCode, 0, `${tree}: the dry run exits 0`, { stdout: dry.stdout, stderr: dry.stderr })
    t.match(dry.stdout, /\d+ changes \(dry run: nothing changed/, `${tree}: it lists the changes`)
  }
  t.equal(await hostBytes(), host, 'the dry runs changed nothing on the host')
  for (const [tree, from, to] of [['x2f', 'mapped-xattr', 'mapped-file'], ['f2x', 'mapped-file', 'mapped-xattr']] as const) {
    const applied = await migrate('--from', from, '--to', to, join(SIBLING, tree), '--apply', '--manifest', join(TMP, `${tree}.json`))
    t.equal(applied.exitCode, 0, `${tree}: --apply exits 0`, { stdout: applied.stdout, stderr: applied.stderr })
    t.match(applied.stdout, new RegExp(`under ${to} the guest sees what it saw under ${from}`), `${tree}: and checked that on the host`)
  }
  const started = await testbed('start')
  t.equal(started.exitCode, 0, 'testbed start', { stderr: started.stderr })
  samePoints(t, 'x2f through mapped-file', x2f, await look(`${through(FILE)}/x2f`))
  samePoints(t, 'f2x through mapped-xattr', f2x, await look(`${through(XATTR)}/f2x`))
})
