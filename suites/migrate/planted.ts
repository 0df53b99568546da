// The reverse risk of a switch: what a NON-root guest user can write as plain data under one
// model, in the very form another model keeps ownership in (QEMU hw/9pfs/9p-local.c):
//   mapped-xattr  user.virtfs.uid/gid/mode (4 bytes, little-endian; mode with its type bits) and
//                 user.virtfs.rdev (8 bytes) on the host file
//   mapped-file   DIR/.virtfs_metadata/NAME, lines "virtfs.uid=N" (decimal; mode with its type bits)
// The user plants a root owner with a setuid mode, and a device type, on files of their own. A
// model that passes such xattrs or names through stores them as data; a model that reads them
// then reports an owner, mode or type the user could never have set.
import type { Arg } from '../../agent/check-api.ts'
import { property, type Look, type Property } from './look.ts'

/** The dir (mode 0777, made by root) the user plants in. */
export const PLANTED_DIR = 'planted'

const S_IFREG = 0o100000
const S_IFCHR = 0o020000
/** makedev(1, 3) as Linux encodes small numbers: /dev/null's numbers, harmless if ever opened. */
const DEV_1_3 = (1 << 8) | 3
const PLANTED_SETUID_MODE = S_IFREG | 0o4755
const PLANTED_DEVICE_MODE = S_IFCHR | 0o666
const hex = (text: string) => Buffer.from(text).toString('hex')
const le32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(n)
  return b.toString('hex')
}
const le64 = (n: number) => {
  const b = Buffer.alloc(8)
  b.writeBigUInt64LE(BigInt(n))
  return b.toString('hex')
}

export interface PlantedObject {
  object: string
  name: string
  title: string
  /** tree-make steps as the ordinary user, relative to the planted dir: the first makes the user's file, the rest plant. */
  steps: Arg[][]
  properties: readonly Property[]
  /** What the finding is about, for the security line. */
  what: string
}

export const PLANTED: readonly PlantedObject[] = [
  {
    object: 'planted-owner-xattr', name: 'owner-xattr', title: "a guest user's file on which they set user.virtfs.uid/gid 0 and mode 04755 (mapped-xattr's form)",
    steps: [
      ['write', 'owner-xattr', hex('planted\n'), 0o644],
      ['setxattr', 'owner-xattr', 'user.virtfs.uid', le32(0)],
      ['setxattr', 'owner-xattr', 'user.virtfs.gid', le32(0)],
      ['setxattr', 'owner-xattr', 'user.virtfs.mode', le32(PLANTED_SETUID_MODE)],
    ],
    properties: ['owner', 'mode'],
    what: "a guest user's file with planted user.virtfs.* xattrs is",
  },
  {
    object: 'planted-device-xattr', name: 'device-xattr', title: "a guest user's file on which they set user.virtfs.mode to a character device and user.virtfs.rdev",
    steps: [
      ['write', 'device-xattr', '', 0o644],
      ['setxattr', 'device-xattr', 'user.virtfs.mode', le32(PLANTED_DEVICE_MODE)],
      ['setxattr', 'device-xattr', 'user.virtfs.rdev', le64(DEV_1_3)],
    ],
    properties: ['type'],
    what: "a guest user's file with a planted user.virtfs.mode is",
  },
  {
    object: 'planted-owner-metadata', name: 'owner-metadata', title: "a guest user's file for which they write .virtfs_metadata/NAME with uid 0 and mode 04755 (mapped-file's form)",
    steps: [
      ['write', 'owner-metadata', hex('planted\n'), 0o644],
      ['mkdir', '.virtfs_metadata', 0o755],
      ['write', '.virtfs_metadata/owner-metadata', hex(`virtfs.uid=0\nvirtfs.gid=0\nvirtfs.mode=${PLANTED_SETUID_MODE}\n`), 0o644],
    ],
    properties: ['owner', 'mode'],
    what: "a guest user's file with a planted .virtfs_metadata entry is",
  },
  {
    object: 'planted-device-metadata', name: 'device-metadata', title: "a guest user's file for which they write .virtfs_metadata/NAME with a character device's mode and rdev",
    steps: [
      ['write', 'device-metadata', '', 0o644],
      ['mkdir', '.virtfs_metadata', 0o755],
      ['write', '.virtfs_metadata/device-metadata', hex(`virtfs.mode=${PLANTED_DEVICE_MODE}\nvirtfs.rdev=${DEV_1_3}\n`), 0o644],
    ],
    properties: ['type'],
    what: "a guest user's file with a planted .virtfs_metadata entry is",
  },
]

/** The planted dir as root makes it, relative to the suite's sibling dir: anyone may write there. */
export const PLANTED_DIR_STEPS: Arg[][] = [['mkdir', PLANTED_DIR, 0o777], ['chmod', PLANTED_DIR, 0o777]]

/** Every planting step as the user, relative to the planted dir (the .virtfs_metadata dir is made once). */
export function plantedSteps(): Arg[][] {
  const seen = new Set<string>()
  return PLANTED.flatMap((o) => o.steps).filter((step) => {
    const key = JSON.stringify(step)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** What the planting steps of an object met (errno names of the refused ones), for the note. */
export function refusedPlantings(o: PlantedObject, steps: readonly Arg[][], results: readonly (string | null)[]): string[] {
  return o.steps.slice(1).flatMap((step) => {
    const r = results[steps.findIndex((s) => JSON.stringify(s) === JSON.stringify(step))]
    const [op, rel, name] = step
    return r ? [`${String(op)} ${op === 'setxattr' ? String(name) : String(rel)}: ${r}`] : []
  })
}

export function plantedValue(look: Look, o: PlantedObject, p: Property): string {
  return property(look, `${PLANTED_DIR}/${o.name}`, p)
}
