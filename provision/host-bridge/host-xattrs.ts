// Reading a host file's xattrs without following symlinks, with the platform's own tool:
// getfattr on Linux (attr package), xattr(1) on macOS. Node has no xattr API.
import { platform } from 'node:os'
import { run } from '../process.ts'

/** `getfattr -h -d -m - -e hex --absolute-names PATH` output -> name -> hex value. */
function parseGetfattr(output: string): Record<string, string> {
  const values: Record<string, string> = {}
  for (const line of output.split('\n')) {
    const m = /^([^#=\s][^=]*)=(?:0x([0-9a-fA-F]*)|"(.*)")?$/.exec(line.trim())
    if (!m) continue
    values[m[1]!] = m[2] !== undefined ? m[2].toLowerCase() : m[3] !== undefined ? Buffer.from(m[3]).toString('hex') : ''
  }
  return values
}

/** `xattr -l -x -s PATH` (macOS) output: "name:" then hex dump lines "00000000  62 70 ..  |..|". */
function parseMacXattr(output: string): Record<string, string> {
  const values: Record<string, string> = {}
  let current: string | undefined
  for (const line of output.split('\n')) {
    const dump = /^[0-9a-fA-F]{8}\s+((?:[0-9a-fA-F]{2}\s?)+)/.exec(line)
    if (dump && current !== undefined) {
      values[current] += dump[1]!.replace(/\s+/g, '').toLowerCase()
      continue
    }
    const name = /^(\S.*):$/.exec(line)
    if (name) {
      current = name[1]!
      values[current] = ''
    }
  }
  return values
}

export async function readHostXattrs(path: string): Promise<Record<string, string> | { error: string }> {
  const mac = platform() === 'darwin'
  const result = mac ? await run('xattr', ['-l', '-x', '-s', path]) : await run('getfattr', ['-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', path])
  if (result.failed) {
    const why = result.stderr.trim() || `exit ${result.exitCode}`
    return { error: /ENOENT|not found/i.test(why) && result.exitCode === undefined ? `${mac ? 'xattr' : 'getfattr'} is not installed on the host` : why }
  }
  return mac ? parseMacXattr(result.stdout) : parseGetfattr(result.stdout)
}

/** QEMU mapped-xattr's user.virtfs.* values: uid/gid/mode 4-byte and rdev 8-byte little-endian. */
export function decodeVirtfs(xattrs: Record<string, string>): { uid?: number; gid?: number; mode?: string; rdev?: number } | undefined {
  const num = (hex: string | undefined) => (hex && hex.length >= 8 ? Buffer.from(hex, 'hex').readUInt32LE(0) : undefined)
  const out: { uid?: number; gid?: number; mode?: string; rdev?: number } = {}
  const uid = num(xattrs['user.virtfs.uid'])
  const gid = num(xattrs['user.virtfs.gid'])
  const mode = num(xattrs['user.virtfs.mode'])
  const rdevHex = xattrs['user.virtfs.rdev']
  if (uid !== undefined) out.uid = uid
  if (gid !== undefined) out.gid = gid
  if (mode !== undefined) out.mode = (mode & 0o7777).toString(8).padStart(4, '0')
  if (rdevHex && rdevHex.length >= 16) out.rdev = Number(Buffer.from(rdevHex, 'hex').readBigUInt64LE(0))
  return Object.keys(out).length ? out : undefined
}
