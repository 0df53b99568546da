// A configuration name for a share limafs did not set up (an existing Lima instance's mount, an
// ssh guest's --mount): made from its guest mount path, so reports say which share it was.
// Pure. Names become file names (tap/<name>.tap), so they follow the matrix's CONFIG_NAME_RE.

/** "/Users/me/src" -> "Users-me-src"; "/" -> "root"; other characters become "_". */
export function configNameForPath(path: string): string {
  const name = path.split('/').filter(Boolean).join('-').replace(/[^A-Za-z0-9._-]/g, '_')
  return name === '' || name === '.' || name === '..' ? 'root' : name
}

/** Names for several paths, made unique with -2, -3... in order. */
export function configNamesForPaths(paths: readonly string[]): string[] {
  const seen = new Map<string, number>()
  return paths.map((path) => {
    const base = configNameForPath(path)
    const n = (seen.get(base) ?? 0) + 1
    seen.set(base, n)
    return n === 1 ? base : `${base}-${n}`
  })
}
