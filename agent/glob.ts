// Shell-style globs for check ids and config names (the matrix's `expect` entries): `*` matches
// any run of characters (`/` included, so `symlink/*` is a whole suite), `?` exactly one
// character, everything else itself. The whole text must match.

/** Compiled patterns: a run matches every point against every TODO glob (a thousand points, dozens of globs). */
const compiled = new Map<string, RegExp>()

export function globMatch(pattern: string, text: string): boolean {
  let re = compiled.get(pattern)
  if (!re) {
    const body = Array.from(pattern, (c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.+()[\]{}|/-]/g, '\\$&'))).join('')
    re = new RegExp(`^${body}$`, 's')
    compiled.set(pattern, re)
  }
  return re.test(text)
}
