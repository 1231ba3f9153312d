// Debian's chromium driven by playwright-core: for the browser test and `s2s bench browser`.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { UserError } from '../src/util/errors.js';

export const CHROMIUM = process.env['S2S_CHROMIUM'] ?? '/usr/bin/chromium';

/** Why the browser cannot run here, or null when it can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (apt-get install -y chromium; .ci/run installs it)`;
}

/** Starts headless chromium on a fresh profile (--user-data-dir); close() also removes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; version: string; close(): Promise<void> }> {
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new UserError('playwright-core is not installed (a devDependency of s2s: npm install in the s2s checkout)');
  }
  const profile = mkdtempSync(join(tmpdir(), 's2s-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await context.newPage();
  const version = /Chrome\/([\d.]+)/.exec(await page.evaluate("navigator.userAgent") as string)?.[1] ?? "unknown";
  await page.close();
  return {
    context, version,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
