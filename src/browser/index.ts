/**
 * `s2s/browser`: load a trained run in a web page (from URLs or from files the user picks),
 * translate and train in a Web Worker. See docs/browser.md.
 *
 *   import { BrowserEngine } from 's2s/browser';
 *   const engine = await BrowserEngine.start();
 *   await engine.loadFromUrl('dates', '/runs/dates/');      // config.json + model.safetensors
 *   const [t] = await engine.translate('dates', '3rd of March 1998', { beam: 5, nBest: 3 });
 */
export { BrowserEngine, EngineError, type BlobLike, type StartOptions } from './client.js';
export type {
  DecodeSettings, EngineInfo, EngineInit, HypothesisJson, ModelInfo, RunFiles, TrainProgress, TrainRequest, TrainSummary, TrainTask,
  TranslationJson,
} from './protocol.js';
