/**
 * Serving: the HTTP API of `s2s serve` (translate, health, readiness, models and their run files,
 * Prometheus metrics, the web page's static files), with dynamic batching and request limits.
 * See docs/serving.md.
 */
export { createApp, type App, type AppOptions } from './app.js';
export { ModelRegistry, parseModelSpec, trainingSummary, type ModelSpec, type ServedModel, type TrainingSummary } from './registry.js';
export { DynamicBatcher, defaultDecode, type DecodeFn } from './batcher.js';
export { DecodeWorker } from './worker-decoder.js';
export { DEFAULT_LIMITS, DEFAULT_BATCHING, type ServeLimits, type BatchingOptions } from './limits.js';
export { parseTranslateRequest, batchKey, DECODE_DEFAULTS, type DecodeOptions, type TranslateRequest } from './validate.js';
export { MetricsRegistry, Counter, Gauge, Histogram, serverMetrics, METRICS_CONTENT_TYPE, type ServerMetrics } from './metrics.js';
export { resolveStatic, CONTENT_TYPES, STATIC_PREFIXES } from './static.js';
export { HttpError, type ApiErrorCode } from './errors.js';
