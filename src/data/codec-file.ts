import { fileErrorReason, UserError } from '../util/errors.js';
import { readTextFile, writeFileAtomic } from '../platform/node-files.js';
import { codecPairFromJSON, codecPairToJSON, type CodecPair, type CodecPairJSON } from './codec.js';

/** Writes both codecs as one JSON file, atomically (a crash never leaves half a file). */
export async function saveCodecs(path: string, pair: CodecPair): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(codecPairToJSON(pair)) + '\n');
}

/** Reads a codecs file written by `saveCodecs` (DATA/codecs.json from `s2s prepare`). */
export async function loadCodecs(path: string): Promise<CodecPair> {
  let text: string;
  try {
    text = await readTextFile(path);
  } catch (err) {
    throw new UserError(`${path}: cannot read the codecs file (${fileErrorReason(err)}); run s2s prepare first or check the path`);
  }
  let json: CodecPairJSON;
  try {
    json = JSON.parse(text) as CodecPairJSON;
  } catch (err) {
    throw new UserError(`${path}: not valid JSON (${err instanceof Error ? err.message : String(err)}); re-run s2s prepare`);
  }
  try {
    return codecPairFromJSON(json);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`${path}: ${err.message}`);
    throw err;
  }
}
