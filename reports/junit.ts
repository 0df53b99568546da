// junit.xml: one <testsuite> per config, one <testcase> per check. CI shows TODO and SKIP as
// skipped (known deviations must not turn a build red), a crashed check as an error, and an
// infra-failed config as one "(infrastructure)" error: it is no test failure.
import { diagnosticsText, failureLine } from './diagnostics-text.ts'
import type { CheckResult, ConfigResult, Results } from './types.ts'

/** The testcase name of an infra-failed config's single error. */
const INFRASTRUCTURE_CASE = '(infrastructure)'

export function junitXml(results: Results): string {
  const suites = results.configs.map((config) => testsuite(config, results.startedAt))
  const total = suites.reduce(
    (sum, s) => ({ tests: sum.tests + s.tests, failures: sum.failures + s.failures, errors: sum.errors + s.errors, skipped: sum.skipped + s.skipped }),
    { tests: 0, failures: 0, errors: 0, skipped: 0 },
  )
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="limafs"${attrs(total)}>`,
    ...suites.flatMap((s) => s.lines),
    '</testsuites>',
    '',
  ].join('\n')
}

interface Suite {
  tests: number
  failures: number
  errors: number
  skipped: number
  lines: string[]
}

function testsuite(config: ConfigResult, timestamp: string): Suite {
  const cases = config.status === 'infra-failed'
    ? [[
        `    <testcase classname=${xmlAttr(config.name)} name=${xmlAttr(INFRASTRUCTURE_CASE)}>`,
        `      <error message=${xmlAttr(config.error ?? 'the share or the agent could not be set up')} type="infra-failed"/>`,
        '    </testcase>',
      ]]
    : config.checks.map((check) => testcase(config, check))
  const counts = {
    tests: cases.length,
    failures: config.counts.fail,
    errors: config.counts.crashed + (config.status === 'infra-failed' ? 1 : 0),
    skipped: config.counts.todo + config.counts.skip,
  }
  const properties = [
    ['status', config.status],
    ...(config.error === undefined ? [] : [['error', config.error]]),
    ...Object.entries(config.config).map(([key, value]) => [`config.${key}`, typeof value === 'string' ? value : JSON.stringify(value)]),
  ]
  return {
    ...counts,
    lines: [
      `  <testsuite name=${xmlAttr(config.name)}${attrs(counts)} timestamp=${xmlAttr(timestamp)}>`,
      '    <properties>',
      ...properties.map(([name, value]) => `      <property name=${xmlAttr(name ?? '')} value=${xmlAttr(value ?? '')}/>`),
      '    </properties>',
      ...cases.flat(),
      '  </testsuite>',
    ],
  }
}

function testcase(config: ConfigResult, check: CheckResult): string[] {
  const open = `    <testcase classname=${xmlAttr(config.name)} name=${xmlAttr(check.id)}`
  switch (check.status) {
    case 'ok':
      return [`${open}/>`]
    case 'fail':
      return [
        `${open}>`,
        `      <failure message=${xmlAttr(failureLine(check))} type=${xmlAttr(check.class ?? 'silent')}>${xmlText(diagnosticsText(check))}</failure>`,
        '    </testcase>',
      ]
    case 'todo': {
      const message = `TODO${check.todoPassed ? ' (passes now: drop the TODO)' : ''}${check.reason ? `: ${check.reason}` : ''}`
      const out = check.todoPassed ? [] : [`      <system-out>${xmlText(diagnosticsText(check))}</system-out>`]
      return [`${open}>`, `      <skipped message=${xmlAttr(message)}/>`, ...out, '    </testcase>']
    }
    case 'skip':
      return [`${open}>`, `      <skipped message=${xmlAttr(check.reason ?? 'skipped')}/>`, '    </testcase>']
    case 'crashed':
      return [
        `${open}>`,
        `      <error message=${xmlAttr(`not run: config ${config.name} crashed${config.error ? `: ${config.error}` : ''}`)} type="crashed"/>`,
        '    </testcase>',
      ]
  }
}

function attrs(values: Record<string, number>): string {
  return Object.entries(values).map(([k, v]) => ` ${k}="${v}"`).join('')
}

/** Characters XML 1.0 cannot hold at all, not even as a reference. */
const NOT_XML = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

function visible(s: string): string {
  return s.replace(NOT_XML, (c) => {
    const code = c.charCodeAt(0)
    return code < 0x20 ? `\\x${code.toString(16).padStart(2, '0')}` : '\uFFFD'
  })
}

/** Element text, escaped; characters XML cannot hold are shown as \xNN. */
export function xmlText(s: string): string {
  return visible(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;')
}

/** A quoted attribute value, escaped; line breaks and tabs kept as references. */
export function xmlAttr(s: string): string {
  return `"${xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;')}"`
}
