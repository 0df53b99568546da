// TAP 14 as node-tap writes it: "# Subtest: NAME" with the subtest's lines indented by four
// spaces, then a closing point for the subtest; YAML diagnostics between "  ---" and "  ...";
// "# SKIP reason" / "# TODO reason" directives. Written line by line so a crash loses nothing.
// (node-tap's own emitter is not used: it rewrites wanted/found into a diff and adds call sites.)

export type Directive = { skip: string } | { todo: string } | Record<string, never>

export interface Point {
  ok: boolean
  name: string
  directive?: Directive
  diagnostics?: Record<string, unknown>
}

/** Plain scalars YAML reads back as the same string; everything else is JSON-quoted. */
function yamlScalar(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  const s = String(value)
  const plain = /^[A-Za-z_/.][A-Za-z0-9_ ./:,@+-]*$/.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s) && !/[: ]$/.test(s) && !s.includes(': ') && !s.includes(' #')
    && !/^\.(\d|inf$|nan$)/i.test(s) // YAML numbers: .5, .inf, .nan
  return plain ? s : JSON.stringify(s)
}

/** A small YAML writer for diagnostics: maps, lists and scalars, block style. */
function yamlLines(value: unknown, indent = ''): string[] {
  if (Array.isArray(value)) {
    if (!value.length) return [`${indent}[]`]
    return value.flatMap((item) => {
      if (item !== null && typeof item === 'object') {
        const [first, ...rest] = yamlLines(item, `${indent}  `)
        return [`${indent}- ${first!.trimStart()}`, ...rest]
      }
      return [`${indent}- ${yamlScalar(item)}`]
    })
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
    if (!entries.length) return [`${indent}{}`]
    return entries.flatMap(([key, v]) => {
      const k = yamlScalar(key)
      if (v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length : Object.keys(v).length)) {
        return [`${indent}${k}:`, ...yamlLines(v, Array.isArray(v) ? `${indent}  ` : `${indent}  `)]
      }
      return [`${indent}${k}: ${v !== null && typeof v === 'object' ? (Array.isArray(v) ? '[]' : '{}') : yamlScalar(v)}`]
    })
  }
  return [`${indent}${yamlScalar(value)}`]
}

/** Point names escape "\\" and "#" (a bare "#" would read as a directive), as tap-parser unescapes them. */
function safeName(name: string): string {
  return name.replace(/\\/g, '\\\\').replace(/#/g, '\\#').replace(/\n/g, ' ')
}

export interface Counts {
  pass: number
  fail: number
  todo: number
  skip: number
}

/** One TAP level (the document or a subtest); children write through their parent's indent. */
export class TapWriter {
  private n = 0
  readonly counts: Counts = { pass: 0, fail: 0, todo: 0, skip: 0 }

  constructor(
    private readonly write: (line: string) => void,
    private readonly indent = '',
  ) {}

  static document(write: (line: string) => void): TapWriter {
    write('TAP version 14')
    return new TapWriter(write)
  }

  comment(text: string): void {
    for (const line of text.split('\n')) this.write(`${this.indent}# ${line}`)
  }

  point({ ok, name, directive, diagnostics }: Point): void {
    this.n++
    let line = `${this.indent}${ok ? 'ok' : 'not ok'} ${this.n} - ${safeName(name)}`
    if (directive && 'skip' in directive) line += ` # SKIP ${directive.skip}`
    else if (directive && 'todo' in directive) line += ` # TODO ${directive.todo}`
    this.write(line)
    if (diagnostics && Object.keys(diagnostics).length) {
      this.write(`${this.indent}  ---`)
      for (const l of yamlLines(diagnostics, `${this.indent}  `)) this.write(l)
      this.write(`${this.indent}  ...`)
    }
    if (directive && 'skip' in directive) this.counts.skip++
    else if (directive && 'todo' in directive) this.counts.todo++
    else if (ok) this.counts.pass++
    else this.counts.fail++
  }

  /** Runs body against a nested writer, then closes the subtest with its own point. */
  async subtest(name: string, body: (t: TapWriter) => Promise<void>): Promise<Counts> {
    this.write(`${this.indent}# Subtest: ${safeName(name)}`)
    const child = new TapWriter(this.write, `${this.indent}    `)
    await body(child)
    child.plan()
    this.point({ ok: child.counts.fail === 0, name })
    return child.counts
  }

  plan(): void {
    this.write(`${this.indent}1..${this.n}`)
  }
}
