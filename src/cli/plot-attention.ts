import { attentionHeatmap, svgDocument } from '../plot/index.js';
import { loadRun, withBackendFallback } from '../train/index.js';
import { isTransformerConfig } from '../models/index.js';
import { UserError } from '../util/errors.js';
import { helpText, oneOf, parseFlags, type FlagSpec } from './args.js';
import { writeSvg } from './plot.js';

const CMD = 'plot attention';

const SPECS: Record<string, FlagSpec> = {
  model: { type: 'string', help: 'run folder written by s2s train (a model with attention)' },
  out: { type: 'string', default: 'attention.svg', help: 'SVG file to write' },
  beam: { type: 'int', min: 1, max: 1000, default: 5, help: 'beam size of the translation whose attention is drawn (1 = greedy)' },
  'max-len-a': { type: 'number', min: 0, default: 2, help: 'output length limit a·|source| + b: a' },
  'max-len-b': { type: 'number', min: 0, default: 10, help: 'output length limit: b' },
  weights: { type: 'string', default: 'best', help: 'best|last: model.best.safetensors or model.safetensors' },
  width: { type: 'int', min: 200, max: 20000, default: 1200, help: 'width (px) to fit the cells in; a longer source makes a wider plot (cells stay ≥ 14 px)' },
  backend: { type: 'string', help: 'js|wasm (default: wasm where it loads)' },
  threads: { type: 'int', min: 1, max: 256, help: 'threads for the wasm backend' },
  help: { type: 'bool', help: 'show this help' },
};

/** s2s plot attention --model RUN "input": translates the input and draws its attention as an SVG heatmap. */
export async function run(argv: string[]): Promise<number> {
  const { flags, rest } = parseFlags(CMD, argv, SPECS);
  if (flags['help']) {
    console.log(helpText(CMD, 'translate one input and write its attention (output × source tokens) as an SVG heatmap', SPECS));
    return 0;
  }
  const modelDir = flags['model'];
  if (typeof modelDir !== 'string' || modelDir === '') throw new UserError(`s2s ${CMD}: --model is required (a run folder written by s2s train)`);
  if (rest.length !== 1) throw new UserError(`s2s ${CMD}: give one input sentence, quoted: s2s ${CMD} --model ${modelDir} "a sentence" (got ${rest.length} arguments)`);
  const input = rest[0]!;
  const out = flags['out'] as string;
  const weights = oneOf(CMD, 'weights', flags['weights'], ['best', 'last'] as const);
  const backend = flags['backend'] === undefined ? undefined : oneOf(CMD, 'backend', flags['backend'], ['js', 'wasm'] as const);

  const loaded = await withBackendFallback(backend, (b) => loadRun(modelDir, { weights, backend: b, threads: flags['threads'] as number | undefined }));
  const model = loaded.config.model;
  // a Transformer always attends (its heatmap: the last decoder layer's cross-attention, heads averaged)
  if (!isTransformerConfig(model) && model.kind === 'continuous') throw new UserError(`s2s ${CMD}: ${modelDir} is a continuous (real-valued) model; it has no tokens to label a heatmap with`);
  if (!isTransformerConfig(model) && model.attention === 'none') {
    throw new UserError(`s2s ${CMD}: ${modelDir} was trained without attention (--attention none), so there is nothing to draw; train a model with attention (e.g. --attention general) to plot it`);
  }
  const [t] = loaded.translate([input], { beam: flags['beam'] as number, nBest: 1, attention: true, maxLenA: flags['max-len-a'] as number, maxLenB: flags['max-len-b'] as number });
  const hyp = t!.hypotheses[0]!;
  if (t!.sourceTokens.length === 0) throw new UserError(`s2s ${CMD}: the input has no tokens after normalisation; give a non-empty sentence`);
  if (hyp.attention.length === 0) throw new UserError(`s2s ${CMD}: ${modelDir}'s model returned no attention weights for this input; plot attention needs a model whose decoder attends to the source`);
  const title = `${JSON.stringify(input)} → ${JSON.stringify(hyp.text)}`;
  const svg = attentionHeatmap(hyp.attention, t!.sourceTokens, hyp.tokens, { maxWidth: flags['width'] as number, title, background: '#ffffff' });
  await writeSvg(CMD, out, svgDocument(svg));
  console.log(`${hyp.text}`);
  console.error(`wrote ${out}: attention of ${hyp.attention.length} output × ${t!.sourceTokens.length} source tokens`);
  return 0;
}
