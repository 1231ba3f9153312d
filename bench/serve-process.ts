// Starts `s2s serve` as a child process on 127.0.0.1:0 and reads the port it chose.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// dist/bench/serve-process.js → dist/src/cli/main.js
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

export interface Served {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startServe(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (l) => {
      try {
        const j = JSON.parse(l) as { listening?: string };
        if (j.listening) resolve(j.listening);
      } catch { /* other output */ }
    });
    child.once('exit', (code) => reject(new Error(`s2s serve exited (${code}) before listening:\n${stderr}`)));
  });
  // ready once the models are loaded
  for (let i = 0; i < 200; i++) {
    const r = await fetch(`${url}/v1/ready`).catch(() => null);
    if (r?.ok) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  return {
    url, child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
