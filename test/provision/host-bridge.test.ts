import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { look, serve } from '../../provision/host-bridge/serve.ts'
import { BridgeServer } from '../../provision/host-bridge/server.ts'
import { MAX_PAYLOAD_BYTES, validateRequest } from '../../provision/host-bridge/validate.ts'

const shareDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'limafs-bridge-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
const sharesOf = (hostDir: string) => ({ hostDirFor: (m: string) => (m === '/mnt/limafs/x' ? hostDir : undefined) })
const req = (verb: string, path: unknown, args?: Record<string, unknown>) => ({ id: 1, verb, mount: '/mnt/limafs/x', path, ...(args ? { args } : {}) })

t.test('requests that would act outside the share are refused before anything runs', async (t) => {
  const shares = sharesOf('/srv/share')
  const refused: Array<[string, unknown, RegExp]> = [
    ['an absolute path', req('look', '/etc/passwd'), /not a relative path inside the share/],
    ['a path with ..', req('write', 'a/../../etc/x', { content: 'x' }), /not a relative path inside the share/],
    ['a lone ..', req('look', '..'), /not a relative path inside the share/],
    ['the share root itself', req('unlink', '.'), /not a relative path inside the share/],
    ['an unknown verb', req('exec', 'a', { cmd: 'rm -rf /' }), /unknown verb "exec"/],
    ['a verb missing its argument', req('write', 'a'), /write needs content/],
    ['an oversized payload', req('write', 'a', { content: 'x'.repeat(MAX_PAYLOAD_BYTES + 1) }), /at most/],
    ['a symlink target leading out', req('symlink', 'd/l', { target: '../../../etc/passwd' }), /leads out of the share/],
    ['an absolute symlink target', req('symlink', 'l', { target: '/etc/passwd' }), /leads out of the share/],
    ['a rename out of the share', req('rename', 'a', { to: '../b' }), /rename destination/],
    ['a negative mode', req('chmod', 'a', { mode: -1 }), /mode must be a non-negative integer/],
    ['a mount no share is at', { ...req('look', 'a'), mount: '/home' }, /no share is mounted at/],
    ['something that is not a request', 'rm -rf /', /not a bridge request/],
  ]
  for (const [what, request, reason] of refused) {
    const v = validateRequest(request, shares)
    t.notOk(v.ok, `${what} is refused`)
    if (!v.ok) t.match(v.reason, reason, `${what}: the reason says why`)
  }
})

t.test('a request inside the share maps to the host dir', async (t) => {
  const v = validateRequest(req('symlink', 'd/l', { target: '../t' }), sharesOf('/srv/share'))
  t.ok(v.ok)
  if (v.ok) t.equal(v.hostPath, '/srv/share/d/l')
  const r = validateRequest(req('rename', 'a', { to: 'sub/b' }), sharesOf('/srv/share'))
  t.ok(r.ok && r.to === '/srv/share/sub/b', 'the rename destination is mapped too')
})

t.test('a directory that is a symlink leading out is refused when the request runs', async (t) => {
  const dir = shareDir()
  const outside = shareDir()
  symlinkSync(outside, join(dir, 'escape'))
  const v = validateRequest(req('write', 'escape/planted', { content: 'x' }), sharesOf(dir))
  t.ok(v.ok, 'lexically it looks inside')
  if (!v.ok) return
  const r = await serve(v, 'escape/planted')
  t.notOk(r.ok, 'but it is refused')
  t.match(!r.ok && r.error, /resolves outside the share/)
  t.throws(() => statSync(join(outside, 'planted')), 'nothing was written outside')
})

t.test('a verb that would follow a symlink is refused on a symlink', async (t) => {
  const dir = shareDir()
  const outside = shareDir()
  writeFileSync(join(outside, 'victim'), 'keep')
  symlinkSync(join(outside, 'victim'), join(dir, 'link'))
  for (const [verb, args] of [['write', { content: 'x' }], ['append', { content: 'x' }], ['truncate', { size: 0 }], ['chmod', { mode: 0o777 }], ['read', {}]] as const) {
    const v = validateRequest(req(verb, 'link', args), sharesOf(dir))
    if (!v.ok) throw new Error(v.reason)
    const r = await serve(v, 'link')
    t.notOk(r.ok, `${verb} on a symlink is refused`)
  }
  t.equal(readFileSync(join(outside, 'victim'), 'utf8'), 'keep', 'the file behind the link is unchanged')
})

t.test('look reports the host truth: owner, mode, xattrs with user.virtfs.* decoded, .virtfs_metadata', async (t) => {
  const dir = shareDir()
  const f = join(dir, 'f')
  writeFileSync(f, 'data')
  const setfattr = await execa('setfattr', ['-n', 'user.virtfs.uid', '-v', '0xd2040000', f], { reject: false })
  if (setfattr.failed) {
    t.pass('look', { skip: `setfattr not usable here: ${setfattr.stderr || setfattr.message}` })
    return
  }
  await execa('setfattr', ['-n', 'user.virtfs.gid', '-v', '0x2e160000', f])
  await execa('setfattr', ['-n', 'user.virtfs.mode', '-v', '0xa4810000', f])
  mkdirSync(join(dir, '.virtfs_metadata'))
  writeFileSync(join(dir, '.virtfs_metadata', 'f'), 'virtfs.uid=1234\nvirtfs.gid=5678\n')
  const truth = await look(f, 'f')
  t.equal(truth.exists, true)
  t.equal(truth.type, 'file')
  t.equal(truth.size, 4)
  t.strictSame(truth.virtfs, { uid: 1234, gid: 5678, mode: '0644' }, 'mapped-xattr values are decoded (4-byte little-endian)')
  t.equal(truth.xattrs?.['user.virtfs.uid'], 'd2040000')
  t.strictSame(truth.virtfsMetadata, { 'virtfs.uid': '1234', 'virtfs.gid': '5678' }, 'mapped-file metadata is read')
  symlinkSync('target', join(dir, 'l'))
  const link = await look(join(dir, 'l'), 'l')
  t.equal(link.type, 'symlink')
  t.equal(link.symlinkTarget, 'target')
  t.equal((await look(join(dir, 'missing'), 'missing')).exists, false)
})

t.test('files the bridge makes as root get the share dir\'s owner (QEMU\'s user)', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, async (t) => {
  const dir = shareDir()
  const { chownSync } = await import('node:fs')
  chownSync(dir, 1000, 1000)
  const v = validateRequest(req('write', 'new', { content: 'x' }), sharesOf(dir))
  if (!v.ok) throw new Error(v.reason)
  t.ok((await serve(v, 'new')).ok)
  t.equal(statSync(join(dir, 'new')).uid, 1000)
})

t.test('the server answers refusals with an error and logs them; served requests get their value', async (t) => {
  const dir = shareDir()
  writeFileSync(join(dir, 'f'), 'hello')
  const logged: string[] = []
  const server = new BridgeServer(sharesOf(dir), { refused: (reason) => logged.push(reason) })
  const refused = JSON.parse(await server.handle(JSON.stringify(req('look', '../../etc/shadow'))))
  t.equal(refused.id, 1)
  t.equal(refused.ok, false)
  t.match(refused.error, /refused by the host/)
  const read = JSON.parse(await server.handle(JSON.stringify({ ...req('read', 'f'), id: 7 })))
  t.strictSame(read, { id: 7, ok: true, value: 'hello' })
  t.equal(await server.handle('not json'), '', 'garbage gets no answer')
  t.equal(logged.length, 2, 'both refusals were logged')
  t.strictSame(server.stats, { served: 1, refused: 2 })
})
