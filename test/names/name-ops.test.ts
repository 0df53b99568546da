// The byte-name ops the names suite runs, on a real local dir (a case-sensitive, byte-preserving
// file system): names go in and come back as the exact bytes, names that are not one entry are
// refused, nothing is followed out of the scratch dir, and the PATH_MAX file is as long as asked.
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { runOp, type OpEnv } from '../../agent/worker/ops/index.ts'
import { PathGuard } from '../../agent/worker/path-guard.ts'
import { SpecialFiles } from '../../agent/worker/special-files.ts'
import { NAMES, PATH_MAX } from '../../suites/names/catalog.ts'
import { tempDir } from '../helpers/agent-bundle.ts'

function env(t: Parameters<typeof tempDir>[0]) {
  const mount = tempDir(t, 'limafs-names-')
  const scratch = join(mount, '.limafs-names1')
  mkdirSync(join(scratch, 'd'), { recursive: true })
  const outside = tempDir(t, 'limafs-names-outside-')
  const guard = new PathGuard([mount])
  guard.addRoot(scratch)
  const e: OpEnv = { guard, special: new SpecialFiles('none'), handles: new Map() }
  return { dir: join(scratch, 'd'), scratch, outside, op: (op: string, ...args: unknown[]) => runOp(e, op, args) }
}

t.test('every name of the catalog is created, listed as the same bytes and read back by them', async (t) => {
  const { dir, op } = env(t)
  const names = Object.entries(NAMES).filter(([k]) => !['long256', 'shout', 'renameTo'].includes(k))
  for (const [key, hex] of names) t.match(await op('name-create', dir, hex, `${key}\n`), { ok: true }, `${key} created`)
  const listed = await op('name-list', dir)
  t.strictSame(listed, { ok: true, value: names.map(([, hex]) => hex).sort() }, 'listed byte for byte, sorted')
  for (const [key, hex] of names) t.strictSame(await op('name-read', dir, hex), { ok: true, value: `${key}\n` }, `${key} read back by its bytes`)
  t.strictSame(readdirSync(dir, { encoding: 'buffer' }).map((b) => b.toString('hex')).sort(), names.map(([, hex]) => hex).sort(), 'what is on disk is those bytes')
  t.match(await op('name-create', dir, NAMES.nfc, 'again'), { ok: false, errno: 'EEXIST' }, 'O_EXCL: never over an existing name')
  t.match(await op('name-create', dir, NAMES.long256, 'x'), { ok: false, errno: 'ENAMETOOLONG' }, 'a 256-byte name is ENAMETOOLONG here')
  t.match(await op('name-read', dir, NAMES.shout), { ok: false, errno: 'ENOENT' }, 'case-sensitive lookup')
  t.match(await op('name-rename', dir, NAMES.renameFrom, NAMES.renameTo), { ok: true }, 'case-only rename')
  t.match(await op('name-lstat', dir, NAMES.renameTo), { ok: true, value: { type: 'file', size: 'renameFrom\n'.length } })
})

t.test('what is not one entry name is refused EINVAL before any call', async (t) => {
  const { dir, op } = env(t)
  for (const [hex, why] of <Array<[string, string]>>[['2f6574632f706173737764', 'a slash (/etc/passwd)'], ['2e2e', '..'], ['2e', '.'], ['', 'empty'], ['6100', 'a NUL byte'], ['zz', 'not hex'], ['616', 'odd hex']]) {
    t.match(await op('name-create', dir, hex, 'x'), { ok: false, errno: 'EINVAL' }, why)
  }
  t.strictSame(readdirSync(dir), [], 'nothing made')
})

t.test('a dir outside the scratch dir, or reached through a symlink, is refused', async (t) => {
  const { scratch, outside, op } = env(t)
  symlinkSync(outside, join(scratch, 'out'))
  t.match(await op('name-create', join(scratch, 'out'), NAMES.space, 'x'), { ok: false, errno: 'EOUTSIDE' }, 'through a symlinked dir')
  t.match(await op('name-list', outside), { ok: false, errno: 'EOUTSIDE' }, 'a dir outside')
  t.match(await op('deep-file', join(scratch, 'out'), PATH_MAX - 1, 'x'), { ok: false, errno: 'EOUTSIDE' }, 'deep-file through a symlinked dir')
  t.strictSame(readdirSync(outside), [], 'nothing made outside')
})

t.test('deep-file makes a file whose absolute path is exactly the length asked for, and reads it back', async (t) => {
  const { dir, op } = env(t)
  t.strictSame(await op('deep-file', dir, PATH_MAX - 1, 'deep\n'), { ok: true, value: 'deep\n' })
  let path = dir
  for (let entries = readdirSync(path); entries.length === 1 && entries[0]!.startsWith('d'); entries = readdirSync(path)) path = `${path}/${entries[0]}`
  const [file] = readdirSync(path)
  t.equal(`${path}/${file}`.length, PATH_MAX - 1, `the path is ${PATH_MAX - 1} bytes`)
  t.ok(file!.length <= 255, 'every name fits NAME_MAX')
  mkdirSync(join(dir, 'x'))
  t.match(await op('deep-file', join(dir, 'x'), PATH_MAX, 'x'), { ok: false, errno: 'ENAMETOOLONG' }, 'one byte more (PATH_MAX with no room for the NUL) is ENAMETOOLONG')
})
