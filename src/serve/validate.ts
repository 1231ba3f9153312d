import { badRequest } from './errors.js';
import type { ServeLimits } from './limits.js';

/** The decoding options of a translate request, after validation, with the defaults filled in. */
export interface DecodeOptions {
  beam: number;
  nBest: number;
  lengthPenalty: number;
  maxLenA: number;
  maxLenB: number;
  attention: boolean;
  sample: boolean;
  temperature: number;
  topK: number;
  seed: number;
}

export interface TranslateRequest {
  /** The model's name, or undefined for the default model. */
  model: string | undefined;
  texts: string[];
  options: DecodeOptions;
}

export const DECODE_DEFAULTS: DecodeOptions = {
  beam: 5, nBest: 1, lengthPenalty: 0, maxLenA: 2, maxLenB: 10, attention: false, sample: false, temperature: 1, topK: 0, seed: 0,
};

const FIELDS = ['text', 'texts', 'model', ...Object.keys(DECODE_DEFAULTS)];

type Check = (v: unknown) => boolean;
const isInt: Check = (v) => typeof v === 'number' && Number.isSafeInteger(v);
const isNum: Check = (v) => typeof v === 'number' && Number.isFinite(v);

/** One field's rule: its check and the words of the error that names it. */
function field<T>(body: Record<string, unknown>, name: string, ok: Check, what: string, dflt: T): T {
  const v = body[name];
  if (v === undefined) return dflt;
  if (!ok(v)) throw badRequest(`field '${name}' must be ${what}, got ${JSON.stringify(v)}`);
  return v as T;
}

/**
 * Checks a POST /v1/translate body (already parsed JSON) against the API's rules and the limits:
 * every mistake is a 400 whose message names the field or the limit. Token counts are checked
 * later, when the model (and so its tokenizer) is known.
 */
export function parseTranslateRequest(body: unknown, limits: ServeLimits): TranslateRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body must be a JSON object like {"text": "…"}');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!FIELDS.includes(k)) throw badRequest(`unknown field '${k}'; valid fields: ${FIELDS.join(', ')}`);
  }
  let texts: string[];
  if (b['text'] !== undefined && b['texts'] !== undefined) throw badRequest("give either 'text' or 'texts', not both");
  if (b['text'] !== undefined) {
    if (typeof b['text'] !== 'string') throw badRequest(`field 'text' must be a string, got ${JSON.stringify(b['text'])}`);
    texts = [b['text']];
  } else if (b['texts'] !== undefined) {
    const t = b['texts'];
    if (!Array.isArray(t) || !t.every((x) => typeof x === 'string')) throw badRequest("field 'texts' must be an array of strings");
    if (t.length === 0) throw badRequest("field 'texts' is empty; give at least one text");
    texts = t as string[];
  } else {
    throw badRequest("missing field 'text' (a string) or 'texts' (an array of strings)");
  }
  if (texts.length > limits.maxTexts) throw badRequest(`${texts.length} texts in one request; the limit is ${limits.maxTexts} (max-texts)`);
  texts.forEach((t, i) => {
    if (t.length > limits.maxInputChars) throw badRequest(`text ${i} has ${t.length} characters; the limit is ${limits.maxInputChars} (max-input-chars)`);
  });
  const model = field<string | undefined>(b, 'model', (v) => typeof v === 'string', 'a model name (string)', undefined);
  const beam = field(b, 'beam', (v) => isInt(v) && (v as number) >= 1 && (v as number) <= limits.maxBeam, `an integer from 1 to ${limits.maxBeam} (max-beam)`, DECODE_DEFAULTS.beam);
  const sample = field(b, 'sample', (v) => typeof v === 'boolean', 'true or false', DECODE_DEFAULTS.sample);
  const nBestMax = sample ? 1 : beam;
  const nBest = field(b, 'nBest', (v) => isInt(v) && (v as number) >= 1 && (v as number) <= nBestMax,
    sample ? '1 when sample is true (sampling gives one hypothesis)' : `an integer from 1 to beam (${beam})`, DECODE_DEFAULTS.nBest);
  const options: DecodeOptions = {
    beam, nBest, sample,
    lengthPenalty: field(b, 'lengthPenalty', (v) => isNum(v) && (v as number) >= 0, 'a number ≥ 0', DECODE_DEFAULTS.lengthPenalty),
    maxLenA: field(b, 'maxLenA', (v) => isNum(v) && (v as number) >= 0, 'a number ≥ 0', DECODE_DEFAULTS.maxLenA),
    maxLenB: field(b, 'maxLenB', (v) => isNum(v) && (v as number) >= 0, 'a number ≥ 0', DECODE_DEFAULTS.maxLenB),
    attention: field(b, 'attention', (v) => typeof v === 'boolean', 'true or false', DECODE_DEFAULTS.attention),
    temperature: field(b, 'temperature', (v) => isNum(v) && (v as number) > 0, 'a number > 0', DECODE_DEFAULTS.temperature),
    topK: field(b, 'topK', (v) => isInt(v) && (v as number) >= 0, 'an integer ≥ 0 (0 = all tokens)', DECODE_DEFAULTS.topK),
    seed: field(b, 'seed', isInt, 'an integer', DECODE_DEFAULTS.seed),
  };
  return { model, texts, options };
}

/**
 * The key of the options that must be equal for two requests to share one decoding call. The
 * seed is not in it: each sentence carries its own (seed + its index in its request), and
 * attention is computed for everyone and dropped from the responses that did not ask for it.
 */
export function batchKey(model: string, o: DecodeOptions): string {
  const search = o.sample ? `sample:${o.temperature}:${o.topK}` : `beam:${o.beam}:${o.nBest}:${o.lengthPenalty}`;
  return `${model}|${search}|${o.maxLenA}:${o.maxLenB}`;
}
