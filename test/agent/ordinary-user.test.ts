import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { ordinaryUser } from '../../agent/capabilities.ts'
import { tempDir } from '../helpers/agent-bundle.ts'

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  'alice:x:1001:1002::/home/alice:/bin/bash',
  'bob:x:1003:1003::/home/bob:/bin/bash',
  '',
].join('\n')

t.test('the ordinary user: --user, else SUDO_UID, else the first passwd uid from 1000, else 1000', async (t) => {
  const dir = tempDir(t)
  const passwd = join(dir, 'passwd')
  writeFileSync(passwd, PASSWD)
  const onlySystem = join(dir, 'passwd-system')
  writeFileSync(onlySystem, 'root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n')
  const missing = join(dir, 'no-such-passwd')
  const sudo = { SUDO_UID: '501', SUDO_GID: '20' }
  const table: Array<[string, string | undefined, NodeJS.ProcessEnv, string, { uid: number; gid: number }]> = [
    ['--user UID:GID wins over everything', '2000:3000', sudo, passwd, { uid: 2000, gid: 3000 }],
    ['--user UID alone takes its gid from the uid', '2000', sudo, passwd, { uid: 2000, gid: 2000 }],
    ['SUDO_UID and SUDO_GID without --user', undefined, sudo, passwd, { uid: 501, gid: 20 }],
    ['SUDO_UID without SUDO_GID', undefined, { SUDO_UID: '501' }, passwd, { uid: 501, gid: 501 }],
    ['SUDO_UID 0 (sudo from root) does not count', undefined, { SUDO_UID: '0', SUDO_GID: '0' }, passwd, { uid: 1001, gid: 1002 }],
    ['no sudo: the first passwd account from 1000 (not nobody)', undefined, {}, passwd, { uid: 1001, gid: 1002 }],
    ['no account from 1000: 1000', undefined, {}, onlySystem, { uid: 1000, gid: 1000 }],
    ['no passwd at all: 1000', undefined, {}, missing, { uid: 1000, gid: 1000 }],
  ]
  for (const [name, given, env, file, want] of table) t.strictSame(ordinaryUser(given, env, file), want, name)
})

t.test('by default the ordinary user comes from this machine\'s /etc/passwd', async (t) => {
  t.strictSame(ordinaryUser(undefined, {}), ordinaryUser(undefined, {}, '/etc/passwd'), 'the same user')
})
