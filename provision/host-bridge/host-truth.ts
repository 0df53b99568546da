// Decoding what the host stored for QEMU's mapped security models (pure): mapped-xattr's
// user.virtfs.* xattrs and mapped-file's .virtfs_metadata/NAME text.

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

/** QEMU mapped-file's metadata file: `key=value` lines. */
export function parseVirtfsMetadata(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
}
