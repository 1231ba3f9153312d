// A kernel worker: instantiates the kernel module on the shared memory, then loops — sleep on the
// control block's generation counter, run its share of the job, count itself done.
import { workerContext } from '../../platform/index.js';
import { instantiate } from './wasm-api.js';
import {
  SEQ, JOB, NTH, DONE, QUIT, ARGS_BYTE, MAX_ARGS, SPIN, JOB_GEMM, JOB_GEMM_BATCHED, JOB_ADAM, JOB_COPY_STRIDED,
  JOB_LSTM, JOB_LSTM_BWD, JOB_SCE, JOB_SCE_BWD, JOB_SOFTMAX, JOB_UNARY, JOB_BINARY, JOB_GEMM_PACKED, type WorkerInit,
} from './pool.js';

const ctx = await workerContext();
const init = ctx.data as WorkerInit;
const E = instantiate(init.module, init.memory);
const c = new Int32Array(init.ctrl, 0, ARGS_BYTE / 4);
const a = new Float64Array(init.ctrl, ARGS_BYTE, MAX_ARGS);
const tid = init.tid;
const scratch = init.scratch;
// read the generation before announcing readiness: the first job may be posted right after
let seen = Atomics.load(c, SEQ);
ctx.post('ready');
for (;;) {
  let s = Atomics.load(c, SEQ);
  for (let i = 0; s === seen && i < SPIN; i++) s = Atomics.load(c, SEQ);
  while (s === seen) {
    Atomics.wait(c, SEQ, seen);
    s = Atomics.load(c, SEQ);
  }
  seen = s;
  if (Atomics.load(c, QUIT) !== 0) break;
  const nth = c[NTH]!;
  if (tid < nth) {
    switch (c[JOB]) {
      case JOB_GEMM:
        E.gemmPart(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, scratch, tid, nth);
        break;
      case JOB_GEMM_PACKED:
        E.gemmPackedPart(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!, scratch, tid, nth);
        break;
      case JOB_GEMM_BATCHED:
        E.gemmBatchedPart(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!, a[14]!, a[15]!, a[16]!, scratch, tid, nth);
        break;
      case JOB_ADAM:
        E.adamStepPart(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, tid, nth);
        break;
      case JOB_COPY_STRIDED:
        E.copyStrided(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, tid, nth);
        break;
      case JOB_LSTM:
        E.lstmCellPart(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, tid, nth);
        break;
      case JOB_LSTM_BWD:
        E.lstmCellBackwardPart(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, tid, nth);
        break;
      case JOB_SCE:
        E.softmaxCrossEntropyPart(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, tid, nth);
        break;
      case JOB_SCE_BWD:
        E.softmaxCrossEntropyBackwardPart(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, tid, nth);
        break;
      case JOB_SOFTMAX:
        E.softmaxPart(a[0]!, a[1]!, a[2]!, a[3]!, tid, nth);
        break;
      case JOB_UNARY:
        E.unaryPart(a[0]!, a[1]!, a[2]!, a[3]!, tid, nth);
        break;
      case JOB_BINARY:
        E.binaryPart(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, tid, nth);
        break;
      default:
        break;
    }
    Atomics.add(c, DONE, 1);
    Atomics.notify(c, DONE);
  }
}
