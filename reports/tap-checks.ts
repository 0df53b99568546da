// The checks in one TAP document the guest agent wrote: every leaf point, at any depth (mount
// path > suite > check, and the verify pass after a restart), named by its stable check id.
import { Parser, type Result } from 'tap-parser'
import { parseDocument } from 'yaml'
import type { FailureClass } from '../agent/diagnostics.ts'
import { DIAGNOSTICS_FIELDS } from './results-schema.ts'
import type { CheckResult } from './types.ts'

export interface TapReadOptions {
  /**
   * The config crashed, so its TAP may stop mid-line: an unterminated last line is dropped
   * rather than read as a point with half a name.
   */
  crashed: boolean
}

/** How bad a status is, for one check id met twice: the worse one is kept. */
const SEVERITY = { skip: 0, ok: 1, todo: 2, crashed: 3, loud: 4, silent: 5 } as const

/** The checks of a TAP text, in TAP order; a check id met twice keeps its worse result. */
export function checksFromTap(text: string, { crashed }: TapReadOptions): CheckResult[] {
  const input = crashed && !text.endsWith('\n') ? text.slice(0, text.lastIndexOf('\n') + 1) : text
  const checks = new Map<string, CheckResult>()
  let last: { result: Result; check: CheckResult } | undefined
  const parser = new Parser()
  parser.on('result', (result: Result) => {
    // A subtest's own closing point surfaces when it disagrees with its children (a plan that
    // does not match, an empty subtest): it is structure, not a check.
    if (result.closingTestPoint) return
    const check = checkFrom(result, result.diag)
    last = { result, check }
    const seen = checks.get(check.id)
    checks.set(check.id, seen ? worseOf(seen, check) : check)
  })
  // A YAML block the TAP never closed (the guest died while writing it) comes back as 'extra'
  // text right after its point: keep what it says, marked as cut off.
  parser.on('extra', (extra: string) => {
    if (!crashed || !last || last.result.diag || !/^\s*---\s*$/.test(extra.split('\n', 1)[0] ?? '')) return
    const check = checkFrom(last.result, salvageYaml(extra))
    check.cutOff = true
    if (checks.get(check.id) === last.check) checks.set(check.id, check)
    last = { result: last.result, check }
  })
  parser.end(input)
  return [...checks.values()]
}

/** The suite a check id belongs to: its first segment. */
export function suiteOf(id: string): string {
  const slash = id.indexOf('/')
  return slash < 0 ? id : id.slice(0, slash)
}

function checkFrom(result: Result, rawDiag: unknown): CheckResult {
  const diagnostics = normalizeDiagnostics(rawDiag)
  const id = result.name.trim()
  const check: CheckResult = { id, suite: suiteOf(id), status: 'ok' }
  if (result.skip !== false) {
    check.status = 'skip'
    if (typeof result.skip === 'string' && result.skip) check.reason = result.skip
  } else if (result.todo !== false) {
    check.status = 'todo'
    if (result.ok) check.todoPassed = true
    else check.class = classOf(diagnostics)
    if (typeof result.todo === 'string' && result.todo) check.reason = result.todo
  } else if (!result.ok) {
    check.status = 'fail'
    check.class = classOf(diagnostics)
  }
  if (diagnostics) check.diagnostics = diagnostics
  return check
}

/** The agent's class; without one, a failure that has an errno is loud, any other is silent. */
function classOf(diagnostics: CheckResult['diagnostics']): FailureClass {
  if (diagnostics?.class) return diagnostics.class
  return diagnostics?.errno ? 'loud' : 'silent'
}

/** Of two results for one check id (two passes, two TAP files), the worse; the first on a tie. */
export function worseOf(a: CheckResult, b: CheckResult): CheckResult {
  return severity(b) > severity(a) ? b : a
}

function severity(check: CheckResult): number {
  return check.status === 'fail' ? SEVERITY[check.class ?? 'silent'] : SEVERITY[check.status]
}

/**
 * The YAML diagnostics as the agent wrote them, with scalars YAML typed (an unquoted `wanted: 0`)
 * turned back into text; a known field that still does not fit its type moves under `malformed`.
 */
function normalizeDiagnostics(raw: unknown): CheckResult['diagnostics'] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined
  const out: Record<string, unknown> = {}
  const malformed: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const schema = (DIAGNOSTICS_FIELDS as Record<string, { safeParse(v: unknown): { success: boolean } }>)[key]
    if (!schema) {
      out[key] = value
      continue
    }
    const fixed = key === 'args' ? textArgs(value) : ['op', 'wanted', 'found', 'errno', 'note'].includes(key) ? text(value) : value
    if (schema.safeParse(fixed).success) out[key] = fixed
    else malformed[key] = value
  }
  if (Object.keys(malformed).length) out.malformed = malformed
  return out as CheckResult['diagnostics']
}

function text(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' ? String(value) : value
}

function textArgs(value: unknown): unknown {
  if (!Array.isArray(value)) return value
  return value.map((a) => (typeof a === 'string' || typeof a === 'number' ? a : a === null ? 'null' : typeof a === 'object' ? JSON.stringify(a) : String(a)))
}

/** The lines of an unclosed YAML block, parsed as far as they go; undefined when nothing parses. */
function salvageYaml(extra: string): unknown {
  const lines = extra.split('\n')
  const indent = /^\s*/.exec(lines[0] ?? '')?.[0].length ?? 0
  const body = lines.slice(1).map((l) => l.slice(Math.min(indent, /^\s*/.exec(l)?.[0].length ?? 0)))
  // Drop lines from the end until the rest parses: the last value may be cut mid-structure.
  for (let n = body.length; n > 0; n--) {
    const doc = parseDocument(body.slice(0, n).join('\n'))
    if (doc.errors.length) continue
    const value: unknown = doc.toJS()
    if (typeof value === 'object' && value !== null) return value
  }
  return undefined
}
