// What Node has no API for: xattrs, fifos and device nodes (and more: see python/). Python 3
// (a long-lived helper process, ~0.5 s to start under emulation, so started once) when the
// guest has it, else getfattr/setfattr and mkfifo/mknod. Which one ran is reported in the TAP header.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'
import { errnoFromMessage, normalizeErrno } from '../errno-names.ts'
import type { XattrTool } from '../capabilities.ts'
import type { OpResult } from './protocol.ts'
import { PYTHON_HELPER } from './python/program.ts'

class PythonHelper {
  private proc: ChildProcessWithoutNullStreams
  private waiting: Array<(r: OpResult) => void> = []

  constructor() {
    this.proc = spawn('python3', ['-c', PYTHON_HELPER], { stdio: ['pipe', 'pipe', 'pipe'] })
    // Its own complaints (a traceback) go with the agent's progress, where they can be read.
    createInterface({ input: this.proc.stderr }).on('line', (line) => process.stderr.write(`limafs-agent: python3 helper: ${line}\n`))
    this.proc.stdin.on('error', () => {})
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      const r = JSON.parse(line) as OpResult
      if (!r.ok) r.errno = normalizeErrno(r.errno)
      this.waiting.shift()?.(r)
    })
    this.proc.on('exit', (code, signal) => {
      for (const w of this.waiting.splice(0)) w({ ok: false, errno: 'EHELPER', message: `python3 helper exited (${signal ?? `exit ${code}`})` })
    })
  }

  call(op: string, args: unknown[]): Promise<OpResult> {
    return new Promise((resolve) => {
      this.waiting.push(resolve)
      this.proc.stdin.write(`${JSON.stringify({ op, args })}\n`)
    })
  }

  /** Its stdin closed: the loop ends and the process exits. */
  close(): void {
    this.proc.stdin.end()
  }
}

function tool(cmd: string, args: string[]): { ok: true; stdout: string } | { ok: false; errno: string; message: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' })
  if (r.error) return { ok: false, errno: 'EHELPER', message: `${cmd}: ${r.error.message}` }
  if (r.status !== 0) return { ok: false, errno: errnoFromMessage(r.stderr), message: r.stderr.trim() }
  return { ok: true, stdout: r.stdout }
}

/** xattr, fifo and device-node ops through whichever helper exists. */
export class SpecialFiles {
  private python?: PythonHelper

  constructor(readonly tool: XattrTool, eager = false) {
    // python3 takes ~0.6 s to start under emulation: when it will be needed soon, start it while
    // nothing waits; otherwise on first use.
    if (tool === 'python3' && eager) this.python = new PythonHelper()
  }

  /** Lets the python3 helper (if started) exit; a worker never needs this, it exits with the agent. */
  close(): void {
    this.python?.close()
    this.python = undefined
  }

  async call(op: string, args: unknown[]): Promise<OpResult> {
    if (this.tool === 'python3') return (this.python ??= new PythonHelper()).call(op, args)
    if (op.startsWith('mmap-')) return { ok: false, errno: 'ENOTOOL', message: 'mmap checks need python3 in the guest' }
    return this.viaTools(op, args)
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
