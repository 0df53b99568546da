// Matrix text -> plain value, YAML syntax problems, and the line and column of any key path
// (for problems found later, by schema.ts and validate.ts, on the plain value).
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml'
import type { KeyPath, MatrixProblem, PathProblem } from './types.ts'

export interface YamlSource {
  file: string
  /** The document as plain data (aliases resolved); meaningless when syntaxProblems is not empty. */
  value: unknown
  syntaxProblems: MatrixProblem[]
  /** Gives a problem its position: the node at its path, else the deepest map or list on the way. */
  locate(problem: PathProblem): MatrixProblem
}

export function readYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter()
  // prettyErrors would append a source excerpt to each message; the position comes from pos.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const syntaxProblems = doc.errors.map((err): MatrixProblem => {
    const { line, col } = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0])
    const message = err.code === 'MULTIPLE_DOCS' ? 'a matrix file holds one YAML document; this --- starts a second one' : err.message
    return { file, line, col, path: '', message }
  })
  const positionAt = (offset: number | undefined) => (offset === undefined ? { line: 1, col: 1 } : lineCounter.linePos(offset))
  // The parser accepts an alias whose anchor is missing; toJS would then throw without a position.
  visit(doc, {
    Alias(_, alias) {
      if (!alias.resolve(doc)) syntaxProblems.push({ file, ...positionAt(alias.range?.[0]), path: '', message: `unknown alias *${alias.source} (an anchor &${alias.source} must come before it)` })
    },
  })
  let value: unknown
  if (!syntaxProblems.length) {
    try {
      value = doc.toJS()
    } catch (err) {
      // Still possible: too many aliases (yaml's guard against exponential expansion).
      syntaxProblems.push({ file, line: 1, col: 1, path: '', message: (err as Error).message })
    }
  }
  return {
    file,
    value,
    syntaxProblems,
    locate: (problem) => ({ file, ...positionAt(offsetOf(doc, problem)), path: formatKeyPath(problem.path), message: problem.message }),
  }
}

/** `configs[3].9p.cache` for ['configs', 3, '9p', 'cache']. */
function formatKeyPath(path: KeyPath): string {
  return path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('')
}

function offsetOf(doc: Document, problem: PathProblem): number | undefined {
  let node: unknown = doc.contents
  let offset = startOf(node)
  for (const [i, seg] of problem.path.entries()) {
    if (isAlias(node)) node = node.resolve(doc)
    const last = i === problem.path.length - 1
    if (isMap(node) && typeof seg === 'string') {
      const pair = node.items.find((p) => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === seg)
      if (!pair) return offset // a missing key: point at the map that lacks it
      const value = pair.value
      // A key without a value (`cache:`) has an empty scalar just past the colon: point at the key.
      const emptyValue = !value || (isScalar(value) && value.value === null && !value.source)
      offset = (last && problem.at === 'key') || emptyValue ? startOf(pair.key) : startOf(value)
      node = value
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg]
      offset = startOf(node)
    } else {
      return offset
    }
  }
  return offset
}

function startOf(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0]
}
