/**
 * Plots as SVG, free of host APIs: built as a small tree (svg.ts) that renders to a standalone
 * file (`s2s plot`) or to a page's DOM (web/). The attention heatmap and the line chart of
 * training curves are shared by both.
 */
export { el, renderSvg, svgDocument, xmlText, showToken, clip, ticks, tickLabel, tickLabels, SVG_NS, type SvgNode } from './svg.js';
export { attentionHeatmap, weightOpacity, type HeatmapOptions } from './heatmap.js';
export { lineChart, type ChartSeries, type ChartOptions, type CurvePoint } from './chart.js';
