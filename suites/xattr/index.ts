// Extended attributes: user.* round trips (sizes, empty and binary values, long names),
// create/replace semantics, persistence, trusted.*/security.*, POSIX ACLs, the host's copy.
import { PERSIST_STAGES, suite, type CheckContext } from '../../agent/check-api.ts'

const NAME = 'user.limafs.a'
/** Refusals that are a file system's documented size limit, not a broken share. */
const SIZE_LIMIT_ERRNOS = new Set(['E2BIG', 'ENOSPC', 'ERANGE'])

const hexOf = (bytes: number, seed = 0x61) => Buffer.alloc(bytes, seed).toString('hex')

/** A value of `bytes` either round-trips exactly or is refused as too big (loud, documented). */
async function roundTripOrRefused(x: CheckContext, bytes: number): Promise<void> {
  const f = await x.make('file')
  const value = hexOf(bytes)
  const set = await x.attempt('setxattr', f, NAME, value)
  if (!set.ok && SIZE_LIMIT_ERRNOS.has(set.errno!)) return x.note(`refused with ${set.errno}: this file system's size limit`)
  await x.expect(0, 'setxattr', f, NAME, value)
  await x.expect(value, 'getxattr', f, NAME)
}

export default suite('xattr', 'Extended attributes: user.* round trips, flags, persistence, other namespaces, ACLs', [
  {
    id: 'xattr/set-get/1b',
    title: 'a 1-byte user.* value round-trips',
    needs: ['xattr'],
    async run(x) {
      const f = await x.make('file')
      await x.expect(0, 'setxattr', f, NAME, '61')
      await x.expect('61', 'getxattr', f, NAME)
    },
  },
  {
    id: 'xattr/list/fresh',
    title: 'a new file lists no user.* xattrs (nothing foreign shows through)',
    needs: ['xattr'],
    async run(x) {
      const f = await x.make('file')
      await x.expect('', 'listxattr', f)
    },
  },
  {
    id: 'xattr/list/after-set',
    title: 'listxattr shows a name that was set',
    needs: ['xattr'],
    async run(x) {
      const f = await x.make('file')
      await x.setup('setxattr', f, NAME, '61')
      await x.expect(NAME, 'listxattr', f)
    },
  },
  {
    id: 'xattr/remove/file',
    title: 'removexattr works, then getxattr says ENODATA',
    needs: ['xattr'],
    async run(x) {
      const f = await x.make('file')
      await x.setup('setxattr', f, NAME, '61')
      await x.expect(0, 'removexattr', f, NAME)
      await x.expect('ENODATA', 'getxattr', f, NAME)
    },
  },
  {
    id: 'xattr/empty-value/file',
    title: 'an empty value round-trips',
    needs: ['xattr'],
    async run(x) {
      const f = await x.make('file')
      await x.expect(0, 'setxattr', f, NAME, '')
      await x.expect('', 'getxattr', f, NAME)
    },
  },
  {
    id: 'xattr/binary-value/file',
    title: 'a binary value with NUL bytes round-trips',
    needs: ['xattr'],
    async run(x) {
      const f = await x.make('file')
      await x.expect(0, 'setxattr', f, NAME, '00ff000102fe')
      await x.expect('00ff000102fe', 'getxattr', f, NAME)
    },
  },
  {
    id: 'xattr/name-255/file',
    title: 'a 255-byte name (the Linux maximum) works',
    needs: ['xattr'],
    async run(x) {
      const f = await x.make('file')
      const long = `user.${'n'.repeat(250)}`
      await x.expect(0, 'setxattr', f, long, '61')
      await x.expect('61', 'getxattr', f, long)
    },
  },
  ...[1024, 4096, 65536].map((bytes) => ({
    id: `xattr/size-${bytes / 1024}k/file`,
    title: `a ${bytes / 1024} KiB value round-trips exactly, or is refused as too big (E2BIG/ENOSPC/ERANGE), never cut short`,
    needs: ['xattr' as const],
    run: (x: CheckContext) => roundTripOrRefused(x, bytes),
  })),
  {
    id: 'xattr/largest/file',
    title: 'the largest value that round-trips, to 64 bytes (measured; fails only if a value comes back different)',
    needs: ['xattr'],
    async run(x) {
      const f = await x.make('file')
      // Binary search in 64-byte steps: ten tries between 0 and 64 KiB (the Linux maximum).
      let lo = 0
      let hi = 65536
      while (hi - lo >= 64) {
        const mid = Math.ceil((lo + hi) / 2)
        const set = await x.attempt('setxattr', f, NAME, hexOf(mid))
        if (set.ok) {
          await x.expect(hexOf(mid), 'getxattr', f, NAME)
          lo = mid
        } else hi = mid - 1
      }
      x.note(`largest value that fits: ${lo} bytes`)
    },
  },
  {
    id: 'xattr/create-exists/file',
    title: 'XATTR_CREATE on a name that exists fails EEXIST',
    needs: ['xattr', 'xattr-flags'],
    async run(x) {
      const f = await x.make('file')
      await x.setup('setxattr', f, NAME, '61')
      await x.expect('EEXIST', 'setxattr', f, NAME, '62', 'create')
    },
  },
  {
    id: 'xattr/replace-missing/file',
    title: 'XATTR_REPLACE on a name that does not exist fails ENODATA',
    needs: ['xattr', 'xattr-flags'],
    async run(x) {
      const f = await x.make('file')
      await x.expect('ENODATA', 'setxattr', f, NAME, '62', 'replace')
    },
  },
  {
    id: 'xattr/{stage}/file',
    title: 'a user.* value set on a file: the call, then the value {stage}',
    stages: PERSIST_STAGES,
    needs: ['xattr'],
    async run(x) {
      const f = await x.make('file')
      x.persists('6c696d616673', 'getxattr', f, NAME)
      await x.expect(0, 'setxattr', f, NAME, '6c696d616673')
    },
  },
  {
    id: 'xattr/trusted/file',
    title: 'root can set and get a trusted.* xattr',
    needs: ['xattr', 'root'],
    async run(x) {
      const f = await x.make('file')
      await x.expect(0, 'setxattr', f, 'trusted.limafs', '61')
      await x.expect('61', 'getxattr', f, 'trusted.limafs')
    },
  },
  {
    id: 'xattr/security/file',
    title: 'root can set and get a security.* xattr',
    needs: ['xattr', 'root'],
    async run(x) {
      const f = await x.make('file')
      await x.expect(0, 'setxattr', f, 'security.limafs', '61')
      await x.expect('61', 'getxattr', f, 'security.limafs')
    },
  },
  {
    id: 'xattr/acl/file',
    title: 'a POSIX ACL entry set with setfacl reads back with getfacl',
    needs: ['acl', 'root'],
    async run(x) {
      const f = await x.make('file')
      await x.expect(0, 'setfacl', f, `u:${x.other.uid}:r`)
      const acl = String(await x.expect(0, 'getfacl', f))
      if (!acl.split(',').includes(`user:${x.other.uid}:r--`)) {
        x.fail({ op: 'getfacl', args: [f], wanted: `... user:${x.other.uid}:r-- ...`, found: acl, stage: 'call', class: 'silent' })
      }
    },
  },
  {
    id: 'xattr/host-stored/file',
    title: 'a user.* xattr set in the guest is on the host file too, with the same value',
    needs: ['xattr', 'host'],
    async run(x) {
      const f = await x.make('file')
      await x.setup('setxattr', f, NAME, '6c696d616673')
      const host = await x.recordHost(f)
      const found = host?.xattrs?.[NAME]
      if (found !== '6c696d616673') x.fail({ op: 'host-look', args: [f], wanted: `${NAME}=6c696d616673`, found: found === undefined ? `no ${NAME} on the host file` : `${NAME}=${found}`, stage: 'host', class: 'silent' })
    },
  },
])
