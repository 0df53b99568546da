// Is the dir shared into a running VM? Converting a share under a guest that has it mounted
// would change its files under its caches (and QEMU writes metadata of its own meanwhile).
// What is checked:
//   - every running QEMU (qemu-system-*, qemu-kvm) and virtiofsd: the paths its command line
//     exports (-virtfs/-fsdev path=, virtiofsd --shared-dir / -o source=), read from
//     /proc/PID/cmdline on Linux and from `ps -axww -o pid=,args=` on macOS; a read-only export
//     (readonly / readonly=on) does not count: the VM can't write there
//   - every running Lima instance (`limactl list --json`, when limactl is on PATH): its mounts'
//     locations. This covers VZ, whose virtiofs runs inside Lima's host agent, where no command
//     line names the dir
// A VM holds the dir when it exports the dir itself, a dir above it, or a dir inside it.
import { readdirSync, readFileSync, realpathSync } from 'node:fs'
import { homedir, platform } from 'node:os'
import { basename, resolve } from 'node:path'
import { run } from '../process.ts'

export interface VmProcess {
  pid: number
  argv: string[]
}

export interface Holder {
  /** "QEMU pid 123", "virtiofsd pid 45", "Lima instance default". */
  who: string
  /** The exported path that contains the dir or lies inside it. */
  path: string
}

const VM_BINARY = /^(qemu-system-.*|qemu-kvm|virtiofsd)$/

/** Writable paths a QEMU or virtiofsd command line exports. */
export function exportsOf(argv: readonly string[]): string[] {
  const out: string[] = []
  for (const [i, arg] of argv.entries()) {
    if (/(^|,)readonly(=on)?(,|$)/.test(arg)) continue
    if (arg === '--shared-dir' && argv[i + 1]?.startsWith('/')) out.push(argv[i + 1]!)
    for (const piece of arg.split(',')) {
      const m = /^(?:--)?(path|source|shared-dir)=(\/.*)$/.exec(piece)
      if (m) out.push(m[2]!)
    }
  }
  return out
}

const real = (p: string) => {
  try {
    return realpathSync(p)
  } catch {
    return resolve(p)
  }
}

/** Does an exported path hold dir (is it dir, above it, or inside it)? */
export function holds(exported: string, dir: string): boolean {
  const e = real(exported)
  return e === dir || dir.startsWith(e === '/' ? '/' : `${e}/`) || e.startsWith(`${dir}/`)
}

/** The VMs that hold dir (already a real path), from processes and Lima instances given. */
export function holdersOf(dir: string, processes: readonly VmProcess[], limaMounts: ReadonlyArray<{ instance: string; location: string }>): Holder[] {
  const fromProcesses = processes.filter((p) => VM_BINARY.test(basename(p.argv[0] ?? ''))).flatMap((p) =>
    exportsOf(p.argv).filter((path) => holds(path, dir)).map((path) => ({ who: `${basename(p.argv[0]!).startsWith('virtiofsd') ? 'virtiofsd' : 'QEMU'} pid ${p.pid}`, path })))
  const fromLima = limaMounts.filter((m) => holds(m.location, dir)).map((m) => ({ who: `Lima instance ${m.instance}`, path: m.location }))
  // One line per process and path, however often its command line names it.
  return [...fromProcesses, ...fromLima].filter((h, i, all) => all.findIndex((o) => o.who === h.who && o.path === h.path) === i)
}

/** Running processes with their command lines (Linux: /proc; macOS: ps). */
export async function vmProcesses(): Promise<VmProcess[]> {
  if (platform() === 'linux') {
    return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).flatMap((n) => {
      try {
        return [{ pid: Number(n), argv: readFileSync(`/proc/${n}/cmdline`, 'utf8').split('\0').filter(Boolean) }]
      } catch {
        return [] // gone meanwhile, or not ours to read
      }
    })
  }
  const ps = await run('ps', ['-axww', '-o', 'pid=,args='])
  // ps joins the arguments with spaces: a path with spaces can't be told apart, split is the best there is.
  return ps.stdout.split('\n').flatMap((line) => {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line)
    return m ? [{ pid: Number(m[1]), argv: m[2]!.split(' ') }] : []
  })
}

/** Mount locations of running Lima instances (none when limactl is not there). */
export async function limaMounts(): Promise<Array<{ instance: string; location: string }>> {
  const listed = await run('limactl', ['list', '--json'], { timeoutMs: 30_000 })
  if (listed.failed) return []
  return listed.stdout.split('\n').filter((l) => l.trim().startsWith('{')).flatMap((line) => {
    const i = JSON.parse(line) as { name?: string; status?: string; config?: { mounts?: Array<{ location?: string }> } }
    if (i.status !== 'Running') return []
    return (i.config?.mounts ?? []).flatMap((m) => (m.location ? [{ instance: i.name ?? '?', location: m.location.replace(/^~(?=\/|$)/, homedir()) }] : []))
  })
}

/** What the check looked at, for the report. */
export const MOUNT_CHECK = platform() === 'linux'
  ? 'no running QEMU or virtiofsd exports it, a dir above it or one inside it (/proc/*/cmdline), and no running Lima instance mounts one (limactl list)'
  : 'no running QEMU or virtiofsd exports it, a dir above it or one inside it (ps), and no running Lima instance mounts one (limactl list: VZ instances too)'
