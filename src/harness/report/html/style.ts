/**
 * The style sheet inlined into compat.html. Colours are the Okabe–Ito palette
 * (distinguishable with the common colour-vision deficiencies), always paired
 * with a symbol and a word; fonts are the reader's system fonts, so nothing is
 * fetched at view time.
 */
import { SafeHtml, trusted } from './escape';

/** Okabe–Ito colours used by badges and charts. */
export const PALETTE = {
  blue: '#0072B2',
  skyBlue: '#56B4E9',
  green: '#009E73',
  orange: '#E69F00',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  grey: '#767676',
} as const;

const CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d9dee7; --soft: #f5f7fa; --accent: ${PALETTE.blue}; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 56px; }
h1 { font-size: 1.75rem; line-height: 1.2; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 1.25rem; margin: 40px 0 10px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.02rem; margin: 0 0 2px; }
p { margin: 6px 0; }
a { color: var(--accent); }
code { font: 0.86em/1.3 ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; background: var(--soft); border-radius: 4px; padding: 1px 4px; }
.muted { color: var(--muted); }
.small { font-size: 0.86rem; }
.subtitle { color: var(--muted); margin: 0 0 18px; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 8px 24px; margin: 0 0 18px; padding: 14px 18px; background: var(--soft); border: 1px solid var(--line); border-radius: 10px; }
.facts div { min-width: 0; }
.facts dt { font-size: 0.74rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.banner { padding: 10px 14px; border-radius: 8px; margin: 12px 0; border-left: 5px solid; }
.banner.unredacted { background: #fdeee4; border-color: ${PALETTE.vermillion}; }
.how { background: #eef5fb; border-left: 5px solid ${PALETTE.blue}; padding: 10px 14px; border-radius: 8px; }
.legend { list-style: none; padding: 0; margin: 10px 0; display: grid; grid-template-columns: max-content 1fr; gap: 5px 12px; align-items: center; }
.legend li { display: contents; }
.legend .badge { justify-self: start; }
.summary { list-style: none; padding: 0; margin: 8px 0 14px; }
.summary li { margin: 3px 0; }
.tally { margin-left: 8px; white-space: nowrap; }
.badge { display: inline-flex; align-items: center; gap: 6px; padding: 1px 10px 1px 4px; border-radius: 999px; border: 1.5px solid; font-size: 0.84rem; font-weight: 600; white-space: nowrap; line-height: 1.5; }
.badge .sym { display: inline-flex; width: 1.35em; height: 1.35em; align-items: center; justify-content: center; border-radius: 50%; color: #fff; font-size: 0.82em; font-weight: 700; }
.badge-small { font-size: 0.74rem; padding: 0 8px 0 3px; }
.v-supported .sym, .badge.v-supported .sym { background: ${PALETTE.green}; }
.badge.v-supported { background: #e3f4ee; border-color: ${PALETTE.green}; color: #00573f; }
.badge.v-limited { background: #fdf3da; border-color: ${PALETTE.orange}; color: #6b4700; }
.badge.v-limited .sym { background: ${PALETTE.orange}; color: #1d2330; font-family: Georgia, "DejaVu Serif", serif; font-style: italic; }
.badge.v-deviation { background: #f8e6f0; border-color: ${PALETTE.purple}; color: #7a2c5a; }
.badge.v-deviation .sym { background: ${PALETTE.purple}; }
.badge.v-failed { background: #fbe3d6; border-color: ${PALETTE.vermillion}; color: #8a3000; }
.badge.v-failed .sym { background: ${PALETTE.vermillion}; }
.badge.v-not-run { background: #f0f0f0; border-color: ${PALETTE.grey}; color: #444; border-style: dashed; }
.badge.v-not-run .sym { background: ${PALETTE.grey}; }
.chip { display: inline-block; margin-left: 6px; padding: 0 7px; border-radius: 4px; font-size: 0.72rem; font-weight: 600; color: #6b4700; background: #fdf3da; border: 1px solid #f1cf7f; vertical-align: 1px; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 10px; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; padding: 10px 14px; color: var(--muted); font-size: 0.88rem; }
.matrix th, .matrix td { padding: 8px 12px; border-top: 1px solid var(--line); vertical-align: top; text-align: left; }
.matrix thead th { position: sticky; top: 0; background: #fff; border-top: none; border-bottom: 2px solid var(--line); font-weight: 600; }
.matrix .feature-col { width: 46%; }
.col-head .phone { font-size: 1rem; }
.col-head .repeat { color: var(--muted); }
.col-head .transport { display: block; font-weight: 400; color: var(--muted); font-size: 0.82rem; }
.area-head th { background: var(--soft); font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.07em; color: #3b4456; padding: 6px 12px; }
.feature-title { font-weight: 500; }
.cap-id { display: block; width: fit-content; margin-top: 3px; font-size: 0.72rem; color: var(--muted); background: none; padding: 0; }
tr.feature:hover { background: #fafbfd; }
.cell-empty { color: var(--muted); padding-left: 22px !important; }
details > summary { cursor: pointer; }
.cell summary { list-style: none; display: inline-flex; flex-wrap: wrap; align-items: center; gap: 2px 8px; }
.cell summary::-webkit-details-marker { display: none; }
.cell summary .count { font-size: 0.74rem; color: var(--muted); }
.cell summary .count::after { content: " ▸"; }
.cell details[open] summary .count::after { content: " ▾"; }
.cell-detail { margin-top: 8px; min-width: 280px; max-width: 480px; }
.evidence, .limitation-cells, .problems, .warnings, .files { margin: 4px 0; padding-left: 18px; }
.evidence { padding-left: 0; list-style: none; }
.scenario { padding: 6px 0; border-top: 1px dashed var(--line); font-size: 0.88rem; }
.scenario:first-child { border-top: none; }
.scenario-name { font-weight: 500; }
.test-id { margin-left: 4px; font-size: 0.76rem; white-space: nowrap; }
.status { color: var(--muted); font-size: 0.84rem; }
.note, .message, .meta, .figures { font-size: 0.84rem; margin: 2px 0 0; }
.message { color: #8a3000; }
.label { font-weight: 600; }
.meta { color: var(--muted); }
.figures { padding-left: 18px; }
.fig-note { display: block; color: var(--muted); font-size: 0.78rem; }
.limitations { display: grid; gap: 14px; }
.limitation { border: 1px solid var(--line); border-left: 5px solid ${PALETTE.orange}; border-radius: 10px; padding: 12px 16px; }
.limitation-cells { list-style: none; padding: 0; }
.limitation-cell { margin-top: 8px; }
.limitation-col { display: flex; gap: 10px; align-items: center; }
.problem { margin: 6px 0; }
.ok { padding: 10px 14px; background: #e3f4ee; border-left: 5px solid ${PALETTE.green}; border-radius: 8px; }
.warn { color: #8a3000; font-weight: 600; }
.empty { color: var(--muted); font-style: italic; }
.charts { display: grid; gap: 22px; }
.chart-box { margin: 0; padding: 14px 18px; border: 1px solid var(--line); border-radius: 10px; }
.chart-box figcaption { margin-bottom: 8px; max-width: 80ch; }
svg.chart { display: block; max-width: 100%; height: auto; font-family: inherit; }
svg.chart text { fill: var(--ink); font-size: 12px; }
svg.chart .row-label { font-weight: 600; font-size: 13px; }
svg.chart .row-detail, svg.chart .tick { fill: var(--muted); font-size: 11px; }
svg.chart .axis-label { fill: var(--muted); font-size: 12px; }
svg.chart .row-value { font-variant-numeric: tabular-nums; font-weight: 600; }
svg.chart .out-of-range .row-value { fill: #8a3000; }
svg.chart .grid { stroke: #e6e9ef; stroke-width: 1; }
svg.chart .axis { stroke: #8a93a3; stroke-width: 1.2; }
svg.chart .allowed { fill: ${PALETTE.skyBlue}; fill-opacity: 0.28; stroke: ${PALETTE.skyBlue}; stroke-width: 1.2; }
svg.chart .measured { fill: ${PALETTE.blue}; stroke: #fff; stroke-width: 1.5; }
svg.chart .predicted { stroke: ${PALETTE.vermillion}; stroke-width: 3; stroke-linecap: round; }
.chart-data { margin-top: 8px; font-size: 0.86rem; }
table.data th, table.data td { padding: 5px 10px; border-top: 1px solid var(--line); text-align: left; vertical-align: top; font-size: 0.86rem; }
table.data thead th { background: var(--soft); border-top: none; }
table.data .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.out-of-range td { color: #8a3000; }
.all-figures { margin-top: 8px; }
footer { margin-top: 48px; color: var(--muted); font-size: 0.82rem; border-top: 1px solid var(--line); padding-top: 10px; }
@media print { .table-wrap { overflow: visible; } details { break-inside: avoid; } }
`;

/** The <style> element. */
export function styleElement(): SafeHtml {
  return trusted(`<style>${CSS}</style>`);
}
