// A config's mount settings as lima.yaml names them, read from the config a run recorded (the
// matrix's filled-in ShareConfig: `ninep`, or `9p` as a matrix file spells it), and printed
// back as the lima.yaml lines that give the same mount.

export interface ShareSettings {
  mountType?: string
  writable?: boolean
  securityModel?: string
  cache?: string
  msize?: string
  protocolVersion?: string
  queueSize?: number
}

/** The settings a config recorded; a field it does not have is left out (Lima's default applied there). */
export function shareSettings(config: Readonly<Record<string, unknown>>): ShareSettings {
  const ninep = record(config.ninep) ?? record(config['9p'])
  const virtiofs = record(config.virtiofs)
  const settings: ShareSettings = {}
  if (typeof config.mountType === 'string') settings.mountType = config.mountType
  if (typeof config.writable === 'boolean') settings.writable = config.writable
  for (const key of ['securityModel', 'cache', 'msize', 'protocolVersion'] as const) {
    const value = ninep?.[key]
    if (typeof value === 'string' || typeof value === 'number') settings[key] = String(value)
  }
  if (typeof virtiofs?.queueSize === 'number') settings.queueSize = virtiofs.queueSize
  return settings
}

/** "9p mapped-xattr cache=mmap", "virtiofs": the settings in a few words. */
export function settingsText(s: ShareSettings): string {
  if (s.mountType !== '9p') return s.mountType ?? 'unknown mountType'
  return ['9p', s.securityModel ?? '(default securityModel)', `cache=${s.cache ?? '(default)'}`].join(' ')
}

/**
 * The lima.yaml lines for a mount with these settings: a `mountType:` line and one `mounts:`
 * entry (Lima's keys: location, writable, 9p: {securityModel, cache, msize, protocolVersion}).
 */
export function limaYamlSnippet(s: ShareSettings, location = '~'): string {
  const lines = [`mountType: ${scalar(s.mountType ?? '9p')}`]
  if (s.mountType === 'virtiofs') lines.push('# virtiofs: with vmType vz (macOS 13+), or vmType qemu on a Linux host')
  else if (s.mountType === '9p') lines.push('# 9p: with vmType qemu')
  lines.push('mounts:', `  - location: ${scalar(location)}  # the host directory to share`)
  if (s.writable !== undefined) lines.push(`    writable: ${s.writable}`)
  if (s.mountType === '9p') {
    const fields = (['securityModel', 'cache', 'msize', 'protocolVersion'] as const)
      .filter((k) => s[k] !== undefined)
      .map((k) => `${k}: ${scalar(s[k]!)}`)
    if (fields.length) lines.push(`    9p: { ${fields.join(', ')} }`)
  }
  if (s.mountType === 'virtiofs' && s.queueSize !== undefined) lines.push(`    virtiofs: { queueSize: ${s.queueSize} }  # Linux hosts only`)
  return `${lines.join('\n')}\n`
}

/** A YAML scalar: plain when it is safe as one, double-quoted otherwise. */
function scalar(value: string): string {
  return /^[A-Za-z0-9][\w.-]*$/.test(value) && !/^(?:true|false|yes|no|on|off|null|~)$/i.test(value) ? value : JSON.stringify(value)
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
}
