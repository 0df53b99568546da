export { buildResults } from './build-results.ts'
export { addCounts, countChecks, emptyCounts } from './counts.ts'
export { callText, diagnosticsText, failureLine, guestText, hostText } from './diagnostics-text.ts'
export {
  checkChangeKind, configChangeKind, gate, gateExitCode, stateLabel,
  type ChangeKind, type CheckChange, type CheckState, type ConfigComparison, type ConfigStatusChange, type GateExitCode, type GateReport,
} from './gate.ts'
export { gateText, type GateTextOptions } from './gate-text.ts'
export { INFRASTRUCTURE_CASE, junitXml, xmlAttr, xmlText } from './junit.ts'
export { resultsExitCode } from './results-exit-code.ts'
export { resultsJson, runJson } from './results-json.ts'
export { parseResults, parseRunRecord, ResultsFileError, ResultsSchema, RunFileSchema } from './results-schema.ts'
export { summaryMarkdown } from './summary-markdown.ts'
export { checksFromTap, suiteOf, worseOf, type TapReadOptions } from './tap-checks.ts'
export * from './types.ts'
