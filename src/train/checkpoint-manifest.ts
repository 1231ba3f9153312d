import type { RunStore } from '../platform/run-store.js';
import { UserError } from '../util/errors.js';
import { murmur3Hex } from '../util/murmur3.js';

/**
 * A checkpoint as one unit. Its files (model.safetensors, train-state.json,
 * train-state.safetensors, model.best.safetensors) are first written complete under staging names
 * (`.<file>.next`); then checkpoint.json — the commit point — names the step and each file's byte
 * length and MurmurHash3 (x86_32) hash; only then are the staged files renamed into place. A kill at any moment
 * leaves either the previous checkpoint whole (checkpoint.json not yet replaced: the staged files
 * are dropped) or the new one whole once the pending renames are finished (recoverCheckpoint rolls
 * them forward). Every write is itself atomic (RunStore.writeAtomic).
 */

export const MANIFEST_FILE = 'checkpoint.json';

export interface ManifestEntry {
  bytes: number;
  murmur3: string;
}

export interface CheckpointManifest {
  format: 's2s-checkpoint';
  version: 1;
  /** The training step every file of the checkpoint belongs to. */
  step: number;
  files: Record<string, ManifestEntry>;
}

/** The staging name of a checkpoint file. */
export function stagedName(name: string): string {
  return `.${name}.next`;
}

function isStagedName(name: string): boolean {
  return /^\..+\.next$/.test(name);
}

export function manifestEntry(chunks: readonly Uint8Array[]): ManifestEntry {
  let bytes = 0;
  for (const c of chunks) bytes += c.byteLength;
  return { bytes, murmur3: murmur3Hex(chunks) };
}

function matches(store: RunStore, name: string, entry: ManifestEntry): boolean {
  const b = store.read(name);
  return b !== null && b.byteLength === entry.bytes && murmur3Hex([b]) === entry.murmur3;
}

export function readManifest(store: RunStore): CheckpointManifest | null {
  const text = store.readText(MANIFEST_FILE);
  if (text === null) return null;
  let m: CheckpointManifest;
  try {
    m = JSON.parse(text) as CheckpointManifest;
  } catch (e) {
    throw new UserError(`${store.pathOf(MANIFEST_FILE)}: not valid JSON (${e instanceof Error ? e.message : String(e)}); the checkpoint cannot be checked`);
  }
  if (!m || m.format !== 's2s-checkpoint' || m.version !== 1 || typeof m.step !== 'number' || typeof m.files !== 'object' || m.files === null) {
    throw new UserError(`${store.pathOf(MANIFEST_FILE)}: not an s2s checkpoint manifest (expected format s2s-checkpoint version 1)`);
  }
  return m;
}

/**
 * Writes a checkpoint: `files` (name → bytes) at `step`, keeping the entries of `previous` for
 * files not rewritten this time (e.g. best weights from an earlier step). Returns the new manifest.
 */
export function commitCheckpoint(
  store: RunStore,
  step: number,
  files: readonly (readonly [string, readonly Uint8Array[]])[],
  previous: CheckpointManifest | null,
): CheckpointManifest {
  const entries: Record<string, ManifestEntry> = { ...(previous?.files ?? {}) };
  const manifest: CheckpointManifest = { format: 's2s-checkpoint', version: 1, step, files: entries };
  try {
    for (const [name, chunks] of files) {
      store.writeAtomic(stagedName(name), chunks);
      entries[name] = manifestEntry(chunks);
    }
    store.writeAtomic(MANIFEST_FILE, JSON.stringify(manifest, null, 2) + '\n');
  } catch (e) {
    // Not committed: the previous checkpoint stands; give back the space the staged files took (a full disk is the usual cause).
    for (const [name] of files) {
      try {
        store.remove(stagedName(name));
      } catch {
        // recoverCheckpoint drops it on the next start
      }
    }
    throw e;
  }
  for (const [name] of files) store.rename(stagedName(name), name);
  return manifest;
}

/**
 * Brings the store to its last complete checkpoint before a resume: finishes the renames a kill
 * interrupted, drops staged files of a checkpoint that was never committed, and checks every
 * file against checkpoint.json. Returns the manifest, or null for a run written before manifests
 * (the caller checks such a legacy run another way). A file that matches neither its name nor its
 * staged copy is a UserError naming it.
 */
export function recoverCheckpoint(
  store: RunStore,
  onRepair?: (action: 'finished-rename' | 'dropped-staged', name: string) => void,
): CheckpointManifest | null {
  const manifest = readManifest(store);
  const staged = new Set(store.list().filter(isStagedName));
  if (manifest) {
    for (const [name, entry] of Object.entries(manifest.files)) {
      const s = stagedName(name);
      if (matches(store, name, entry)) continue;
      if (staged.has(s) && matches(store, s, entry)) {
        store.rename(s, name);
        staged.delete(s);
        onRepair?.('finished-rename', name);
        continue;
      }
      throw new UserError(
        `${store.pathOf(name)}: does not match ${MANIFEST_FILE} (step ${manifest.step}: ${entry.bytes} bytes, murmur3 ${entry.murmur3}); the file was changed or damaged after the checkpoint, so the run cannot resume exactly`,
      );
    }
  }
  for (const s of staged) {
    store.remove(s);
    onRepair?.('dropped-staged', s);
  }
  return manifest;
}
