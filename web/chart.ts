import { lineChart, type CurvePoint } from '../src/plot/chart.js';
import { toDom } from './dom.js';

export type { CurvePoint };

/**
 * Training loss (line) and validation loss (line with dots) over steps on the left axis, and
 * validation exact match (%) on the right axis: the line chart of `s2s plot curves`
 * (src/plot/chart.ts), as DOM elements; the page's stylesheet colours it by class.
 */
export function lossChart(train: CurvePoint[], valid: CurvePoint[], exact: CurvePoint[]): SVGSVGElement {
  return toDom(lineChart([
    { label: 'training loss', points: train, color: '#2f5bd3', className: 'train', dots: false },
    { label: 'validation loss', points: valid, color: '#d9480f', className: 'valid', dots: true },
    { label: 'validation exact match (right axis)', points: exact, color: '#2b8a3e', className: 'exact', axis: 'right', dash: '4 3', dots: true },
  ], { width: 760, plotHeight: 220, leftLabel: 'loss', rightRange: [0, 100], rightFormat: (v) => `${v}%` })) as SVGSVGElement;
}
