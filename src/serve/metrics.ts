/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format (version 0.0.4): `# HELP` and `# TYPE` once per family, one sample per line,
 * histograms as cumulative `_bucket{le="…"}` series ending in `le="+Inf"`, then `_sum` and `_count`.
 */

type Labels = Record<string, string>;

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  // Label values escape backslash, double quote and newline.
  return '{' + pairs.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',') + '}';
}

function num(x: number): string {
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  return Number.isNaN(x) ? 'NaN' : String(x);
}

interface Family {
  render(): string[];
}

abstract class Metric<V> implements Family {
  protected readonly series = new Map<string, { labels: Labels; value: V }>();
  constructor(readonly name: string, readonly help: string, readonly type: 'counter' | 'gauge' | 'histogram', readonly labelNames: readonly string[]) {}

  protected get(labels: Labels, init: () => V): { labels: Labels; value: V } {
    const names = Object.keys(labels);
    if (names.length !== this.labelNames.length || !this.labelNames.every((n) => n in labels)) {
      throw new Error(`metric ${this.name}: labels ${names.join(',')} ≠ ${this.labelNames.join(',')}`);
    }
    const key = this.labelNames.map((n) => labels[n]).join('\u0000');
    let s = this.series.get(key);
    if (!s) {
      s = { labels: Object.fromEntries(this.labelNames.map((n) => [n, labels[n]!])), value: init() };
      this.series.set(key, s);
    }
    return s;
  }

  render(): string[] {
    return [`# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${this.name} ${this.type}`, ...this.samples()];
  }

  protected abstract samples(): string[];
}

export class Counter extends Metric<{ n: number }> {
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new Error(`counter ${this.name}: cannot add ${by}`);
    this.get(labels, () => ({ n: 0 })).value.n += by;
  }
  value(labels: Labels = {}): number {
    return this.get(labels, () => ({ n: 0 })).value.n;
  }
  protected samples(): string[] {
    return [...this.series.values()].map((s) => `${this.name}${labelText(s.labels)} ${num(s.value.n)}`);
  }
}

export class Gauge extends Metric<{ n: number }> {
  set(value: number, labels: Labels = {}): void {
    this.get(labels, () => ({ n: 0 })).value.n = value;
  }
  add(by: number, labels: Labels = {}): void {
    this.get(labels, () => ({ n: 0 })).value.n += by;
  }
  protected samples(): string[] {
    return [...this.series.values()].map((s) => `${this.name}${labelText(s.labels)} ${num(s.value.n)}`);
  }
}

export class Histogram extends Metric<{ counts: number[]; sum: number; count: number }> {
  constructor(name: string, help: string, labelNames: readonly string[], readonly buckets: readonly number[]) {
    super(name, help, 'histogram', labelNames);
    for (let i = 1; i < buckets.length; i++) if (!(buckets[i]! > buckets[i - 1]!)) throw new Error(`histogram ${name}: buckets must increase`);
  }
  observe(x: number, labels: Labels = {}): void {
    const s = this.get(labels, () => ({ counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 })).value;
    for (let i = 0; i < this.buckets.length; i++) if (x <= this.buckets[i]!) s.counts[i]++;
    s.sum += x;
    s.count++;
  }
  protected samples(): string[] {
    const out: string[] = [];
    for (const { labels, value } of this.series.values()) {
      // counts[i] is already cumulative: observe() adds x to every bucket whose bound is ≥ x.
      this.buckets.forEach((le, i) => out.push(`${this.name}_bucket${labelText(labels, ['le', num(le)])} ${value.counts[i]}`));
      out.push(`${this.name}_bucket${labelText(labels, ['le', '+Inf'])} ${value.count}`);
      out.push(`${this.name}_sum${labelText(labels)} ${num(value.sum)}`);
      out.push(`${this.name}_count${labelText(labels)} ${value.count}`);
    }
    return out;
  }
}

/** The families a server exports, in registration order. */
export class MetricsRegistry {
  private readonly families: Family[] = [];
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, 'counter', labelNames));
  }
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, 'gauge', labelNames));
  }
  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }
  private add<T extends Family>(f: T): T {
    this.families.push(f);
    return f;
  }
  /** The text exposition, content type `text/plain; version=0.0.4`. */
  render(): string {
    return this.families.flatMap((f) => f.render()).join('\n') + '\n';
  }
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The server's own metrics. */
export function serverMetrics(): {
  registry: MetricsRegistry; requests: Counter; latency: Histogram; queueDepth: Gauge; batchSize: Histogram;
  sentences: Counter; inputTokens: Counter; outputTokens: Counter; decodeSeconds: Counter; tokensPerSecond: Gauge; ready: Gauge;
} {
  const registry = new MetricsRegistry();
  return {
    registry,
    requests: registry.counter('s2s_http_requests_total', 'HTTP requests answered, by route, method and status code.', ['route', 'method', 'status']),
    latency: registry.histogram('s2s_http_request_duration_seconds', 'Time from a request’s arrival to its response, by route.', ['route'],
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
    queueDepth: registry.gauge('s2s_queue_depth', 'Texts waiting to be decoded.'),
    batchSize: registry.histogram('s2s_batch_size', 'Texts decoded together in one call, by model.', ['model'], [1, 2, 4, 8, 16, 32, 64, 128, 256]),
    sentences: registry.counter('s2s_translated_texts_total', 'Texts translated, by model.', ['model']),
    inputTokens: registry.counter('s2s_input_tokens_total', 'Source tokens decoded, by model.', ['model']),
    outputTokens: registry.counter('s2s_output_tokens_total', 'Output tokens produced (all hypotheses), by model; rate() of it is tokens/s.', ['model']),
    decodeSeconds: registry.counter('s2s_decode_seconds_total', 'Seconds spent decoding, by model.', ['model']),
    tokensPerSecond: registry.gauge('s2s_decode_tokens_per_second', 'Output tokens per second of decoding time in the latest call, by model.', ['model']),
    ready: registry.gauge('s2s_ready', '1 when the models are loaded and the server takes requests, 0 while loading or draining.'),
  };
}

export type ServerMetrics = ReturnType<typeof serverMetrics>;
