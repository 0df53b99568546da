// Markdown pieces every summary uses: a table, text and code spans safe in a table cell.

export function table(header: string[], rows: string[][]): string {
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')
}

/** Characters no reader wants raw in a summary: shown as \xNN. */
function visible(s: string): string {
  return s.replace(/[\x00-\x08\x0B-\x1F\x7F]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/\r?\n|\t/g, ' ')
}

/** Plain markdown text safe in a table cell: markdown and HTML punctuation backslash-escaped. */
export function md(s: string): string {
  return visible(s).replace(/[\\`*_[\]<>|&#~]/g, '\\$&')
}

/** A code span safe in a table cell (a pipe is escaped; backticks get a longer fence). */
export function code(s: string): string {
  const body = visible(s).replace(/\|/g, '\\|')
  if (!body) return '` `'
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((m) => m.length))
  const fence = '`'.repeat(longest + 1)
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${body}${pad}${fence}`
}
