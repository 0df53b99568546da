// Just enough ELF64 (little-endian) reading for the testbed: a kernel module's .modinfo, whether
// busybox is static, whether a vmlinux can be booted directly through PVH.

function assertElf64(elf: Buffer): void {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) {
    throw new Error('not an ELF64 little-endian file')
  }
}

interface ProgramHeader {
  type: number
  offset: number
  size: number
}

function programHeaders(elf: Buffer): ProgramHeader[] {
  assertElf64(elf)
  const phoff = Number(elf.readBigUInt64LE(0x20))
  const phentsize = elf.readUInt16LE(0x36)
  const phnum = elf.readUInt16LE(0x38)
  return Array.from({ length: phnum }, (_, i) => {
    const base = phoff + i * phentsize
    return { type: elf.readUInt32LE(base), offset: Number(elf.readBigUInt64LE(base + 0x08)), size: Number(elf.readBigUInt64LE(base + 0x20)) }
  })
}

const PT_INTERP = 3
const PT_NOTE = 4
/** XEN_ELFNOTE_PHYS32_ENTRY: the kernel's PVH entry point; QEMU then boots the ELF directly. */
const XEN_ELFNOTE_PHYS32_ENTRY = 18

/** True when the ELF file needs no dynamic loader (no PT_INTERP). */
export function isStaticElf(elf: Buffer): boolean {
  try {
    return !programHeaders(elf).some((ph) => ph.type === PT_INTERP)
  } catch {
    return false
  }
}

/** True when a vmlinux carries the Xen PVH entry note, so QEMU can boot it without decompressing. */
export function hasPvhEntry(elf: Buffer): boolean {
  for (const ph of programHeaders(elf).filter((p) => p.type === PT_NOTE)) {
    let at = ph.offset
    const end = ph.offset + ph.size
    while (at + 12 <= end) {
      const namesz = elf.readUInt32LE(at)
      const descsz = elf.readUInt32LE(at + 4)
      const type = elf.readUInt32LE(at + 8)
      const name = elf.toString('latin1', at + 12, at + 12 + Math.max(0, namesz - 1))
      if (name === 'Xen' && type === XEN_ELFNOTE_PHYS32_ENTRY) return true
      at += 12 + Math.ceil(namesz / 4) * 4 + Math.ceil(descsz / 4) * 4
    }
  }
  return false
}

/** key=value pairs of a kernel module's .modinfo section. */
export function readModinfo(elf: Buffer): Map<string, string[]> {
  assertElf64(elf)
  const shoff = Number(elf.readBigUInt64LE(0x28))
  const shentsize = elf.readUInt16LE(0x3a)
  const shnum = elf.readUInt16LE(0x3c)
  const shstrndx = elf.readUInt16LE(0x3e)
  const section = (i: number) => {
    const base = shoff + i * shentsize
    return { name: elf.readUInt32LE(base), offset: Number(elf.readBigUInt64LE(base + 0x18)), size: Number(elf.readBigUInt64LE(base + 0x20)) }
  }
  const names = section(shstrndx)
  const nameAt = (off: number) => {
    const start = names.offset + off
    return elf.toString('latin1', start, elf.indexOf(0, start))
  }
  const info = new Map<string, string[]>()
  for (let i = 0; i < shnum; i++) {
    const s = section(i)
    if (nameAt(s.name) !== '.modinfo') continue
    for (const entry of elf.toString('latin1', s.offset, s.offset + s.size).split('\0')) {
      const eq = entry.indexOf('=')
      if (eq <= 0) continue
      const key = entry.slice(0, eq)
      info.set(key, [...(info.get(key) ?? []), entry.slice(eq + 1)])
    }
  }
  return info
}
