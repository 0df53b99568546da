// report.html's one stylesheet (inline: the file carries everything it needs). Colours of the
// states come from states.ts; print keeps them and lays everything out open.
import { CELL_STATES, STATE_STYLES } from './states.ts'

const stateRules = CELL_STATES.map((s) => `.s-${s}{background-color:${STATE_STYLES[s].background};color:${STATE_STYLES[s].foreground}}`).join('\n')

export const STYLES = `
:root{color-scheme:light;--line:#999;--muted:#555}
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0 1.5em 3em;color:#111;background:#fff}
h1{font-size:1.5em;margin:.8em 0 .2em}
h2{font-size:1.2em;margin:1.6em 0 .4em;border-bottom:1px solid #ccc}
h3{font-size:1em;margin:1em 0 .3em}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.92em}
.muted{color:var(--muted)}
.warn{border-left:4px solid #D55E00;padding:.3em .8em;background:#fff4ec}
table{border-collapse:collapse}
.data th,.data td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
.data th{background:#f3f3f3}
.scroll{overflow:auto;max-width:100%}
.side{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}
.side>section{min-width:0}
.legend{display:flex;flex-wrap:wrap;gap:.4em 1.4em;padding:0;list-style:none}
.legend li{display:flex;align-items:center;gap:.4em}
.swatch{display:inline-flex;align-items:center;justify-content:center;width:1.6em;height:1.6em;border:1px solid #555;font-weight:bold}
.heatmap th,.heatmap td{border:1px solid #bbb;padding:0}
.heatmap thead th{background:#fff;font-weight:normal;vertical-align:bottom}
.heatmap th.env{text-align:center;font-weight:bold;padding:.2em .4em;border-left:3px solid #000}
.heatmap th.config{vertical-align:bottom;padding:.3em 0}
.heatmap th.config>span{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;display:inline-block;padding:0 .15em}
.heatmap th.config.bad>span{font-weight:bold}
.heatmap th.check{text-align:left;font-weight:normal;padding:0 .5em;white-space:nowrap;background:#fff;position:sticky;left:0}
.heatmap tr.suite th{text-align:left;background:#eee;font-weight:bold;padding:.2em .5em;position:sticky;left:0}
.heatmap td.first,.heatmap th.first{border-left:3px solid #000}
.cell{display:flex;align-items:center;justify-content:center;width:1.6em;height:1.6em;border:0;margin:0;padding:0;font:bold 13px/1 system-ui,"DejaVu Sans",sans-serif;cursor:pointer}
span.cell{cursor:default}
.cell.s-none{background-image:repeating-linear-gradient(45deg,transparent 0 3px,#cfcfcf 3px 4px)}
/* A known deviation: white stripes over its verdict's colour, and a black corner (both print). */
.known{background-image:repeating-linear-gradient(135deg,rgba(255,255,255,.6) 0 2px,transparent 2px 6px);position:relative}
.known::after{content:"";position:absolute;top:0;right:0;border-style:solid;border-width:0 7px 7px 0;border-color:transparent #000 transparent transparent}
.s-crashed.known::after{border-color:transparent #fff transparent transparent}
td.c.known::after{border-width:0 9px 9px 0}
.swatch.known{position:relative}
button.cell:focus-visible,button.cell[aria-pressed=true]{outline:3px solid #0072B2;outline-offset:-3px}
.coherence td.c{white-space:nowrap;border:1px solid #ccc;padding:.15em .4em}
.coherence td.c button{all:unset;cursor:pointer}
.coherence th[scope=row]{white-space:nowrap}
.coherence th.ev{font-weight:normal;font-size:.85em;max-width:9em;overflow-wrap:anywhere;vertical-align:bottom}
.detail{position:fixed;right:1em;bottom:1em;width:min(44em,calc(100vw - 2em));max-height:55vh;overflow:auto;background:#fff;border:2px solid #0072B2;box-shadow:0 4px 16px rgba(0,0,0,.3);padding:.6em 1em;z-index:2}
.detail h2{margin:.1em 0 .3em;font-size:1em;border:0;word-break:break-all}
.detail dl{display:grid;grid-template-columns:max-content 1fr;gap:.15em .8em;margin:0}
.detail dt{font-weight:bold}
.detail dd{margin:0;font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace;white-space:pre-wrap;word-break:break-all}
.detail .close{float:right;font-size:1.2em;border:1px solid #888;background:#f3f3f3;cursor:pointer}
.verdict{font-size:1.15em}
.security{border-left:6px solid #D55E00;padding:.1em 1em .6em;background:#fff4ec;margin:1em 0}
.security h2{border:0;margin-top:.4em}
.answer td.need{white-space:nowrap;text-align:center;font-weight:bold}
.answer td.need.s-crashed{color:#fff}
.need-text{padding:0 .3em;font-weight:bold}
.profiles li{margin:.3em 0}
.known-key .swatch{margin-right:-.2em}
.bench svg{display:block;max-width:100%}
.bench text{font:12px system-ui,"DejaVu Sans",sans-serif}
${stateRules}
@media print{
  @page{size:A4 landscape;margin:10mm}
  body{margin:0;font-size:9pt}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .detail,.hint{display:none!important}
  .scroll{overflow:visible}
  .heatmap th.check,.heatmap tr.suite th{position:static}
  .heatmap .cell{width:1.3em;height:1.3em;font-size:8px}
  .heatmap th.check{font-size:7pt}
  .data td,.data th{overflow-wrap:anywhere}
  .coherence{table-layout:fixed;width:100%;font-size:7pt}
  .coherence td.c{white-space:normal}
  .coherence th.cfg{width:15em}
  .coherence th[scope=row]{white-space:normal}
  .coherence th.ev{max-width:none}
  thead{display:table-header-group}
  tr{break-inside:avoid}
  h2{break-after:avoid}
}
`
