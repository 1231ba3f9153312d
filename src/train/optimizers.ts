import { higherIsBetter as metricHigherIsBetter } from '../metrics/index.js';
import {
  Adam, AdamW, SGD, BudgetDecay, ConstantLr, StepDecay, WarmupInverseSqrt, FairseqInverseSqrt, ReduceOnPlateau, type LrSchedule, type Optimizer, type Tensor,
} from '../tensor/index.js';
import { UserError } from '../util/errors.js';
import { ADAMW_DEFAULT_WEIGHT_DECAY, DEFAULT_WARMUP, hasBudget, SCHEDULES, type TrainOptions } from './options.js';

/** The optimizer that --optim names, over the model's parameters. */
export function createOptimizer(params: Tensor[], o: TrainOptions): Optimizer {
  switch (o.optim) {
    case 'adam': return new Adam(params, { lr: o.lr, weightDecay: o.weightDecay });
    case 'adamw': return new AdamW(params, { lr: o.lr, weightDecay: o.weightDecay || ADAMW_DEFAULT_WEIGHT_DECAY });
    case 'sgd': return new SGD(params, { lr: o.lr, momentum: o.momentum, weightDecay: o.weightDecay });
    default: throw new UserError(`train: optim must be one of adam|adamw|sgd, got '${String(o.optim)}'`);
  }
}

/** The learning-rate schedule that --schedule names; plateau watches the validation criterion in its direction. */
export function createSchedule(o: TrainOptions, higherIsBetter: boolean): LrSchedule {
  switch (o.schedule) {
    case 'constant': return new ConstantLr(o.lr);
    case 'step': return new StepDecay({ lr: o.lr, stepSize: o.decaySteps, gamma: o.decay });
    case 'noam': return new WarmupInverseSqrt({ lr: o.lr, warmup: o.warmup ?? DEFAULT_WARMUP });
    case 'inverse_sqrt': return new FairseqInverseSqrt({ lr: o.lr, warmup: o.warmup ?? DEFAULT_WARMUP, warmupInitLr: o.warmupInitLr });
    case 'linear':
    case 'cosine':
      if (!hasBudget(o)) {
        throw new UserError(`train: --schedule ${o.schedule} decays the lr to 0 over the budget; give --max-steps, --max-time or --max-epochs`);
      }
      return new BudgetDecay({ lr: o.lr, shape: o.schedule, warmup: o.warmup ?? 0 });
    case 'plateau': return new ReduceOnPlateau({ lr: o.lr, factor: o.decay, patience: o.schedulePatience, mode: higherIsBetter ? 'max' : 'min' });
    default: throw new UserError(`train: schedule must be one of ${SCHEDULES.join('|')}, got '${String(o.schedule)}'`);
  }
}

/** The early-stopping criterion: the --metric, or the validation loss. */
export function criterionOf(o: TrainOptions): string {
  return o.metric ? o.metric : 'loss';
}

export function criterionHigherIsBetter(criterion: string): boolean {
  return criterion === 'loss' ? false : metricHigherIsBetter(criterion);
}
