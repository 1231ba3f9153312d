/**
 * Where a model run's files live, as bytes by name: a folder on disk in Node (node-run-store.ts),
 * memory in a browser page (src/train/memory-run-store.ts), anything else a host provides. The
 * trainer, checkpoints and loadRun do all their run-folder I/O through this, so they use no host
 * API themselves. Names are plain file names (no folders). Synchronous on purpose: a checkpoint is
 * written from inside the training loop and from a signal handler.
 *
 * A failed write (full disk, read-only folder, no permission) throws, and leaves the file it was
 * replacing as it was.
 */
export interface RunStore {
  /** Where the run is, for messages: a folder path, or e.g. `memory:` (see pathOf). */
  readonly location: string;
  /** How a file of the store is named in a message (`RUN/model.safetensors`). */
  pathOf(name: string): string;
  /** A file's bytes, or null when it does not exist. */
  read(name: string): Uint8Array | null;
  /** A file as UTF-8 text, or null when it does not exist. */
  readText(name: string): string | null;
  /** Replaces (or creates) a file in one step: readers see the old bytes or the new ones, never a mix. */
  writeAtomic(name: string, data: string | Uint8Array | readonly Uint8Array[]): void;
  /** Appends UTF-8 text (log lines); not atomic: a crash may leave the last line cut short. */
  append(name: string, text: string): void;
  exists(name: string): boolean;
  /** Removes a file; a missing file is not an error. */
  remove(name: string): void;
  /** Renames `from` to `to` in one step, replacing `to`. */
  rename(from: string, to: string): void;
  /** The names of the store's files, sorted. */
  list(): string[];
  /** Removes the temporary files of this store's own atomic writes that a killed writer left; returns their names. */
  removeStaleTemps(): string[];
}
