// Lima's ssh.config (pkg/hostagent writeSSHConfigFile): what limafs needs to connect is read from
// the first Host block, quotes removed, IdentityFiles in order; ssh_config's other spellings
// (Key=Value, any case) are read too; a file without them is an error saying what is missing.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { parseSshConfig, SshConfigError } from '../../provision/lima/ssh-config.ts'
import { LIMA_FIXTURES } from '../helpers/lima.ts'

t.test("Lima 2.2's ssh.config: Hostname, Port, User and the IdentityFiles, unquoted", async (t) => {
  const entry = parseSshConfig(readFileSync(join(LIMA_FIXTURES, 'ssh.config'), 'utf8'))
  t.strictSame(entry, {
    host: 'lima-limafs-run-7-9p', hostname: '127.0.0.1', port: 60022, user: 'runner',
    identityFiles: ['/Users/runner/.lima/_config/user', '/Users/runner/.ssh/id_ed25519'],
  })
})

t.test("ssh_config's other spellings: Key=Value, keys in any case, single quotes (Lima on Windows)", async (t) => {
  const entry = parseSshConfig("Host lima-x\n  identityfile='C:/lima/_config/user'\n  USER=me\n  HostName = 127.0.0.1\n  port=2222\n")
  t.strictSame(entry, { host: 'lima-x', hostname: '127.0.0.1', port: 2222, user: 'me', identityFiles: ['C:/lima/_config/user'] })
})

t.test('only the first Host block counts, and the first value of a key wins (as in ssh)', async (t) => {
  const entry = parseSshConfig('Host a\n  User first\n  User second\n  Hostname h\n  Port 22\n  IdentityFile k\nHost b\n  User other\n  IdentityFile k2\n')
  t.match(entry, { host: 'a', user: 'first', identityFiles: ['k'] })
})

t.test('a file without what limafs needs is an error naming the missing keys and the file', async (t) => {
  t.throws(() => parseSshConfig('Host x\n  User me\n', '/i/ssh.config'), SshConfigError)
  t.throws(() => parseSshConfig('Host x\n  User me\n', '/i/ssh.config'), /\/i\/ssh\.config: no hostname, port, identityfile/)
  t.throws(() => parseSshConfig('Host x\n  User me\n  Hostname h\n  Port 99999\n  IdentityFile k\n'), /Port "99999" is not a port number/)
  t.throws(() => parseSshConfig('Host x\n  "quoted key" v\n', 'f'), /f:2: not a "Key Value" line/)
})
