// The ssh.config Lima writes in each instance dir (pkg/hostagent writeSSHConfigFile, rewritten at
// every start): a `Host lima-NAME` block of `  Key Value` lines, values quoted when Lima quotes
// them (IdentityFile "/path", ControlPath "/path"; single quotes on Windows). ssh_config also
// allows `Key=Value` and keys in any case. Pure: text in, what limafs needs to connect out.

export interface SshConfigEntry {
  host: string
  hostname: string
  port: number
  user: string
  /** In order; Lima's own key (LIMA_HOME/_config/user) first, then ~/.ssh ones when loadDotSSHPubKeys. */
  identityFiles: string[]
}

export class SshConfigError extends Error {
  override name = 'SshConfigError'
}

function unquote(value: string): string {
  const v = value.trim()
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return v.slice(1, -1)
  return v
}

/** The first Host block's connection settings. */
export function parseSshConfig(text: string, file = 'ssh.config'): SshConfigEntry {
  let host: string | undefined
  const values = new Map<string, string>()
  const identityFiles: string[] = []
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const m = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.*)$/.exec(line)
    if (!m) throw new SshConfigError(`${file}:${index + 1}: not a "Key Value" line: ${line.slice(0, 80)}`)
    const key = m[1]!.toLowerCase()
    const value = unquote(m[2]!)
    if (key === 'host' || key === 'match') {
      if (host !== undefined) break // only the first block is Lima's
      host = value
      continue
    }
    if (key === 'identityfile') identityFiles.push(value)
    else if (!values.has(key)) values.set(key, value) // ssh: the first value wins
  }
  const missing = ['hostname', 'port', 'user'].filter((k) => !values.get(k))
  if (!identityFiles.length) missing.push('identityfile')
  if (missing.length) throw new SshConfigError(`${file}: no ${missing.join(', ')} (is it Lima's ssh.config?)`)
  const port = Number(values.get('port'))
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SshConfigError(`${file}: Port ${JSON.stringify(values.get('port'))} is not a port number`)
  return { host: host ?? '', hostname: values.get('hostname')!, port, user: values.get('user')!, identityFiles }
}
