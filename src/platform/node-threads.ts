import { parentPort, Worker, workerData } from 'node:worker_threads';

/**
 * Node worker threads, seen only through messages, for the layers above platform that run work
 * on a thread of its own (the recipes' training lanes). The entry is a module URL, usually
 * `new URL('./entry.js', import.meta.url)` next to the caller.
 */
export interface ThreadHandle<ToThread, FromThread> {
  post(message: ToThread): void;
  onMessage(f: (message: FromThread) => void): void;
  onceError(f: (error: Error) => void): void;
  onceExit(f: (code: number) => void): void;
  terminate(): Promise<number>;
}

export function startThread<ToThread, FromThread>(entry: URL, data: unknown): ThreadHandle<ToThread, FromThread> {
  const worker = new Worker(entry, { workerData: data });
  return {
    post: (m) => worker.postMessage(m),
    onMessage: (f) => void worker.on('message', f),
    onceError: (f) => void worker.once('error', f),
    onceExit: (f) => void worker.once('exit', f),
    terminate: () => worker.terminate(),
  };
}

/** Inside a thread started by startThread: the data it was started with, and its line to the parent. */
export interface ThreadParent<ToThread, FromThread> {
  data: unknown;
  post(message: FromThread): void;
  onMessage(f: (message: ToThread) => void): void;
}

export function threadParent<ToThread, FromThread>(): ThreadParent<ToThread, FromThread> {
  if (!parentPort) throw new Error('threadParent: not inside a worker thread');
  const port = parentPort;
  return { data: workerData, post: (m) => port.postMessage(m), onMessage: (f) => void port.on('message', f) };
}
