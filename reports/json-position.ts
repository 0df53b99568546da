// Where a JSON text first goes wrong. Node 20's JSON.parse names the position only for some
// mistakes ("Unexpected token '}', ... is not valid JSON" has none), and users need line:column.

export interface TextPosition {
  line: number
  column: number
}

class SyntaxAt {
  constructor(readonly offset: number) {}
}

const ESCAPES = '"\\/bfnrt'

/** The offset of the first JSON syntax error in text (RFC 8259), or undefined when it is valid. */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
  const fail = (): never => {
    throw new SyntaxAt(i)
  }
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const string = () => {
    i++
    while (i < text.length) {
      const c = text[i]!
      if (c === '"') {
        i++
        return
      }
      if (c === '\\') {
        const next = text[i + 1]
        if (next !== undefined && ESCAPES.includes(next)) i += 2
        else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6
        else fail()
        continue
      }
      if (c < ' ') fail()
      i++
    }
    fail()
  }
  const value = (): void => {
    space()
    const c = text[i]
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']'
      i++
      space()
      if (text[i] === close) {
        i++
        return
      }
      for (;;) {
        if (close === '}') {
          space()
          if (text[i] !== '"') fail()
          string()
          space()
          if (text[i] !== ':') fail()
          i++
        }
        value()
        space()
        if (text[i] === ',') i++
        else if (text[i] === close) {
          i++
          return
        } else fail()
      }
    }
    if (c === '"') return string()
    number.lastIndex = i
    if (number.test(text)) {
      i = number.lastIndex
      return
    }
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length
        return
      }
    }
    fail()
  }
  try {
    value()
    space()
    if (i < text.length) fail()
    return undefined
  } catch (err) {
    if (err instanceof SyntaxAt) return err.offset
    throw err
  }
}

/** 1-based line and column of an offset. */
export function positionOf(text: string, offset: number): TextPosition {
  const before = text.slice(0, offset)
  const lineStart = before.lastIndexOf('\n') + 1
  return { line: before.split('\n').length, column: offset - lineStart + 1 }
}
