export { Optimizer, type OptimizerState } from './optimizer.js';
export { SGD, type SgdOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { clipGradNorm } from './clip.js';
export { ConstantLr, StepDecay, WarmupInverseSqrt, FairseqInverseSqrt, BudgetDecay, ReduceOnPlateau, type LrSchedule, type PlateauOptions } from './schedule.js';
