// The facts a Lima or ssh guest gives in one round trip (kernel, arch, node, where node came
// from, mountinfo), and each share's mount state read from them.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { parseMountinfo } from '../../agent/mountinfo.ts'
import { guestFactsScript, parseGuestFacts, sharesFromMountinfo } from '../../provision/guest-facts.ts'
import type { ShareSetup } from '../../provision/types.ts'

const MOUNTINFO = readFileSync(fileURLToPath(new URL('../fixtures/testbed/mountinfo-6.1.txt', import.meta.url)), 'utf8')
const mountPoints = parseMountinfo(MOUNTINFO).filter((m) => m.fsType === '9p' && m.mountPoint.startsWith('/mnt/')).map((m) => m.mountPoint)

t.test('the script prints each fact once, reads the node-source file when asked, then the mountinfo', async (t) => {
  t.match(guestFactsScript('/var/lib/limafs/node-source'), /head -n 1 \/var\/lib\/limafs\/node-source/)
  t.notMatch(guestFactsScript(), /node-source/)
})

t.test('the output parsed: facts, an absent node, and the mounts', async (t) => {
  const out = `limafs-fact kernel 6.8.0-60-generic\nlimafs-fact arch aarch64\nlimafs-fact node v18.19.1\nlimafs-fact node-source distro package, installed by limafs's provision script: v18.19.1\nlimafs-mountinfo\n${MOUNTINFO}`
  const facts = parseGuestFacts(out)
  t.match(facts, { kernel: '6.8.0-60-generic', arch: 'aarch64', node: 'v18.19.1', nodeSource: /^distro package/ })
  t.ok(facts.mountinfo.length > 5)
  const none = parseGuestFacts('limafs-fact kernel 6.1\nlimafs-fact arch x86_64\nlimafs-fact node \nlimafs-mountinfo\n')
  t.notOk('node' in none, 'no node: no version')
  t.notOk('nodeSource' in none)
})

t.test('a share is mounted when something of its type is mounted exactly at its mount point', async (t) => {
  t.ok(mountPoints.length >= 2, 'the fixture has 9p shares under /mnt')
  const mounts = parseGuestFacts(`limafs-mountinfo\n${MOUNTINFO}`).mountinfo
  const share = (mountPoint: string): ShareSetup => ({ config: { name: mountPoint.split('/').pop()!, mountType: '9p', writable: true }, tag: 't', hostDir: '/h', mountPoint })
  const shares = [share(mountPoints[0]!), share('/mnt/limafs/absent'), share(`${mountPoints[1]}/sub`)]
  const booted = sharesFromMountinfo(shares, mounts, { fsType: () => '9p', notMounted: (s) => `nothing at ${s.mountPoint}` })
  t.match(booted[0], { mounted: true, mountinfo: /^9p \S+ rw/ })
  t.match(booted[1], { mounted: false, mountError: 'nothing at /mnt/limafs/absent' })
  t.match(booted[2], { mounted: false }, 'a dir on a share is not that share\'s mount point')
  const wrongType = sharesFromMountinfo([shares[0]!], mounts, { fsType: () => 'virtiofs', notMounted: () => 'x' })
  t.match(wrongType[0], { mounted: false, mountError: /a 9p mount is there instead of virtiofs/ })
})
