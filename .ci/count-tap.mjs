// Counts the leaf points of tap's TAP output and prints "N passed, N failed, N skipped".
// Exit 1 when anything failed (a TODO is not a failure; it is counted as skipped).
import { readFileSync } from 'node:fs'
import { Parser } from 'tap-parser'

const counts = { pass: 0, fail: 0, skip: 0 }
// What a failed point found, so that a CI log that shows only this summary still says why
// (a diff when tap made one, else found and wanted), on one line and cut short.
const detailOf = (diag) => {
  if (!diag) return ''
  const text = diag.diff ?? (diag.found !== undefined || diag.wanted !== undefined ? `found ${JSON.stringify(diag.found)} wanted ${JSON.stringify(diag.wanted)}` : '')
  const line = String(text).replace(/\s*\n\s*/g, ' | ').trim()
  return line ? ` [${line.length > 1500 ? `${line.slice(0, 1500)}...` : line}]` : ''
}
const failures = []
const parser = new Parser()
parser.on('result', (r) => {
  // A subtest's closing point surfaces only when it disagrees with its children (a plan that
  // does not match, a file that crashed): a failure worth counting, but not a pass.
  if (r.closingTestPoint && r.ok) return
  if (r.skip || r.todo) counts.skip++
  else if (r.ok) counts.pass++
  else {
    counts.fail++
    failures.push({ name: r.fullname || r.name, detail: detailOf(r.diag) })
  }
})
parser.on('bailout', (reason) => {
  counts.fail++
  failures.push({ name: `Bail out! ${reason}`, detail: '' })
})
// 'complete' can fire inside end(): listen first.
const complete = new Promise((resolve) => parser.on('complete', resolve))
parser.end(readFileSync(process.argv[2], 'utf8'))
await complete
for (const f of failures.slice(0, 50)) console.log(`failed: ${f.name}${f.detail}`)
console.log(`${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped`)
process.exit(counts.fail ? 1 : 0)
