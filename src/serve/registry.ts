import { readFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RUN_FILES, loadRun, openRun, type LoadedRun, type LoadRunOptions, type OpenedRun, type Translator } from '../train/index.js';
import { UserError } from '../util/errors.js';

/** One run folder to serve, under a name (`--model NAME=RUN`). */
export interface ModelSpec {
  name: string;
  dir: string;
}

/** What GET /v1/models says about a run's training: from train-state.json and log.jsonl where present. */
export interface TrainingSummary {
  steps: number | null;
  epochs: number | null;
  stopped: string | null;
  /** The early-stopping criterion's best score and the step it was reached at. */
  best: { score: number | null; step: number; criterion: string } | null;
  /** The validation line of log.jsonl at the best step (loss, ppl, exact, the metric …), else the last one. */
  bestValidation: Record<string, unknown> | null;
  lastValidation: Record<string, unknown> | null;
  /** The validation metric chosen at training time, if any. */
  metric: string | null;
}

export interface ServedModel {
  name: string;
  /** The run's config, codecs and weights file: what the HTTP thread needs to check and describe requests. */
  run: OpenedRun;
  /** The model in this thread, or null when a decode worker holds it (ModelRegistry.open). */
  translator: Translator | null;
  /** config.json and the weights file exactly as loaded, so a page can load the same run (contract8: run files). */
  configBytes: Buffer;
  weightsBytes: Buffer;
  /** The weights file's name inside the run folder (model.best.safetensors or model.safetensors). */
  weightsName: string;
  training: TrainingSummary;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `RUN` or `NAME=RUN` → a ModelSpec; the name defaults to the folder's base name. */
export function parseModelSpec(arg: string): ModelSpec {
  const eq = arg.indexOf('=');
  const name = eq > 0 ? arg.slice(0, eq) : basename(arg.replace(/[/\\]+$/, ''));
  const dir = eq > 0 ? arg.slice(eq + 1) : arg;
  if (dir === '') throw new UserError(`--model ${arg}: no run folder after '='; give --model NAME=RUN`);
  if (!NAME.test(name)) throw new UserError(`--model ${arg}: the model name '${name}' must be 1–64 of A-Z a-z 0-9 . _ - (starting with a letter or digit); give --model NAME=RUN`);
  return { name, dir };
}

function readJsonLines(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  const out: Record<string, unknown>[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // A torn last line (a run still writing) is skipped; the summary is informational.
    }
  }
  return out;
}

export function trainingSummary(dir: string, training: Record<string, unknown>): TrainingSummary {
  let state: Record<string, unknown> | null = null;
  try {
    state = JSON.parse(readFileSync(join(dir, RUN_FILES.state), 'utf8')) as Record<string, unknown>;
  } catch {
    state = null;
  }
  const valids = readJsonLines(join(dir, RUN_FILES.log)).filter((e) => e['type'] === 'valid');
  const best = (state?.['best'] ?? null) as TrainingSummary['best'];
  const atBest = best ? valids.filter((v) => v['step'] === best.step).pop() : undefined;
  return {
    steps: typeof state?.['step'] === 'number' ? state['step'] : null,
    epochs: typeof state?.['epoch'] === 'number' ? state['epoch'] : null,
    stopped: typeof state?.['stopped'] === 'string' ? state['stopped'] : null,
    best,
    bestValidation: atBest ?? valids[valids.length - 1] ?? null,
    lastValidation: valids[valids.length - 1] ?? null,
    metric: typeof training['metric'] === 'string' ? training['metric'] : null,
  };
}

/**
 * The models a server holds, by name; the first is the default. `load` builds them in this thread
 * (setting the engine's backend once: all models share it, tensors live in one backend's memory);
 * `open` reads only their configs and codecs, for a server whose decode worker loads the weights.
 */
export class ModelRegistry {
  private readonly models = new Map<string, ServedModel>();

  static async load(specs: readonly ModelSpec[], opts: LoadRunOptions = {}): Promise<ModelRegistry> {
    return ModelRegistry.build(specs, (spec, i) => loadRun(spec.dir, { ...opts, backend: i === 0 ? opts.backend : undefined }));
  }

  static async open(specs: readonly ModelSpec[], opts: Pick<LoadRunOptions, 'weights'> = {}): Promise<ModelRegistry> {
    return ModelRegistry.build(specs, (spec) => openRun(spec.dir, opts));
  }

  private static async build(specs: readonly ModelSpec[], read: (spec: ModelSpec, i: number) => Promise<OpenedRun | LoadedRun>): Promise<ModelRegistry> {
    if (specs.length === 0) throw new UserError('serve: give at least one --model RUN');
    const reg = new ModelRegistry();
    for (const [i, spec] of specs.entries()) {
      if (reg.models.has(spec.name)) throw new UserError(`--model ${spec.name}=${spec.dir}: the name '${spec.name}' is taken by another --model; give each a different NAME=`);
      reg.add(spec.name, await read(spec, i));
    }
    return reg;
  }

  /** Adds a run (tests, or a program embedding the server): a loaded one decodes in this thread. */
  add(name: string, run: OpenedRun | LoadedRun): void {
    this.models.set(name, {
      name, run, translator: 'translator' in run ? run.translator : null, weightsName: run.weightsName,
      configBytes: readFileSync(join(run.dir, RUN_FILES.config)),
      weightsBytes: readFileSync(run.weightsFile),
      training: trainingSummary(run.dir, run.config.training ?? {}),
    });
  }

  get names(): string[] {
    return [...this.models.keys()];
  }

  get defaultName(): string {
    const first = this.names[0];
    if (first === undefined) throw new Error('ModelRegistry: no models');
    return first;
  }

  get(name: string): ServedModel | undefined {
    return this.models.get(name);
  }

  list(): ServedModel[] {
    return [...this.models.values()];
  }
}
