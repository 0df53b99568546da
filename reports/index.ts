export { BENCH_SUITE, benchTable, figuresText, geometricMean, ratioOf, ratioText, type BenchRow, type BenchTable } from './bench.ts'
export { buildResults } from './build-results.ts'
export {
  coherenceCell, coherenceEventLabel, coherenceTable, dropCachesIdOf,
  type CoherenceCell, type CoherenceRow, type CoherenceState, type CoherenceTable,
} from './coherence.ts'
export { addCounts, countChecks, emptyCounts } from './counts.ts'
export { callText, diagnosticsText, failureLine, guestText, hostText } from './diagnostics-text.ts'
export {
  checkChangeKind, configChangeKind, gate, gateExitCode, stateLabel,
  type ChangeKind, type CheckChange, type CheckState, type ConfigComparison, type ConfigStatusChange, type GateExitCode, type GateReport,
} from './gate.ts'
export { gateText, type GateTextOptions } from './gate-text.ts'
export { reportHtml } from './html/index.ts'
export { INFRASTRUCTURE_CASE, junitXml, xmlAttr, xmlText } from './junit.ts'
export { environmentLabel, environmentResults, mergeResults, type MergeOptions, type MergeSource } from './merge.ts'
export { mergedSummaryMarkdown } from './merged-summary-markdown.ts'
export {
  CAVEAT_GROUPS, CHECK_GROUPS, DEFAULT_NEEDS, NEEDS, needsOf, outcomeOf, recommend, recommendExitCode,
  type Alternative, type Axis, type ConfigVerdict, type Evidence, type Need, type NeedVerdict, type Recommendation, type RecommendOptions, type SpeedVerdict,
} from './recommend.ts'
export { evidenceText, recommendationText, type RecommendTextOptions } from './recommend-text.ts'
export { resultsExitCode } from './results-exit-code.ts'
export { mergedResultsJson, resultsJson, runJson } from './results-json.ts'
export { MergedResultsSchema, parseAnyResults, parseMergedResults, parseResults, parseRunRecord, ResultsFileError, ResultsSchema, RunFileSchema } from './results-schema.ts'
export { limaYamlSnippet, settingsText, shareSettings, type ShareSettings } from './share-settings.ts'
export { benchSection, coherenceSection, summaryMarkdown } from './summary-markdown.ts'
export { checksFromTap, suiteOf, worseOf, type TapReadOptions } from './tap-checks.ts'
export * from './types.ts'
