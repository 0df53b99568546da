// Escaping for report.html: every text that came from a run (check ids, diagnostics, config
// names, environment values) goes through one of these, so it renders as text, never as markup.

/** Text for an element's content or a double-quoted attribute value. */
export function esc(value: string | number): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/**
 * JSON to put inside <script type="application/json">: `<`, `>` and `&` as \u escapes, so no
 * value can close the element (`</script>`) or open a comment; U+2028/2029 too.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
