/**
 * Training: batching, the trainer loop, checkpoints (the RUN folder), loading a run and
 * translating with it. See docs/training.md.
 */
export { planEpoch, makeBatch, makeSourceBatch, targetTokens, exampleCost, type Example, type IdBatch, type BatchingOptions } from './batching.js';
export {
  TRAIN_DEFAULTS, TRANSFORMER_TRAIN_DEFAULTS, CONSTANT_LR_NO_SMOOTHING, trainDefaultsFor, OPTIMIZERS, SCHEDULES, DEFAULT_BATCH_TOKENS, DEFAULT_WARMUP, DEFAULT_MAX_LEN, DEFAULT_MAX_EPOCHS, ADAMW_DEFAULT_WEIGHT_DECAY,
  resolveTrainOptions, type TrainOptions,
} from './options.js';
export { createOptimizer, createSchedule } from './optimizers.js';
export { Validator, type ValidatorInit } from './validator.js';
export { Checkpointer } from './checkpointer.js';
export { assertResumable, savedTraining, resumeRunConfig, restoreCheckpoint, truncateLog, type ResumedRun, type RestoredCheckpoint } from './resume.js';
export { Trainer, EXIT_CODES, type TrainerInit, type TrainResult, type StepInfo, type ValidResult, type StopReason, type GreedyDecoder } from './trainer.js';
export {
  RUN_FILES, readRunConfig, writeRunConfig, encodeWeights, saveWeights, loadWeights, loadWeightsFromBytes, assertCodecsFitModel, readStoreSafetensors,
  readTrainState, encodeTrainState, encodeOptimizerState, loadOptimizerState, hasTrainState, type RunConfig, type TrainState,
} from './checkpoint.js';
export { MANIFEST_FILE, commitCheckpoint, recoverCheckpoint, readManifest, type CheckpointManifest, type ManifestEntry } from './checkpoint-manifest.js';
export { runFolderContents, checkNewRunFolder, type RunFolderContents } from './run-folder-check.js';
export { MemoryRunStore } from './memory-run-store.js';
export type { RunStore } from '../platform/run-store.js';
export { runFolderStore } from '../platform/run-folder.js';
export { Translator, decodeIds, greedyIds, type DecodingModel, type TranslateOptions, type Translation, type TranslationHypothesis } from './translator.js';
export { loadRun, openRun, withBackendFallback, type LoadRunOptions, type LoadedRun, type OpenedRun } from './run.js';
export { loadEnsemble, type LoadedEnsemble } from './ensemble-run.js';
export { rescoreTranslations, type Rescorer, type RescoreOptions } from './rescore.js';
export { averageWeights, averageRunCheckpoints, AVERAGED_STEPS_KEY, type WeightsSource, type RunAverage } from './average.js';
export { keptCheckpointName, listKeptCheckpoints, pruneKeptCheckpoints, isKeptCheckpointName, type KeptCheckpoint } from './kept-checkpoints.js';
export { parseRunLog, validMetrics, type RunLog } from './log-read.js';
export { trainRun, encodePairs, type TrainSpec, type TrainRunResult } from './api.js';
