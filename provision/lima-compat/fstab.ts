// The guest side of a Lima mount: the /etc/fstab line cloud-init writes from Lima's cidata
// (pkg/cidata/cidata.go + user-data `mounts:`; cloud-init appends comment=cloudconfig).
import type { ShareConfig } from '../types.ts'
import { ramInBytes } from './ram-in-bytes.ts'

/** Mount options exactly as Lima puts them in fstab (without cloud-init's trailing comment). */
export function limaMountOptions(config: ShareConfig): string {
  // Lima: "don't fail the boot, if virtfs is not available".
  return `${mountOptionsWithoutNofail(config)},nofail`
}

/** The options that reach the kernel: Lima's, less the userspace-only nofail. */
export function mountOptionsWithoutNofail(config: ShareConfig): string {
  let options = config.writable ? 'rw' : 'ro'
  if (config.mountType === '9p') {
    const ninep = config.ninep
    if (!ninep) throw new Error(`config ${config.name}: mountType 9p without 9p settings`)
    const msize = ramInBytes(ninep.msize)
    if (msize === undefined) throw new Error(`config ${config.name}: msize ${JSON.stringify(ninep.msize)} is not a size`)
    options += `,trans=virtio,version=${ninep.protocolVersion},msize=${msize},cache=${ninep.cache}`
  }
  return options
}

/** fstab escapes blanks and backslashes in paths as octal (\040, \134), like cloud-init. */
export function escapeFstabField(field: string): string {
  return field.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)
}

/** One fstab line, tab-separated like cloud-init writes it. */
export function limaFstabLine(tag: string, mountPoint: string, config: ShareConfig): string {
  const fields = [tag, escapeFstabField(mountPoint), config.mountType, `${limaMountOptions(config)},comment=cloudconfig`, '0', '0']
  return fields.join('\t')
}
