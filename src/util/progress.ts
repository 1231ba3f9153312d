/**
 * A one-line progress bar for long jobs on a terminal: bar, percentage, caller's fields (loss, ppl,
 * tokens/s, lr, …) and ETA, redrawn at most ~10 times a second. When the stream is not a TTY it
 * draws nothing (callers write JSON lines for machines instead).
 */

export interface ProgressOptions {
  /** Text before the bar, e.g. 'train'. */
  label?: string;
  /** Where to draw (default process.stderr). */
  stream?: NodeJS.WriteStream;
  /** Force drawing on or off (default: stream.isTTY). */
  enabled?: boolean;
  /** Milliseconds between redraws (default 100). */
  intervalMs?: number;
  /** Width of the bar in characters (default 24). */
  barWidth?: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Compact number for a status line: 3 significant digits, k/M suffixes for big values. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e6) return (x / 1e6).toFixed(a >= 1e7 ? 1 : 2) + 'M';
  if (a >= 1e4) return (x / 1e3).toFixed(a >= 1e5 ? 0 : 1) + 'k';
  if (a >= 100) return x.toFixed(0);
  if (a >= 1) return x.toFixed(2);
  if (a === 0) return '0';
  if (a >= 1e-3) return x.toPrecision(3);
  return x.toExponential(2);
}

/** Where a bar goes on a host without a stderr (a browser's worker): nowhere. */
const SILENT = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;

export class ProgressBar {
  private readonly label: string;
  private readonly stream: NodeJS.WriteStream;
  readonly enabled: boolean;
  private readonly intervalMs: number;
  private readonly barWidth: number;
  private readonly start = Date.now();
  private lastDraw = 0;
  private lastLine = '';

  constructor(options: ProgressOptions = {}) {
    this.label = options.label ?? '';
    this.stream = options.stream ?? (globalThis as { process?: { stderr?: NodeJS.WriteStream } }).process?.stderr ?? SILENT;
    this.enabled = options.enabled ?? Boolean(this.stream.isTTY);
    this.intervalMs = options.intervalMs ?? 100;
    this.barWidth = options.barWidth ?? 24;
  }

  /**
   * Redraws (throttled) with `fraction` ∈ [0, 1] done (null when unknown: no bar, no ETA) and the
   * fields in order, e.g. { loss: 2.31, ppl: 10.1, 'tok/s': 12345 }.
   */
  update(fraction: number | null, fields: Record<string, string | number> = {}, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < this.intervalMs) return;
    this.lastDraw = now;
    const elapsed = (now - this.start) / 1000;
    const parts: string[] = [];
    if (this.label) parts.push(this.label);
    if (fraction !== null) {
      const f = Math.min(1, Math.max(0, fraction));
      const filled = Math.round(f * this.barWidth);
      parts.push(`[${'#'.repeat(filled)}${'-'.repeat(this.barWidth - filled)}] ${(f * 100).toFixed(0).padStart(3)}%`);
    }
    for (const [k, v] of Object.entries(fields)) parts.push(`${k} ${typeof v === 'number' ? formatNumber(v) : v}`);
    const eta = fraction !== null && fraction > 0 ? (elapsed * (1 - fraction)) / fraction : NaN;
    parts.push(`${formatDuration(elapsed)}<${formatDuration(eta)}`);
    let line = parts.join('  ');
    const cols = this.stream.columns ?? 120;
    if (line.length > cols - 1) line = line.slice(0, cols - 1);
    this.lastLine = line;
    this.stream.write(`\r${line}\x1b[K`);
  }

  /** Prints a message on its own line without garbling the bar (the bar is redrawn after it). */
  log(message: string): void {
    if (!this.enabled) {
      this.stream.write(message + '\n');
      return;
    }
    this.stream.write(`\r\x1b[K${message}\n${this.lastLine}`);
  }

  /** Ends the bar's line (leaves the last state visible). */
  done(): void {
    if (!this.enabled || this.lastLine === '') return;
    this.stream.write('\n');
    this.lastLine = '';
  }
}
