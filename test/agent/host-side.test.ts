// The host-side suite's judging without a VM: how a guest view is compared with what a local
// file system would show, when guest metadata on a host-made object is a security finding, what
// host tools see of the guest's work; and that by hand (no host bridge) every point is a SKIP
// that says why.
import t from 'tap'
import type { HostTruth } from '../../agent/diagnostics.ts'
import { hostEntries, hostUserAccess, hostXattrs } from '../../suites/host-side/host-sees.ts'
import { compareView, hostMadeView, securityFinding, viewText, withoutSpecialBits, type GuestView } from '../../suites/host-side/view.ts'
import { listedChecks, parseTap, runAgent, tempDir } from '../helpers/agent-bundle.ts'

t.setTimeout(0)

const guestSet: GuestView = { type: 'file', uid: 0, gid: 5678, mode: '6755', xattr: '6775657374' }
const hostFile: HostTruth = { path: 'x', exists: true, type: 'file', uid: 1000, gid: 1000, mode: '0644', xattrs: {} }

t.test('a view reads as one line in a fixed order; only the fields wanted are compared', async (t) => {
  t.equal(viewText({ ...guestSet, content: 'a\n' }), 'file uid=0 gid=5678 mode=6755 xattr=6775657374 content="a\\n"')
  t.equal(viewText({ type: 'dir', uid: 1, gid: 2, mode: '0700', xattr: null }), 'dir uid=1 gid=2 mode=0700 no xattr')
  t.strictSame(compareView({ mode: '0640' }, guestSet), { matched: false, wanted: 'mode=0640', found: 'mode=6755' })
  t.strictSame(compareView(guestSet, { ...guestSet, content: 'ignored' }), { matched: true, wanted: viewText(guestSet), found: viewText(guestSet) }, 'content not wanted: not compared')
  t.strictSame(hostMadeView(hostFile), { type: 'file', uid: 1000, gid: 1000, mode: '0644', xattr: null }, 'a host-made object: the host\'s type, owner, mode, no guest xattr')
})

t.test('chown leaves setuid cleared, and setgid when group-executable', async (t) => {
  const table: Array<[string, string]> = [['6755', '0755'], ['4755', '0755'], ['2755', '0755'], ['2745', '2745'], ['0640', '0640']]
  for (const [mode, want] of table) t.equal(withoutSpecialBits(mode), want, `${mode} -> ${want}`)
})

t.test('guest metadata on an object the host made is a security finding: setuid/setgid, owner, group, type; the host\'s own values are not', async (t) => {
  const found = (v: Partial<GuestView>): GuestView => ({ type: 'file', uid: 1000, gid: 1000, mode: '0644', xattr: null, ...v })
  t.equal(securityFinding(found({}), hostFile, guestSet), undefined, 'the host\'s own view: nothing to say')
  t.match(securityFinding(found({ mode: '6755' }), hostFile, guestSet), /setuid\+setgid bit the host's file has not \(mode 6755, host 0644\)/)
  t.match(securityFinding(found({ mode: '2755' }), hostFile, guestSet), /a setgid bit/)
  t.match(securityFinding(found({ uid: 0 }), hostFile, guestSet), /the owner the guest had set, uid 0 \(root\) \(host: 1000\)/)
  t.match(securityFinding(found({ gid: 5678 }), hostFile, guestSet), /the group the guest had set, gid 5678/)
  t.match(securityFinding(found({ type: 'symlink' }), hostFile, { ...guestSet, type: 'symlink' }), /type symlink where the host made a file/)
  t.equal(securityFinding(found({ uid: 0 }), { ...hostFile, uid: 0 }, guestSet), undefined, 'root on the host (virtiofsd as root) is the host\'s owner, not the guest\'s')
  t.equal(securityFinding(found({ uid: 42 }), hostFile, guestSet), undefined, 'an owner that is neither the host\'s nor the guest\'s: wrong, not the guest\'s')
  t.equal(securityFinding(found({ mode: '6755' }), { ...hostFile, mode: '6755' }, guestSet), undefined, 'setuid the host file itself has')
})

t.test('host tools: can the host user read and write, which xattrs and entries the host has', async (t) => {
  const owner = { uid: 1000, gid: 1000 }
  t.match(hostUserAccess(owner, { ...hostFile, mode: '0600' }, 'file', 'host look', 'f'), { ok: true })
  t.match(hostUserAccess(owner, { ...hostFile, uid: 0, gid: 5678, mode: '6755' }, 'file', 'host look', 'f'), { ok: false, diagnostics: { wanted: 'uid 1000 may rw-', found: 'uid 1000 may r-x (host: 0:5678 6755)', class: 'silent' } })
  t.match(hostUserAccess(owner, { ...hostFile, type: 'dir', gid: 1000, uid: 0, mode: '0770' }, 'dir', 'host look', 'd'), { ok: true }, 'as the group')
  t.match(hostUserAccess({ uid: 0, gid: 0 }, { ...hostFile, uid: 5, mode: '0000' }, 'file', 'host look', 'f'), { ok: true }, 'root may')
  t.match(hostXattrs({ 'user.limafs.guest': '67' }, { ...hostFile, xattrs: { 'user.limafs.guest': '67' } }, 'host look', 'f'), { ok: true })
  t.match(hostXattrs({ 'user.limafs.guest': '67' }, { ...hostFile, xattrs: { 'user.limafs.guest': '67', 'user.virtfs.uid': '00000000' } }, 'host look', 'f'), { ok: false, diagnostics: { found: 'user.limafs.guest=67, user.virtfs.uid=00000000' } })
  t.match(hostEntries(['a', 'b'], ['b', 'a'], 'host list', 'd'), { ok: true })
  t.match(hostEntries(['a', 'b'], ['.virtfs_metadata', 'a', 'b'], 'host list', 'd'), { ok: false, diagnostics: { wanted: 'the guest\'s 2 entries', found: 'also .virtfs_metadata' } })
})

t.test('by hand (no host bridge) every host-side point is a SKIP that says why', async (t) => {
  const dir = tempDir(t)
  const r = await runAgent(['run', '--mount', dir, '--allow-any-fs', '--suite', 'host-side'])
  const { leaves } = parseTap(r.stdout)
  const declared = (await listedChecks()).filter((c) => c.suite === 'host-side').map((c) => c.id)
  t.equal(r.exitCode, 0, 'exit 0', { stderr: r.stderr })
  t.ok(declared.length >= 30, `${declared.length} host-side points declared`)
  t.strictSame(leaves.map((l) => l.name), declared, 'every declared point is reported')
  t.ok(leaves.every((l) => typeof l.skip === 'string' && /host bridge|root/.test(l.skip)), 'each a SKIP naming the missing host bridge (or root)')
})
