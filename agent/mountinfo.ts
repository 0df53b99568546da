// /proc/self/mountinfo, parsed (proc(5)). Used by the agent (what fs is this path on, how was it
// mounted, so a remount uses the same options) and by the host (what the guest really mounted).

export interface MountInfo {
  mountId: number
  parentId: number
  /** Path inside the mount's filesystem that is mounted here ("/" for a whole share). */
  root: string
  mountPoint: string
  /** Per-mount options (rw, noatime...). */
  mountOptions: string
  fsType: string
  /** The mount source: the mount tag for 9p and virtiofs. */
  source: string
  /** Per-superblock options: where 9p shows msize, trans, cache, access, version. */
  superOptions: string
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
export function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)))
}

export function parseMountinfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = []
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    const fields = line.split(' ')
    const sep = fields.indexOf('-', 6)
    if (sep < 0 || fields.length < sep + 4) throw new Error(`malformed mountinfo line: ${line}`)
    mounts.push({
      mountId: Number(fields[0]),
      parentId: Number(fields[1]),
      root: unescapeOctal(fields[3]!),
      mountPoint: unescapeOctal(fields[4]!),
      mountOptions: fields[5]!,
      fsType: fields[sep + 1]!,
      source: unescapeOctal(fields[sep + 2]!),
      superOptions: fields.slice(sep + 3).join(' '),
    })
  }
  return mounts
}

/** The mount a path lives on: the last-mounted entry whose mount point is the longest prefix. */
export function mountOf(mounts: readonly MountInfo[], path: string): MountInfo | undefined {
  let best: MountInfo | undefined
  for (const m of mounts) {
    const prefix = m.mountPoint === '/' ? '/' : `${m.mountPoint}/`
    if (path !== m.mountPoint && !path.startsWith(prefix)) continue
    if (!best || m.mountPoint.length >= best.mountPoint.length) best = m
  }
  return best
}

/** Options split into a map; flags without a value map to "" ("rw", "nodev"). */
export function optionMap(options: string): Map<string, string> {
  const map = new Map<string, string>()
  for (const opt of options.split(',')) {
    if (!opt) continue
    const eq = opt.indexOf('=')
    map.set(eq < 0 ? opt : opt.slice(0, eq), eq < 0 ? '' : opt.slice(eq + 1))
  }
  return map
}
