// removeHostTree (provision/remove-tree.ts): a tree deeper than PATH_MAX, as a stopped names
// suite leaves in a share, goes as a shallow one does.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { removeHostTree } from '../../provision/remove-tree.ts'

const NAME = 'd'.repeat(200)

/** ROOT/d..d/d..d/... LEVELS deep, made a level at a time (no call sees the whole path), a file at the bottom. */
function deepTree(root: string, levels: number): void {
  const back = process.cwd()
  try {
    process.chdir(root)
    for (let i = 0; i < levels; i++) {
      mkdirSync(NAME)
      process.chdir(NAME)
    }
    writeFileSync('f', 'x')
  } finally {
    process.chdir(back)
  }
}

t.test('a tree deeper than PATH_MAX (rmSync fails on it) is removed', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'limafs-rmtree-'))
  t.teardown(() => removeHostTree(base))
  const tree = join(base, 'share')
  mkdirSync(tree)
  deepTree(tree, 30) // 30 x 201 bytes: past Linux's 4096
  t.throws(() => rmSync(tree, { recursive: true, force: true }), { code: 'ENAMETOOLONG' }, "Node's own rmSync can't")
  await removeHostTree(tree)
  t.notOk(existsSync(tree))
})

t.test('a shallow tree goes, a symlink in it is removed and not followed, a missing dir is no error', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'limafs-rmtree-'))
  t.teardown(() => removeHostTree(base))
  const outside = join(base, 'outside')
  mkdirSync(outside)
  writeFileSync(join(outside, 'keep'), 'x')
  const tree = join(base, 'share')
  mkdirSync(join(tree, 'a'), { recursive: true })
  symlinkSync(outside, join(tree, 'a', 'link'))
  await removeHostTree(tree)
  t.notOk(existsSync(tree))
  t.ok(existsSync(join(outside, 'keep')), 'what the link pointed at is untouched')
  await removeHostTree(join(base, 'never-was'))
})
