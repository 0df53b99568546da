// POSIX shell quoting for commands sent to a guest over ssh.

/** One word, safe inside a /bin/sh command line. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
}

export function shellJoin(words: readonly string[]): string {
  return words.map(shellQuote).join(' ')
}
