export { reportHtml } from './report-html.ts'
export { CELL_STATES, cellState, STATE_STYLES, type CellState, type StateStyle } from './states.ts'
export { esc, jsonForScript } from './escape.ts'
