// What was really tested: every planned setting compared with Lima's filled-in config (list
// --json), per configuration; instance-wide ones affect every configuration of the instance;
// --accept-overrides tests a share as Lima filled it in.
import t from 'tap'
import { configDrift, driftReason, filledShareConfig } from '../../provision/lima/config-drift.ts'
import { planInstances } from '../../provision/lima/instance-plan.ts'
import type { LimaConfig } from '../../provision/lima/list-json.ts'
import { planLimaShares } from '../../provision/lima-compat/plan-shares.ts'
import { parseMatrix } from '../../provision/matrix/load-matrix.ts'

const configs = parseMatrix(`
configs:
  - { name: a, mountType: 9p, writable: true, 9p: { securityModel: mapped-xattr, cache: mmap } }
  - { name: b, mountType: 9p, writable: true }
  - { name: s, mountType: reverse-sshfs, writable: true, sshfs: { cache: false } }
`, 'm.yaml').configs
const [ninep, sshfs] = planInstances('p', configs, 'linux')
const shares = planLimaShares('/s', ninep!.configs)
const mount = (name: string, over: Record<string, unknown> = {}) => ({
  location: `/s/${name}`, mountPoint: `/mnt/limafs/${name}`, writable: true,
  sshfs: { cache: true, followSymlinks: false, sftpDriver: '' }, '9p': { securityModel: name === 'a' ? 'mapped-xattr' : 'none', protocolVersion: '9p2000.L', msize: '128KiB', cache: 'mmap' }, virtiofs: {}, ...over,
})
const filled = (over: Partial<LimaConfig> = {}, mounts = [mount('a'), mount('b')]): LimaConfig => ({ vmType: 'qemu', mountType: '9p', mountInotify: false, mounts, ...over })

t.test('nothing differs: no drift (msize compared as a size; extra mounts of default.yaml ignored)', async (t) => {
  t.strictSame(configDrift(ninep!, shares, filled()), [])
  t.strictSame(configDrift(ninep!, shares, filled({}, [mount('a', { '9p': { securityModel: 'mapped-xattr', protocolVersion: '9p2000.L', msize: '131072', cache: 'mmap' } }), mount('b'), mount('home', { writable: false })])), [])
  t.strictSame(configDrift(ninep!, shares, filled({ mountType: null })), [], '2.x lists no mountType: nothing to compare')
})

t.test('a changed mount setting affects its configuration; an instance-wide one all of them', async (t) => {
  t.strictSame(configDrift(ninep!, shares, filled({}, [mount('a', { writable: false, '9p': { securityModel: 'none', protocolVersion: '9p2000.L', msize: '128KiB', cache: 'fscache' } }), mount('b')])), [
    { config: 'a', field: 'mounts[].writable', planned: true, filled: false },
    { config: 'a', field: 'mounts[].9p.securityModel', planned: 'mapped-xattr', filled: 'none' },
    { config: 'a', field: 'mounts[].9p.cache', planned: 'mmap', filled: 'fscache' },
  ])
  t.strictSame(configDrift(ninep!, shares, filled({ mountInotify: true })).map((d) => [d.config, d.field]), [['a', 'mountInotify'], ['b', 'mountInotify']])
  t.strictSame(configDrift(ninep!, shares, filled({ mountType: 'reverse-sshfs' })).map((d) => [d.config, d.field, d.filled]), [['a', 'mountType', 'reverse-sshfs'], ['b', 'mountType', 'reverse-sshfs']])
  t.strictSame(configDrift(ninep!, shares, filled({}, [mount('a')])), [{ config: 'b', field: 'mounts[]', planned: '/mnt/limafs/b', filled: 'no mount at that mountPoint' }])
  t.match(configDrift(ninep!, shares, undefined), [{ config: 'a', field: 'config' }, { config: 'b', field: 'config' }])
  const sshShares = planLimaShares('/s', sshfs!.configs)
  t.strictSame(configDrift(sshfs!, sshShares, filled({ mountType: 'reverse-sshfs' }, [mount('s')])), [
    { config: 's', field: 'mounts[].sshfs.cache', planned: false, filled: true },
    { config: 's', field: 'mounts[].sshfs.sftpDriver', planned: 'openssh-sftp-server', filled: '' },
  ], "sftpDriver: limafs asks for OpenSSH's sftp-server outright; Lima's \"\" is auto")
})

t.test('the reason names each change and the files that make them; --accept-overrides takes the filled-in settings', async (t) => {
  const drift = configDrift(ninep!, shares, filled({}, [mount('a', { '9p': { securityModel: 'mapped-xattr', protocolVersion: '9p2000.L', msize: '128KiB', cache: 'loose' } }), mount('b')]))
  t.equal(driftReason(drift, 'a'), `Lima's filled-in config differs from the plan (mounts[].9p.cache "mmap" -> "loose"): a ~/.lima/_config/override.yaml or ~/.lima/_config/default.yaml or ~/.lima/_config/base.yaml changed it, so this is not the configuration the matrix names; --accept-overrides tests it as Lima filled it in`)
  t.equal(driftReason(drift, 'b'), undefined)
  const m = mount('a', { '9p': { securityModel: 'mapped-xattr', protocolVersion: '9p2000.L', msize: '128KiB', cache: 'loose' } })
  t.strictSame(filledShareConfig(shares[0]!.config, m, filled()), { ...shares[0]!.config, ninep: { ...shares[0]!.config.ninep!, cache: 'loose' } })
  t.equal(filledShareConfig(shares[0]!.config, undefined, filled()), shares[0]!.config, 'no mount: the planned config')
})
