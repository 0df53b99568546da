// Whether the guest's ordinary user can reach a mount's scratch dir at all. Run by hand as root
// on a share under a home dir that is 0700 (or any parent closed to them), every check that acts
// as that user would fail at setup with EACCES: a fact about the path, not about the share. Those
// points are SKIPs that say so instead.
import type { OpRunner } from './op-runner.ts'

/** Why the ordinary user can't reach `userDir` (their worker's lstat fails EACCES or EPERM), or undefined when they can. */
export async function userUnreachable(userOps: OpRunner, userDir: string, path: string, user: { uid: number }, timeoutMs: number): Promise<string | undefined> {
  const looked = await userOps.call('lstat', [userDir], timeoutMs)
  if (looked.ok || (looked.errno !== 'EACCES' && looked.errno !== 'EPERM')) return undefined
  return `the ordinary user (uid ${user.uid}) cannot reach ${path}: ${looked.errno} (a parent dir is closed to them, as a 0700 home is); what they do is not measured here`
}
