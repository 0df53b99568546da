// The initramfs archive writer: newc headers read back field by field, then the archive extracted
// by a real cpio (the host's cpio, bsdtar or busybox cpio, whichever is installed).
import { lstatSync, readFileSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { writeCpio, type CpioEntry } from '../../provision/testbed/cpio.ts'

interface NewcEntry {
  offset: number
  ino: number
  mode: number
  uid: number
  gid: number
  nlink: number
  mtime: number
  name: string
  data: Buffer
}

/** A newc reader written from the format's description (070701, 13 hex fields, name, pads to 4). */
function readNewc(archive: Buffer): NewcEntry[] {
  const entries: NewcEntry[] = []
  let at = 0
  for (;;) {
    const magic = archive.toString('latin1', at, at + 6)
    if (magic !== '070701') throw new Error(`bad magic ${JSON.stringify(magic)} at ${at}`)
    const field = (i: number) => Number.parseInt(archive.toString('latin1', at + 6 + i * 8, at + 14 + i * 8), 16)
    const nameSize = field(11)
    const fileSize = field(6)
    const nameStart = at + 110
    const name = archive.toString('latin1', nameStart, nameStart + nameSize - 1)
    if (archive[nameStart + nameSize - 1] !== 0) throw new Error(`name of ${name} is not NUL-terminated`)
    const dataStart = Math.ceil((nameStart + nameSize) / 4) * 4
    entries.push({ offset: at, ino: field(0), mode: field(1), uid: field(2), gid: field(3), nlink: field(4), mtime: field(5), name, data: archive.subarray(dataStart, dataStart + fileSize) })
    at = Math.ceil((dataStart + fileSize) / 4) * 4
    if (name === 'TRAILER!!!') return entries
  }
}

const ENTRIES: CpioEntry[] = [
  { path: '/bin', mode: 0o040755 },
  { path: 'init', mode: 0o100755, data: Buffer.from('#!/bin/busybox sh\necho hi\n') },
  { path: 'bin/key', mode: 0o100600, data: Buffer.from('secret!') },
  { path: 'bin/empty', mode: 0o100644, data: Buffer.alloc(0) },
  { path: 'bin/sh', mode: 0o120777, data: Buffer.from('busybox') },
  { path: 'bin/blob', mode: 0o100644, data: Buffer.from(Array.from({ length: 1021 }, (_, i) => i % 251)) },
]

t.test('writeCpio writes one newc header per entry, in order, with the given mode and root owner', async (t) => {
  const archive = writeCpio(ENTRIES)
  const read = readNewc(archive)
  t.strictSame(read.map((e) => e.name), ['bin', 'init', 'bin/key', 'bin/empty', 'bin/sh', 'bin/blob', 'TRAILER!!!'], 'names, leading slash dropped, TRAILER!!! last')
  for (const [i, want] of ENTRIES.entries()) {
    const got = read[i]!
    t.equal(got.mode.toString(8), want.mode.toString(8), `${want.path}: mode`)
    t.equal(got.data.length, want.data?.length ?? 0, `${want.path}: size`)
    t.ok(got.data.equals(want.data ?? Buffer.alloc(0)), `${want.path}: content (a symlink's is its target)`)
    t.match(got, { uid: 0, gid: 0, mtime: 0, ino: i + 1 }, `${want.path}: root-owned, mtime 0, its own inode`)
    t.equal(got.nlink, want.mode === 0o040755 ? 2 : 1, `${want.path}: link count`)
  }
  const trailer = read.at(-1)!
  t.match(trailer, { ino: 0, mode: 0, nlink: 1 })
  t.equal(trailer.data.length, 0)
})

t.test('writeCpio pads every header and every file body to 4 bytes, the archive included', async (t) => {
  const archive = writeCpio(ENTRIES)
  for (const e of readNewc(archive)) {
    t.equal(e.offset % 4, 0, `${e.name}: header at a multiple of 4`)
    t.equal((e.data.byteOffset - archive.byteOffset) % 4, 0, `${e.name}: body at a multiple of 4`)
  }
  t.equal(archive.length % 4, 0, 'the archive ends on a 4-byte boundary')
  const last = readNewc(archive).at(-1)!
  t.equal(archive.length, Math.ceil((last.offset + 110 + 'TRAILER!!!\0'.length) / 4) * 4, 'nothing after the trailer but its padding')
})

t.test('writeCpio is reproducible: the same entries give the same bytes', async (t) => {
  t.ok(writeCpio(ENTRIES).equals(writeCpio(ENTRIES)))
  t.notOk(writeCpio(ENTRIES).equals(writeCpio(ENTRIES.slice(1))), 'different entries, different bytes')
})

/** The first cpio extractor on this host (reading the archive on stdin), or undefined. */
async function extractor(): Promise<{ file: string; args: string[] } | undefined> {
  const candidates: Array<{ file: string; probe: string[]; args: string[] }> = [
    { file: 'cpio', probe: ['--version'], args: ['-idm', '--quiet'] },
    { file: 'bsdtar', probe: ['--version'], args: ['-xf', '-'] },
    { file: 'busybox', probe: ['cpio', '--help'], args: ['cpio', '-idm'] },
  ]
  for (const c of candidates) {
    if ((await execa(c.file, c.probe, { reject: false })).exitCode === 0) return { file: c.file, args: c.args }
  }
  return undefined
}

t.test('an archive from writeCpio extracts with a real cpio to the same files, modes and symlink', async (t) => {
  const tool = await extractor()
  if (!tool) {
    t.pass('extracted with a real cpio', { skip: 'no cpio, bsdtar or busybox on this host to extract with (the header tests above still ran)' })
    return
  }
  const dir = t.testdir({})
  const result = await execa(tool.file, tool.args, { cwd: dir, input: writeCpio(ENTRIES), reject: false })
  t.equal(result.exitCode, 0, `${[tool.file, ...tool.args].join(' ')} extracts it (stderr: ${JSON.stringify(result.stderr.trim())})`)
  t.ok(lstatSync(join(dir, 'bin')).isDirectory(), 'bin is a directory')
  t.equal(lstatSync(join(dir, 'init')).mode & 0o7777, 0o755, 'init is 0755')
  t.equal(readFileSync(join(dir, 'init'), 'utf8'), '#!/bin/busybox sh\necho hi\n')
  t.equal(lstatSync(join(dir, 'bin/key')).mode & 0o7777, 0o600, 'the key stays 0600')
  t.equal(readFileSync(join(dir, 'bin/key'), 'utf8'), 'secret!')
  t.equal(lstatSync(join(dir, 'bin/empty')).size, 0)
  t.ok(lstatSync(join(dir, 'bin/sh')).isSymbolicLink(), 'bin/sh is a symlink')
  t.equal(readlinkSync(join(dir, 'bin/sh')), 'busybox')
  t.ok(readFileSync(join(dir, 'bin/blob')).equals(ENTRIES[5]!.data!), 'a body of odd length survives its padding')
})
