/**
 * Lets the host run pending events (a signal handler, a page's "stop" message) between two
 * synchronous stretches of work. Node: setImmediate. Browsers have no setImmediate, and a
 * setTimeout(0) loop is clamped to 4 ms a turn, so there a MessageChannel round-trip does it.
 */
interface Port { onmessage: (() => void) | null; postMessage(m: unknown): void }
type Channel = new () => { port1: Port; port2: Port };

let channel: { port1: Port; port2: Port } | null = null;
const waiting: (() => void)[] = [];

export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as unknown as { setImmediate?: (cb: () => void) => void; MessageChannel?: Channel };
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate!(resolve));
  if (typeof g.MessageChannel !== 'function') return new Promise((resolve) => setTimeout(resolve, 0));
  if (!channel) {
    channel = new g.MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  const c = channel;
  return new Promise((resolve) => {
    waiting.push(resolve);
    c.port2.postMessage(0);
  });
}
