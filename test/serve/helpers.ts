import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { buildCodecs } from '../../src/data/index.js';
import { createBackend } from '../../src/kernels/index.js';
import { setBackend } from '../../src/tensor/index.js';
import { trainRun } from '../../src/train/index.js';
import { copyPairs, tempDir } from '../train/helpers.js';

/**
 * A small trained run folder (copy task, word tokens, LSTM + attention, js backend; about a second):
 * config.json, model.safetensors, model.best.safetensors, train-state.*, log.jsonl.
 */
export async function makeRun(): Promise<{ dir: string; root: string; cleanup: () => void }> {
  const t = tempDir('s2s-serve-');
  setBackend(await createBackend({ backend: 'js' }));
  const pairs = copyPairs(300, 5);
  const codecs = buildCodecs(pairs, { tokenizer: 'space' });
  const dir = join(t.dir, 'run');
  await trainRun({
    out: dir, codecs, train: pairs.slice(40), valid: pairs.slice(0, 40),
    model: { emb: 16, hidden: 32, dropout: 0, attention: 'general', bidirectional: true },
    options: { batchTokens: 150, lr: 0.01, maxSteps: 40, validEvery: 20, metric: 'bleu', seed: 3 },
    progress: false, say: () => {},
  });
  return { dir, root: t.dir, cleanup: t.cleanup };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

/** One HTTP request on a fresh connection (no keep-alive), body as given. */
export function call(port: number, method: string, path: string, body?: string | Buffer | object, headers: Record<string, string> = {}): Promise<Reply> {
  const data = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        const text = buf.toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (data !== undefined) req.end(data);
    else req.end();
  });
}

export const translate = (port: number, body: object): Promise<Reply> => call(port, 'POST', '/v1/translate', body, { 'Content-Type': 'application/json' });

/**
 * Parses a Prometheus text exposition strictly enough to catch format mistakes: every sample's
 * family has HELP and TYPE before it, names and labels are well formed, histograms have
 * increasing `le` buckets ending at +Inf whose last count equals _count. Returns the samples.
 */
export function parsePrometheus(text: string): { types: Map<string, string>; samples: { name: string; labels: Record<string, string>; value: number }[] } {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  for (const line of text.slice(0, -1).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line))) {
      if (helps.has(m[1]!)) throw new Error(`HELP twice for ${m[1]}`);
      helps.add(m[1]!);
      continue;
    }
    if ((m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line))) {
      if (types.has(m[1]!)) throw new Error(`TYPE twice for ${m[1]}`);
      types.set(m[1]!, m[2]!);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`bad line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
      let lm: RegExpExecArray | null;
      let at = 0;
      while ((lm = re.exec(m[3]))) {
        labels[lm[1]!] = lm[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
        at = re.lastIndex;
      }
      if (at !== m[3].length) throw new Error(`bad labels: ${line}`);
    }
    const name = m[1]!;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    if (!types.has(family) || !helps.has(family)) throw new Error(`sample before its HELP/TYPE: ${line}`);
    const v = m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4]);
    if (Number.isNaN(v) && m[4] !== 'NaN') throw new Error(`bad value: ${line}`);
    samples.push({ name, labels, value: v });
  }
  for (const [family, type] of types) {
    if (type !== 'histogram') continue;
    const series = new Map<string, { le: number; v: number }[]>();
    for (const s of samples.filter((x) => x.name === `${family}_bucket`)) {
      const { le, ...rest } = s.labels;
      const key = JSON.stringify(rest);
      if (!series.has(key)) series.set(key, []);
      series.get(key)!.push({ le: le === '+Inf' ? Infinity : Number(le), v: s.value });
    }
    for (const [key, buckets] of series) {
      for (let i = 1; i < buckets.length; i++) {
        if (!(buckets[i]!.le > buckets[i - 1]!.le) || buckets[i]!.v < buckets[i - 1]!.v) throw new Error(`${family}${key}: buckets not increasing/cumulative`);
      }
      if (buckets[buckets.length - 1]!.le !== Infinity) throw new Error(`${family}${key}: no +Inf bucket`);
      const count = samples.find((x) => x.name === `${family}_count` && JSON.stringify(x.labels) === key);
      const sum = samples.find((x) => x.name === `${family}_sum` && JSON.stringify(x.labels) === key);
      if (!count || !sum) throw new Error(`${family}${key}: missing _sum or _count`);
      if (count.value !== buckets[buckets.length - 1]!.v) throw new Error(`${family}${key}: +Inf bucket ≠ _count`);
    }
  }
  return { types, samples };
}
