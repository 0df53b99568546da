// Shell-style globs for check ids and config names: `*` any run of characters, `?` one.
// Used for the matrix's known deviations (expect: check/config patterns).

export function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`)
  return re.test(text)
}
