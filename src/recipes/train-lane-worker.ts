// A training lane's entry (a Node worker thread started by startLane): it sets up its own
// one-thread engine, trains the run it was given and reports how the run went.
import { codecPairFromJSON } from '../data/index.js';
import { createBackend } from '../kernels/index.js';
import { threadParent } from '../platform/node-threads.js';
import { setBackend } from '../tensor/index.js';
import { trainRun, type Trainer } from '../train/index.js';
import { UserError } from '../util/errors.js';
import type { FromLane, LaneSpec, ToLane } from './train-lane.js';

const parent = threadParent<ToLane, FromLane>();
const spec = parent.data as LaneSpec;

async function main(): Promise<FromLane> {
  try {
    setBackend(await createBackend({ threads: 1 }));
    let trainer: Trainer | undefined;
    let stopAsked: ToLane['signal'] | undefined;
    parent.onMessage((m) => {
      stopAsked = m.signal;
      trainer?.requestStop(m.signal);
    });
    let tokens = 0;
    const t0 = performance.now();
    const r = await trainRun({
      out: spec.runDir, codecs: codecPairFromJSON(spec.codecs), train: spec.train, valid: spec.valid, overwrite: true,
      model: spec.model, options: spec.options, maxLen: 0, say: (message) => parent.post({ type: 'say', message }),
      onTrainer: (t) => {
        trainer = t;
        if (stopAsked) t.requestStop(stopAsked);
      },
      onStep: (s) => void (s.skipped || (tokens += s.tokens)),
    });
    const seconds = (performance.now() - t0) / 1000;
    return { type: 'done', result: { params: r.model.parameterCount(), steps: r.step, epochs: r.epoch, reason: r.reason, seconds, tokens } };
  } catch (e) {
    return { type: 'failed', user: e instanceof UserError, message: e instanceof Error ? (e instanceof UserError ? e.message : e.stack ?? e.message) : String(e) };
  }
}

void main().then((m) => parent.post(m));
