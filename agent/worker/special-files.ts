// What Node has no API for: xattrs, fifos and device nodes. Python 3 (a long-lived helper
// process, ~0.5 s to start under emulation, so started once) when the guest has it, else
// getfattr/setfattr and mkfifo/mknod. Which one ran is reported in the TAP header.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'
import { errnoFromMessage, normalizeErrno } from '../errno-names.ts'
import type { XattrTool } from '../capabilities.ts'
import type { OpResult } from './protocol.ts'

const PYTHON_HELPER = String.raw`
import sys, os, json, errno, mmap, time, ctypes
LIBC = ctypes.CDLL(None, use_errno=True)
def sysc(rc):
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
FLAGS = {'create': os.XATTR_CREATE, 'replace': os.XATTR_REPLACE}
MAPS = {}
for line in sys.stdin:
    req = json.loads(line)
    op, a = req['op'], req['args']
    try:
        v = None
        if op == 'getxattr': v = os.getxattr(a[0], a[1]).hex()
        elif op == 'setxattr': os.setxattr(a[0], a[1], bytes.fromhex(a[2]), FLAGS.get(a[3], 0))
        elif op == 'bench-xattr':
            # The bench suite: set then get an xattr on each path (never following a symlink),
            # each call timed here, so the helper's pipe is not part of the figures.
            lat, t0 = [], time.perf_counter()
            for p in a[0]:
                t = time.perf_counter()
                os.setxattr(p, a[1], bytes.fromhex(a[2]), 0, follow_symlinks=False)
                lat.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                os.getxattr(p, a[1], follow_symlinks=False)
                lat.append((time.perf_counter() - t) * 1000)
            v = {'totalMs': (time.perf_counter() - t0) * 1000, 'latenciesMs': lat}
        elif op == 'listxattr': v = sorted(os.listxattr(a[0]))
        elif op == 'removexattr': os.removexattr(a[0], a[1])
        elif op == 'mkfifo': os.mkfifo(a[0], a[1])
        elif op == 'mknod': os.mknod(a[0], a[1] | (0o020000 if a[2] == 'c' else 0o060000), os.makedev(a[3], a[4]))
        elif op == 'sync': os.sync()
        elif op == 'umount': sysc(LIBC.umount2(a[0].encode(), 0))
        elif op == 'mount': sysc(LIBC.mount(a[0].encode(), a[1].encode(), a[2].encode(), ctypes.c_ulong(a[3]), a[4].encode() if a[4] else None))
        elif op == 'mmap-write':
            data = a[1].encode()
            with open(a[0], 'r+b') as f:
                m = mmap.mmap(f.fileno(), len(data), mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
                m[:len(data)] = data
                m.flush()
                m.close()
        elif op == 'mmap-open':
            f = open(a[0], 'r+b')
            m = mmap.mmap(f.fileno(), 0, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            v = len(MAPS) + 1
            MAPS[v] = (f, m)
        elif op == 'mmap-read': v = MAPS[a[0]][1][:].decode(errors='replace')
        elif op == 'mmap-close':
            f, m = MAPS.pop(a[0])
            m.close()
            f.close()
        else: raise ValueError('unknown op ' + op)
        res = {'ok': True, 'value': v}
    except OSError as e:
        res = {'ok': False, 'errno': errno.errorcode.get(e.errno, 'E%d' % e.errno), 'message': e.strerror or str(e)}
    except Exception as e:
        res = {'ok': False, 'errno': 'EHELPER', 'message': str(e)}
    sys.stdout.write(json.dumps(res) + '\n')
    sys.stdout.flush()
`

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
