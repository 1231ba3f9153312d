// The page's calls to s2s serve (contract: docs/serve.md, /v1/*).
import type { DecodeSettings, TranslationJson } from '../src/browser/index.js';

export interface ServerModel {
  name: string;
  default: boolean;
  config: Record<string, unknown>;
  vocab: { source: number; target: number };
  training: {
    steps: number | null;
    best: { score: number | null; step: number; criterion: string } | null;
    bestValidation: Record<string, unknown> | null;
    metric: string | null;
  } | null;
  weights: string;
}

async function errorOf(r: Response): Promise<Error> {
  try {
    const j = (await r.json()) as { error?: { message?: string } };
    if (j.error?.message) return new Error(`server: ${j.error.message}`);
  } catch {
    // not JSON: the status says it
  }
  return new Error(`server: HTTP ${r.status} ${r.statusText}`);
}

/** The served models, or null when the page is not served by s2s serve. */
export async function serverModels(): Promise<ServerModel[] | null> {
  try {
    const r = await fetch('/v1/models');
    if (!r.ok) return null;
    return ((await r.json()) as { models: ServerModel[] }).models;
  } catch {
    return null;
  }
}

export async function serverTranslate(model: string, texts: string[], settings: DecodeSettings): Promise<TranslationJson[]> {
  const r = await fetch('/v1/translate', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, texts, ...settings }),
  });
  if (!r.ok) throw await errorOf(r);
  return ((await r.json()) as { translations: TranslationJson[] }).translations;
}

/** Where the run files of a served model are (config.json, model.safetensors). */
export function runFilesUrl(model: string): string {
  return new URL(`/v1/models/${encodeURIComponent(model)}/`, location.href).href;
}
