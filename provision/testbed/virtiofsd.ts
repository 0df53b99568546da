// virtiofsd for a virtiofs share. Lima runs the Rust virtiofsd unprivileged
// (`--socket-path SOCK --shared-dir DIR`); Debian 12 ships only QEMU's C virtiofsd, which must
// run as root and takes `-o source=DIR`. Which one is found is recorded in the environment.
import { existsSync, readFileSync } from 'node:fs'
import { InfraError, tail } from '../errors.ts'
import { isAlive, run, sleep, startDetached } from '../process.ts'

export interface Virtiofsd {
  binary: string
  flavour: 'rust' | 'c'
}

const CANDIDATES = ['/usr/libexec/virtiofsd', '/usr/lib/qemu/virtiofsd']

export async function findVirtiofsd(): Promise<Virtiofsd | undefined> {
  for (const binary of CANDIDATES) {
    if (!existsSync(binary)) continue
    // Lima tells them apart by --version failing on the C one; QEMU 7.2's C virtiofsd answers it
    // too ("virtiofsd version 7.2.22 ... using FUSE kernel interface"), so look at what it says.
    const version = await run(binary, ['--version'], { timeoutMs: 5_000 })
    return { binary, flavour: version.failed || /FUSE kernel interface|QEMU/i.test(version.stdout) ? 'c' : 'rust' }
  }
  return undefined
}

export function virtiofsdArgs(flavour: Virtiofsd['flavour'], socketPath: string, sharedDir: string): string[] {
  return flavour === 'rust' ? ['--socket-path', socketPath, '--shared-dir', sharedDir] : [`--socket-path=${socketPath}`, '-o', `source=${sharedDir}`]
}

/** Starts one virtiofsd and waits for its socket (QEMU connects to it at start). */
export async function startVirtiofsd(binary: string, args: string[], socketPath: string, logFile: string): Promise<number> {
  const pid = startDetached(binary, args, logFile)
  const deadline = Date.now() + 5_000
  while (!existsSync(socketPath)) {
    if (Date.now() > deadline || !isAlive(pid)) {
      const log = existsSync(logFile) ? tail(readFileSync(logFile, 'utf8'), 5) : ''
      throw new InfraError(`virtiofsd ${isAlive(pid) ? 'never created its socket' : 'exited before creating its socket'} ${socketPath}${log ? `:\n${log}` : ''}`)
    }
    await sleep(20)
  }
  return pid
}
