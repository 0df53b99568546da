// What Node has no API for: xattrs, fifos and device nodes (and more: see python/). Python 3
// (a long-lived helper process, ~0.5 s to start under emulation, so started once) when the
// guest has it, else getfattr/setfattr and mkfifo/mknod. Which one ran is reported in the TAP header.
import { spawnSync } from 'node:child_process'
import { errnoFromMessage } from '../errno-names.ts'
import type { XattrTool } from '../capabilities.ts'
import type { OpResult } from './protocol.ts'
import { PythonHelper } from './python-helper.ts'

function tool(cmd: string, args: string[]): { ok: true; stdout: string } | { ok: false; errno: string; message: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' })
  if (r.error) return { ok: false, errno: 'EHELPER', message: `${cmd}: ${r.error.message}` }
  if (r.status !== 0) return { ok: false, errno: errnoFromMessage(r.stderr), message: r.stderr.trim() }
  return { ok: true, stdout: r.stdout }
}

/** xattr, fifo and device-node ops through whichever helper exists. */
export class SpecialFiles {
  private python?: PythonHelper
  /** Other guest processes by name (python3 helpers of their own): locks and the like are per process. */
  private readonly processes = new Map<string, PythonHelper>()

  constructor(readonly tool: XattrTool, eager = false) {
    // python3 takes ~0.6 s to start under emulation: when it will be needed soon, start it while
    // nothing waits; otherwise on first use.
    if (tool === 'python3' && eager) this.python = new PythonHelper()
  }

  /** Ends the python3 helper, if one runs (a worker's ends with the worker; a test's must be ended). */
  close(): void {
    this.python?.close()
    this.python = undefined
    for (const p of this.processes.values()) p.close()
    this.processes.clear()
  }

  async call(op: string, args: unknown[]): Promise<OpResult> {
    // A helper that died (a crash a check provoked) is replaced for the next call.
    if (this.tool === 'python3') {
      if (!this.python || this.python.ended) this.python = new PythonHelper()
      return this.python.call(op, args)
    }
    if (op.startsWith('mmap-')) return { ok: false, errno: 'ENOTOOL', message: 'mmap checks need python3 in the guest' }
    return this.viaTools(op, args)
  }

  /**
   * Runs a python3 helper op in the guest process NAME (started on first use, again after it
   * died): two names are really two processes, each with its own pid, descriptors and locks.
   */
  async callIn(name: string, op: string, args: unknown[]): Promise<OpResult> {
    if (this.tool !== 'python3') return { ok: false, errno: 'ENOTOOL', message: 'a guest process of its own needs python3 in the guest' }
    return this.live(name).call(op, args)
  }

  /** Starts the named processes now, side by side (each start costs ~0.5 s under emulation). */
  warm(names: readonly string[]): void {
    if (this.tool === 'python3') for (const name of names) this.live(name)
  }

  private live(name: string): PythonHelper {
    const running = this.processes.get(name)
    if (running && !running.ended) return running
    const helper = new PythonHelper(`python3 process ${name}`)
    this.processes.set(name, helper)
    return helper
  }

  private viaTools(op: string, a: unknown[]): OpResult {
    const p = String(a[0])
    switch (op) {
      case 'mkfifo': {
        const r = tool('mkfifo', ['-m', (a[1] as number).toString(8), p])
        return r.ok ? { ok: true } : r
      }
      case 'mknod': {
        const r = tool('mknod', ['-m', (a[1] as number).toString(8), p, String(a[2]), String(a[3]), String(a[4])])
        return r.ok ? { ok: true } : r
      }
    }
    if (this.tool === 'none') return { ok: false, errno: 'ENOTOOL', message: 'neither python3 nor getfattr/setfattr in the guest' }
    switch (op) {
      case 'getxattr': {
        const r = tool('getfattr', ['--absolute-names', '-e', 'hex', '-n', String(a[1]), p])
        if (!r.ok) return r
        const value = /=0x([0-9a-f]*)/.exec(r.stdout)?.[1] ?? (r.stdout.includes('=') ? '' : undefined)
        return value === undefined ? { ok: false, errno: 'ENODATA', message: r.stdout.trim() } : { ok: true, value }
      }
      case 'setxattr': {
        if (a[3]) return { ok: false, errno: 'ENOTOOL', message: 'setfattr has no XATTR_CREATE/XATTR_REPLACE flags (install python3)' }
        const value = String(a[2])
        const r = tool('setfattr', ['-n', String(a[1]), ...(value ? ['-v', `0x${value}`] : []), p])
        return r.ok ? { ok: true } : r
      }
      case 'listxattr': {
        const r = tool('getfattr', ['--absolute-names', '-m', '-', p])
        if (!r.ok) return r
        const names = r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('=')[0]!).sort()
        return { ok: true, value: names }
      }
      case 'removexattr': {
        const r = tool('setfattr', ['-x', String(a[1]), p])
        return r.ok ? { ok: true } : r
      }
    }
    return { ok: false, errno: 'EHELPER', message: `unknown op ${op}` }
  }
}

/** POSIX ACLs through setfacl/getfacl (no Python API for them). */
export function aclOp(op: 'setfacl' | 'getfacl', path: string, spec?: string): OpResult {
  const r = op === 'setfacl' ? tool('setfacl', ['-m', spec ?? '', path]) : tool('getfacl', ['--omit-header', '--absolute-names', path])
  if (!r.ok) return r
  return { ok: true, value: op === 'getfacl' ? r.stdout.trim().split('\n').filter(Boolean).join(',') : undefined }
}
