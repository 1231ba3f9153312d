export { maxSteps, type Scorer, type SourceBatch, type Hypothesis, type LengthOptions } from './scorer.js';
export { greedy, type GreedyOptions } from './greedy.js';
export { beamSearch, lengthPenalty, type BeamOptions } from './beam.js';
export { sample, type SampleOptions } from './sample.js';
export { generateValues, type ValueScorer, type ValueBatch } from './continuous.js';
export { stateTensors, releaseState, advance } from './memory.js';
export { forcedScores, type ForceOptions } from './force.js';
export { EnsembleScorer, meanOfProbabilities, type EnsembleState } from './ensemble.js';
