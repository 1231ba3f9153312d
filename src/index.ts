/**
 * The s2s library: everything a program needs to prepare data, build and train a model, translate
 * and score — `import { trainRun, loadRun, buildCodecs, computeMetric } from 's2s'`. The engine's
 * layers are also available as namespaces (`tensor`, `nn`, `kernels`) for custom models.
 */
export * from './data/index.js';
export * from './metrics/index.js';
export * from './models/index.js';
export * from './decode/index.js';
export * from './train/index.js';
export { createBackend, disposeBackend } from './kernels/index.js';
export { setBackend, backend, noGrad, tidy, Rng } from './tensor/index.js';
export * as tensor from './tensor/index.js';
export * as nn from './nn/index.js';
export * as kernels from './kernels/index.js';
export { attentionHeatmap, lineChart, renderSvg, svgDocument, type HeatmapOptions, type ChartSeries, type ChartOptions } from './plot/index.js';
export * as plot from './plot/index.js';
export { UserError } from './util/errors.js';
export { openRunFolder } from './platform/node-run-store.js';
