// The testbed's ssh keys, made once into the cache: our client key and the guest's host key,
// which is baked into the initramfs and pinned when we connect.
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { InfraError } from '../errors.ts'
import { run } from '../process.ts'

export interface TestbedKeys {
  clientPrivateKey: Buffer
  clientPublicKey: string
  hostPrivateKey: Buffer
  hostPublicKey: string
}

async function ensureKey(path: string, comment: string): Promise<void> {
  if (existsSync(path) && existsSync(`${path}.pub`)) return
  const result = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path])
  if (result.failed) {
    throw new InfraError(`ssh-keygen could not make ${path}: ${result.stderr.trim() || result.stdout.trim() || 'not found'}`, {
      hint: 'install OpenSSH (apt-get install openssh-client openssh-server)',
    })
  }
}

export async function ensureKeys(cacheDir: string): Promise<TestbedKeys> {
  const dir = join(cacheDir, 'keys')
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const client = join(dir, 'client_ed25519')
  const host = join(dir, 'host_ed25519')
  await ensureKey(client, 'limafs-testbed-client')
  await ensureKey(host, 'limafs-testbed-host')
  return {
    clientPrivateKey: readFileSync(client),
    clientPublicKey: readFileSync(`${client}.pub`, 'utf8').trim(),
    hostPrivateKey: readFileSync(host),
    hostPublicKey: readFileSync(`${host}.pub`, 'utf8').trim(),
  }
}
