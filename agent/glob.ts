// Shell-style globs for check ids and config names (the matrix's `expect` entries): `*` matches
// any run of characters (`/` included, so `symlink/*` is a whole suite), `?` exactly one
// character, everything else itself. The whole text must match.

export function globMatch(pattern: string, text: string): boolean {
  return globRegExp(pattern).test(text)
}

/** The glob as a RegExp, for matching many texts against one pattern. */
export function globRegExp(pattern: string): RegExp {
  const body = Array.from(pattern, (c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.+()[\]{}|/-]/g, '\\$&'))).join('')
  return new RegExp(`^${body}$`, 's')
}
