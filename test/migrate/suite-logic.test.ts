// The migrate suite's pure parts: which configuration a switch goes to, how a property reads
// in a look, when a change is a security finding, and how a sibling scratch dir is seen
// through another configuration's sibling share.
import t from 'tap'
import { cacheModeOf } from '../../agent/cache-mode.ts'
import type { SharedTarget } from '../../agent/check-api.ts'
import type { MountInfo } from '../../agent/mountinfo.ts'
import type { MountTarget } from '../../agent/run-types.ts'
import { siblingView, siblingViews } from '../../agent/sibling-views.ts'
import { escalation, judgeSwitch } from '../../suites/migrate/judge.ts'
import { property, type Look } from '../../suites/migrate/look.ts'
import { targetModels, throughFor } from '../../suites/migrate/pairs.ts'
import { PLANTED, plantedSteps, refusedPlantings } from '../../suites/migrate/planted.ts'

const target = (path: string, model: string | undefined, cache: string | undefined, sibling = true): SharedTarget => ({
  path, dir: `${path}/.limafs-x/migrate`, sibling: sibling ? { dir: `/s/${path}/migrate` } : { missing: 'none' },
  ...(model ? { model } : {}), ...(cache ? { cache } : {}), host: { look: async () => undefined, act: async () => ({ ok: false }) },
})

t.test('the configuration a switch goes to: same cache mode, else mmap, else the first; never itself, never one without a sibling', async (t) => {
  const xl = target('x-loose', 'mapped-xattr', 'loose')
  const fl = target('f-loose', 'mapped-file', 'loose')
  const fm = target('f-mmap', 'mapped-file', 'mmap')
  const fn = target('f-none', 'mapped-file', 'none')
  const v = target('virtiofs', 'virtiofs', undefined)
  const nNoSibling = target('n-mmap', 'none', 'mmap', false)
  const all = [xl, fl, fm, fn, v, nNoSibling]
  t.equal(throughFor(xl, 'mapped-file', all), fl, 'same cache mode')
  t.equal(throughFor(target('x-fscache', 'mapped-xattr', 'fscache'), 'mapped-file', all), fm, 'else mmap')
  t.equal(throughFor(v, 'mapped-file', all), fm, 'virtiofs (no cache mode): mmap')
  t.equal(throughFor(xl, 'virtiofs', all), v, 'virtiofs has one')
  t.equal(throughFor(xl, 'none', all), undefined, 'none with a sibling share: none to go to')
  t.equal(throughFor(fm, 'mapped-file', all), fl, 'the same model is another configuration, never the source itself')
  t.equal(throughFor(target('only', 'none', 'loose'), 'mapped-file', [fn]), fn, 'else the first')
  t.strictSame(targetModels(xl), ['none', 'mapped-file', 'virtiofs'], 'every model but its own')
  t.strictSame(targetModels(target('p', 'passthrough', 'mmap')), ['none', 'mapped-xattr', 'mapped-file', 'virtiofs'], 'passthrough switches to all four')
})

t.test('a property as a look shows it', async (t) => {
  const look: Look = {
    tree: { type: 'dir' },
    'tree/file': { type: 'file', mode: '0640', uid: 1234, gid: 5678, nlink: 2, ino: 7, xattrs: { 'user.b': '6b', 'user.a': '00ff' }, content: '6869' },
    'tree/twin': { type: 'file', nlink: 2, ino: 7 },
    'tree/link': { type: 'symlink', target: { errno: 'ELOOP' } },
    'tree/dev': { type: 'char', rdev: '1:3' },
    'tree/bad': { errno: 'EACCES' },
    'tree/.dot': { type: 'file' },
  }
  const table: Array<[string, Parameters<typeof property>[2], string, string?]> = [
    ['tree/file', 'owner', '1234:5678'], ['tree/file', 'mode', '0640'], ['tree/file', 'content', 'hi'],
    ['tree/file', 'xattrs', 'user.a=0x00ff,user.b=k'], ['tree/file', 'target', 'not a symlink (file)'],
    ['tree/file', 'same-file', 'one file, 2 links', 'tree/twin'], ['tree/file', 'same-file', 'the other name is gone', 'tree/nope'],
    ['tree/link', 'target', 'ELOOP'], ['tree/dev', 'rdev', 'char 1:3'], ['tree/file', 'rdev', 'not a device (file)'],
    ['tree/bad', 'type', 'EACCES'], ['tree/nope', 'type', 'gone'], ['tree', 'entries', '.dot,bad,dev,file,link,twin'],
  ]
  for (const [rel, p, want, twin] of table) t.equal(property(look, rel, p, twin), want, `${rel} ${p}`)
})

t.test('a change is a security finding only when it hands out more: root, setuid/setgid, a device', async (t) => {
  t.match(escalation('owner', '1000:1000', '0:0'), /owned by root/)
  t.match(escalation('owner', '1000:1000', '1000:0'), /owned by root/, 'root group is enough')
  t.equal(escalation('owner', '0:0', '1000:1000'), undefined, 'losing root is no finding')
  t.match(escalation('mode', '0644', '4755'), /^setuid \(mode 4755 instead of 0644\)/)
  t.match(escalation('mode', '0755', '6755'), /setuid\+setgid/)
  t.equal(escalation('mode', '4755', '0600'), undefined, 'losing setuid is no finding')
  t.match(escalation('type', 'file', 'char'), /a char device/)
  t.equal(escalation('type', 'symlink', 'file'), undefined)
  t.strictSame(judgeSwitch({ rel: 'r', property: 'mode', wanted: '0640', found: '0640', through: '/b', note: 'n', what: 'w' }), { ok: true }, 'kept: ok')
  t.match(judgeSwitch({ rel: 'r', property: 'owner', wanted: '1000:1000', found: '0:0', through: '/b', note: 'n', what: 'a planted file is' }),
    { ok: false, diagnostics: { wanted: '1000:1000', found: '0:0', class: 'silent', security: /a planted file is owned by root/, args: ['r', '/b'] } }, 'changed to root: silent, security')
  t.match(judgeSwitch({ rel: 'r', property: 'target', wanted: 'file', found: 'ELOOP', through: '/b', note: 'n', what: 'w' }), { ok: false, diagnostics: { class: 'loud', errno: 'ELOOP' } }, 'an errno: loud')
  t.match(judgeSwitch({ rel: 'r', property: 'type', wanted: 'file', found: 'gone', through: '/b', note: 'n', what: 'w' }), { ok: false, diagnostics: { class: 'silent' } }, 'gone without a word: silent')
  t.match(judgeSwitch({ rel: 'r', property: 'xattrs', wanted: 'EOPNOTSUPP', found: 'none', through: '/b', note: 'n', what: 'w' }), { skip: /shows no xattrs here: EOPNOTSUPP/ }, 'nothing to keep: SKIP')
})

t.test("the user's plantings: each step once, and which the source refused", async (t) => {
  const steps = plantedSteps()
  t.equal(steps.filter((s) => s[0] === 'mkdir').length, 1, '.virtfs_metadata made once')
  t.equal(steps.filter((s) => s[0] === 'setxattr').length, 5, 'every xattr planted')
  const results = steps.map((s) => (s[0] === 'setxattr' ? 'EACCES' : null))
  t.strictSame(refusedPlantings(PLANTED[0]!, steps, results), ['setxattr user.virtfs.uid: EACCES', 'setxattr user.virtfs.gid: EACCES', 'setxattr user.virtfs.mode: EACCES'])
  t.strictSame(refusedPlantings(PLANTED[2]!, steps, results), [], 'the metadata file went through')
})

t.test("a mount's 9p cache mode from mountinfo: words (6.1), bare hex bits (6.4), 0x bits (6.19)", async (t) => {
  const m = (fsType: string, superOptions: string) => ({ fsType, superOptions }) as MountInfo
  t.equal(cacheModeOf(m('9p', 'rw,loose,access=client,trans=virtio')), 'loose')
  t.equal(cacheModeOf(m('9p', 'rw,sync,dirsync,access=client,trans=virtio')), 'none')
  t.equal(cacheModeOf(m('9p', 'rw,cache=5,access=client')), 'mmap')
  t.equal(cacheModeOf(m('9p', 'rw,cache=8f')), 'fscache')
  t.equal(cacheModeOf(m('9p', 'rw,cache=0xf')), 'loose')
  t.equal(cacheModeOf(m('virtiofs', 'rw')), undefined)
})

t.test("a sibling scratch dir through another configuration's sibling share: the same relative path", async (t) => {
  const mt = (path: string, sibling?: MountTarget['sibling']) => ({ path, sibling }) as MountTarget
  const a = mt('/mnt/a', { path: '/mnt/sib/a', mountPoint: '/mnt/sib/a', scratch: '/mnt/sib/a/.limafs-AAAAAA' })
  const b = mt('/mnt/b', { path: '/mnt/sib/b', mountPoint: '/mnt/sib/b', scratch: '/mnt/sib/b/.limafs-BBBBBB' })
  const c = mt('/mnt/c', { missing: 'refused' })
  t.equal(siblingView(a, b), '/mnt/sib/b/.limafs-AAAAAA')
  t.equal(siblingView(a, c), undefined)
  t.strictSame(siblingViews([a, b, c]).sort(), ['/mnt/sib/a/.limafs-BBBBBB', '/mnt/sib/b/.limafs-AAAAAA'], 'every pair of two with a sibling, both ways')
})

t.test("the host's listing of the tree against the guest's: equal is ok, a model's own entries are silent, a refused list is loud", async (t) => {
  const { hostListing } = await import('../../suites/migrate/host-listing.ts')
  const { TREE_DIR } = await import('../../suites/migrate/tree.ts')
  const own = { '.': {}, [`${TREE_DIR}/a`]: {}, [`${TREE_DIR}/dir`]: {}, [`${TREE_DIR}/dir/c`]: {} } as unknown as Look
  const listing: Record<string, string[]> = { [TREE_DIR]: ['a', 'dir'], [`${TREE_DIR}/dir`]: ['c'] }
  const asked: string[] = []
  const withHost = (list: (dir: string) => string[] | undefined): SharedTarget => ({
    ...target('x-mmap', 'mapped-xattr', 'mmap'),
    host: {
      look: async () => undefined,
      act: async (verb, path) => {
        asked.push(`${verb} ${path}`)
        const names = list(path.slice('/s/x-mmap/migrate/'.length))
        return names ? { ok: true, value: names.map((name) => ({ name, type: 'file' })) } : { ok: false, error: 'EACCES' }
      },
    },
  })
  t.same(await hostListing(withHost((d) => listing[d]), own), { ok: true }, 'the same names: ok')
  t.same(asked, [`list /s/x-mmap/migrate/${TREE_DIR}`, `list /s/x-mmap/migrate/${TREE_DIR}/dir`], 'the tree and a dir in it, in the sibling scratch dir')
  const extra = await hostListing(withHost((d) => (d === TREE_DIR ? ['.virtfs_metadata', 'a', 'dir'] : listing[d])), own)
  t.match(extra, { ok: false }, 'a name only the host has fails')
  t.match(extra, { diagnostics: { class: 'silent', found: /\.virtfs_metadata/ } }, 'silently, naming it')
  const refused = await hostListing(withHost(() => undefined), own)
  t.match(refused, { ok: false, diagnostics: { class: 'loud', found: /EACCES/ } }, 'a listing the bridge refused is loud, with its error')
})
