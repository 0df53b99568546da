import t from 'tap'
import { junitXml, xmlAttr, xmlText } from '../../reports/junit.ts'
import type { Results } from '../../reports/types.ts'
import { fixtureResults, matchGolden } from '../helpers/reports-fixtures.ts'

interface Element {
  name: string
  attrs: Record<string, string>
  children: Element[]
  text: string
}

/**
 * A small XML 1.0 well-formedness check: one root, balanced tags, quoted attributes, no raw
 * "<" or stray "&" in text or values, no characters XML cannot hold. Returns the problems and
 * the element tree (for counting).
 */
function parseXml(xml: string): { problems: string[]; root?: Element } {
  const problems: string[] = []
  if (/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/.test(xml)) problems.push('a character XML 1.0 cannot hold')
  const body = xml.replace(/^<\?xml [^?]*\?>\n/, '')
  const stack: Element[] = []
  const roots: Element[] = []
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"]*")*)\s*(\/?)>|([^<]+)|(<)/gy
  const entityOk = (s: string) => !/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s)
  const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|apos|#\d+);/g, (_, e: string) =>
    e.startsWith('#') ? String.fromCharCode(Number(e.slice(1))) : ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e]!)
  for (let m = token.exec(body); m; m = token.exec(body)) {
    const [, close, name, rawAttrs, selfClose, text, strayLt] = m
    if (strayLt) {
      problems.push(`a raw "<" at offset ${m.index}`)
      continue
    }
    if (text !== undefined) {
      if (!entityOk(text)) problems.push(`a stray "&" in text at offset ${m.index}`)
      if (stack.length) stack.at(-1)!.text += decode(text)
      else if (text.trim()) problems.push('text outside the root element')
      continue
    }
    if (close) {
      const open = stack.pop()
      if (open?.name !== name) problems.push(`</${name}> closes <${open?.name ?? 'nothing'}>`)
      continue
    }
    const attrs: Record<string, string> = {}
    for (const a of rawAttrs!.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
      if (a[1]! in attrs) problems.push(`attribute ${a[1]} twice on <${name}>`)
      if (a[2]!.includes('<') || !entityOk(a[2]!)) problems.push(`a raw "<" or "&" in ${name}@${a[1]}`)
      attrs[a[1]!] = decode(a[2]!)
    }
    const element: Element = { name: name!, attrs, children: [], text: '' }
    if (stack.length) stack.at(-1)!.children.push(element)
    else roots.push(element)
    if (!selfClose) stack.push(element)
  }
  if (token.lastIndex !== 0 && token.lastIndex < body.length) problems.push(`unreadable XML at offset ${token.lastIndex}`)
  if (stack.length) problems.push(`unclosed <${stack.map((e) => e.name).join('> <')}>`)
  if (roots.length !== 1) problems.push(`${roots.length} root elements`)
  return { problems, ...(roots[0] ? { root: roots[0] } : {}) }
}

const all = (e: Element, name: string): Element[] => [...(e.name === name ? [e] : []), ...e.children.flatMap((c) => all(c, name))]

t.test('the fixture run gives the golden junit.xml', async (t) => {
  matchGolden(t, junitXml(fixtureResults()), 'junit.xml')
})

t.test('the well-formedness check finds broken XML (so it can fail)', async (t) => {
  t.same(parseXml('<a><b></a>').problems, ['</a> closes <b>', 'unclosed <a>'])
  t.match(parseXml('<a>x < y</a>').problems, ['a raw "<" at offset 5'])
  t.match(parseXml('<a>fish & chips</a>').problems, [/stray "&"/])
  t.match(parseXml('<a v="1" v="2"/>').problems, [/twice/])
  t.match(parseXml('<a>\x01</a>').problems, [/cannot hold/])
  t.same(parseXml('<a/><b/>').problems, ['2 root elements'])
})

t.test('junit.xml is well-formed and its counts match its testcases', async (t) => {
  const { problems, root } = parseXml(junitXml(fixtureResults()))
  t.same(problems, [])
  const suites = all(root!, 'testsuite')
  t.equal(suites.length, 4, 'one testsuite per config')
  for (const suite of suites) {
    const cases = all(suite, 'testcase')
    const count = (tag: string) => String(cases.filter((c) => c.children.some((x) => x.name === tag)).length)
    t.same(
      { tests: suite.attrs.tests, failures: suite.attrs.failures, errors: suite.attrs.errors, skipped: suite.attrs.skipped },
      { tests: String(cases.length), failures: count('failure'), errors: count('error'), skipped: count('skipped') },
      `${suite.attrs.name}: the attributes count what is inside`,
    )
    t.ok(cases.every((c) => c.attrs.classname === suite.attrs.name), 'classname is the config')
  }
  t.equal(root!.attrs.tests, String(all(root!, 'testcase').length))
})

t.test('TODO and SKIP are skipped, not failures; crashed checks and infrastructure are errors', async (t) => {
  const { root } = parseXml(junitXml(fixtureResults()))
  const testcase = (config: string, name: string) =>
    all(root!, 'testcase').find((c) => c.attrs.classname === config && c.attrs.name === name)!
  const kinds = (c: Element) => c.children.map((x) => x.name)
  t.same(kinds(testcase('9p-none-mmap', 'symlink/host-made/readlink')), ['skipped', 'system-out'], 'a failing TODO: skipped, its diagnostics kept')
  t.equal(testcase('9p-none-mmap', 'symlink/host-made/readlink').children[0]!.attrs.message, 'TODO: QEMU < 11 ELOOP')
  t.same(kinds(testcase('9p-none-mmap', 'chown/after-remount/file')), ['skipped'])
  t.equal(testcase('9p-none-mmap', 'chown/after-remount/file').children[0]!.attrs.message, 'remount needs root')
  t.same(kinds(testcase('9p-none-mmap', 'chown/non-root/file')), [])
  t.same(kinds(testcase('9p-passthrough-loose', 'xattr/user/roundtrip')), ['error'])
  const infra = testcase('virtiofs', '(infrastructure)')
  t.same(kinds(infra), ['error'])
  t.match(infra.children[0]!.attrs.message, /unknown filesystem type 'virtiofs'/)
})

t.test('a failure carries the guest view and the host truth', async (t) => {
  const { root } = parseXml(junitXml(fixtureResults()))
  const failure = all(root!, 'testcase').find((c) => c.attrs.name === 'symlink/guest-made/lstat')!.children[0]!
  t.equal(failure.name, 'failure')
  t.equal(failure.attrs.type, 'silent')
  t.equal(failure.attrs.message, 'silent: lstat guest-link type: wanted symlink, found file [at-once]')
  t.match(failure.text, /guest: lstat guest-link type\n {2}wanted: symlink\n {2}found: {2}file/)
  t.match(failure.text, /host truth: guest-link: file uid=501 gid=20 mode=0644 size=6 user\.virtfs\{uid=0 gid=0 mode=0120777\}/)
})

t.test('everything is escaped, control characters included', async (t) => {
  const nasty = 'a<b>&"c\'\x01\x1b\n\ttab\uD800'
  t.equal(xmlText(nasty), 'a&lt;b&gt;&amp;"c\'\\x01\\x1b\n\ttab\uFFFD')
  t.equal(xmlAttr(nasty), '"a&lt;b&gt;&amp;&quot;c&apos;\\x01\\x1b&#10;&#9;tab\uFFFD"')
  const results: Results = {
    ...fixtureResults(),
    configs: [{
      name: 'cfg"<&>',
      config: { 'odd"key': 'v<1>' },
      status: 'crashed',
      error: 'died\x00here',
      counts: { ok: 0, fail: 1, todo: 0, skip: 0, crashed: 0, silent: 1, loud: 0 },
      checks: [{ id: 'x/]]>', suite: 'x', status: 'fail', class: 'silent', diagnostics: { op: 'write', args: ['\x07'], wanted: '</failure>', found: '&amp;' } }],
      tapFiles: [],
    }],
  }
  const xml = junitXml(results)
  const { problems, root } = parseXml(xml)
  t.same(problems, [])
  const testcase = all(root!, 'testcase')[0]!
  t.equal(testcase.attrs.classname, 'cfg"<&>')
  t.equal(testcase.attrs.name, 'x/]]>')
  t.match(testcase.children[0]!.text, 'wanted: </failure>')
  t.match(testcase.children[0]!.text, 'found:  &amp;')
  t.match(all(root!, 'property').find((p) => p.attrs.name === 'error')!.attrs.value, 'died\\x00here')
})
