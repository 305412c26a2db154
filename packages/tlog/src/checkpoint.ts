/**
 * C2SP checkpoints (`tlog-checkpoint.md`): the signed-note body
 *   <origin>\n<decimal tree size>\n<base64 root hash>\n[<extension line>\n]*
 * Sizes are bigint and must be canonical decimals (no sign, no leading zeros, < 2^64); the root is 32 bytes of
 * canonical base64. Extension lines are returned but not interpreted (Rekor v1 adds "Timestamp: <ns>").
 */
import { TlogError } from './errors.js';
import { fromBase64, MAX_U64, toBase64 } from './encoding.js';
import { HASH_SIZE } from './hash.js';
import { formatNote, parseNote, signNote, verifyNote, type NoteVerification, type SignedNote } from './note.js';
import type { NoteSigner, NoteVerifier } from './note-keys.js';

export interface CheckpointBody {
  origin: string;
  size: bigint;
  rootHash: Uint8Array;
  /** Extension lines (without newlines), possibly empty. */
  extensions: string[];
}

export interface Checkpoint extends CheckpointBody {
  /** The signed note the checkpoint came from. */
  note: SignedNote;
}

/** Parses checkpoint text (the note body, ending in a newline). Throws `MALFORMED_CHECKPOINT`. */
export function parseCheckpointBody(text: string): CheckpointBody {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw new TlogError('MALFORMED_CHECKPOINT', 'checkpoint text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  if (origin === undefined || origin.length === 0) throw new TlogError('MALFORMED_CHECKPOINT', 'checkpoint has an empty origin line');
  if (sizeLine === undefined || rootLine === undefined) throw new TlogError('MALFORMED_CHECKPOINT', 'checkpoint needs origin, size and root lines');
  if (!/^(0|[1-9][0-9]{0,19})$/.test(sizeLine)) {
    throw new TlogError('MALFORMED_CHECKPOINT', `checkpoint size "${sizeLine.slice(0, 40)}" is not a canonical decimal`);
  }
  const size = BigInt(sizeLine);
  if (size > MAX_U64) throw new TlogError('MALFORMED_CHECKPOINT', `checkpoint size ${size} exceeds 2^64 - 1`);
  const rootHash = fromBase64(rootLine, 'MALFORMED_CHECKPOINT', 'checkpoint root hash');
  if (rootHash.length !== HASH_SIZE) throw new TlogError('MALFORMED_CHECKPOINT', `checkpoint root hash is ${rootHash.length} bytes, want ${HASH_SIZE}`);
  for (const ext of extensions) {
    if (ext.length === 0) throw new TlogError('MALFORMED_CHECKPOINT', 'checkpoint has an empty extension line');
  }
  return { origin, size, rootHash, extensions };
}

/** Formats a checkpoint body (the text to sign). */
export function formatCheckpoint(body: CheckpointBody): string {
  if (!body.origin || /[\n]/.test(body.origin)) throw new TlogError('MALFORMED_CHECKPOINT', 'origin must be a non-empty single line');
  if (typeof body.size !== 'bigint' || body.size < 0n || body.size > MAX_U64) throw new TlogError('MALFORMED_CHECKPOINT', 'size must be a u64 bigint');
  if (body.rootHash.length !== HASH_SIZE) throw new TlogError('MALFORMED_CHECKPOINT', 'root hash must be 32 bytes');
  for (const ext of body.extensions) {
    if (ext.length === 0 || ext.includes('\n')) throw new TlogError('MALFORMED_CHECKPOINT', 'extension lines must be non-empty single lines');
  }
  return [body.origin, body.size.toString(), toBase64(body.rootHash), ...body.extensions].map((l) => `${l}\n`).join('');
}

/** Parses a signed checkpoint (note text or bytes) without verifying signatures. */
export function parseCheckpoint(input: string | Uint8Array): Checkpoint {
  const note = parseNote(input);
  return { ...parseCheckpointBody(note.text), note };
}

/** Formats and signs a checkpoint with every signer (log key first, then e.g. witnesses). */
export function signCheckpoint(body: CheckpointBody, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(body), signers);
}

export interface CheckpointVerifyOptions {
  /** Keys of the log itself: at least one must have signed. */
  logKeys: readonly NoteVerifier[];
  /** Witness keys: their cosignatures are verified (bad ones rejected) and reported, but never suffice alone. */
  witnessKeys?: readonly NoteVerifier[];
  /** If set, the checkpoint origin must equal it (`ORIGIN_MISMATCH`). */
  origin?: string;
  /** Minimum number of distinct witnesses that must have cosigned (default 0). */
  witnessQuorum?: number;
}

export interface VerifiedCheckpoint {
  checkpoint: Checkpoint;
  /** Log signatures that verified. */
  logSignatures: NoteVerification['verified'];
  /** Witness cosignatures that verified (with timestamps). */
  witnessSignatures: NoteVerification['verified'];
  /** Signatures by keys we do not know (ignored, per C2SP). */
  unknownSignatures: NoteVerification['unknown'];
}

/**
 * Parses and verifies a signed checkpoint. Throws `MALFORMED_NOTE`/`MALFORMED_CHECKPOINT` on syntax,
 * `BAD_SIGNATURE` if any known key's signature fails, `UNKNOWN_KEY` if no log key signed it (witness
 * cosignatures alone never suffice) or the witness quorum is not met, `ORIGIN_MISMATCH` on a wrong origin.
 */
export function verifyCheckpoint(input: string | Uint8Array | Checkpoint, opts: CheckpointVerifyOptions): VerifiedCheckpoint {
  const checkpoint = typeof input === 'string' || input instanceof Uint8Array ? parseCheckpoint(input) : input;
  if (opts.origin !== undefined && checkpoint.origin !== opts.origin) {
    throw new TlogError('ORIGIN_MISMATCH', `checkpoint origin "${checkpoint.origin}", want "${opts.origin}"`);
  }
  const logKeys = new Set(opts.logKeys);
  const res = verifyNote(checkpoint.note, [...opts.logKeys, ...(opts.witnessKeys ?? [])]);
  const isLog = (s: { name: string; keyId: string }) =>
    [...logKeys].some((k) => k.name === s.name && Buffer.from(k.keyId).toString('hex') === s.keyId);
  const logSignatures = res.verified.filter(isLog);
  const witnessSignatures = res.verified.filter((s) => !isLog(s));
  if (logSignatures.length === 0) {
    throw new TlogError('UNKNOWN_KEY', `checkpoint "${checkpoint.origin}" is not signed by a known log key`);
  }
  const quorum = opts.witnessQuorum ?? 0;
  const witnesses = new Set(witnessSignatures.map((s) => `${s.name}+${s.keyId}`));
  if (witnesses.size < quorum) throw new TlogError('UNKNOWN_KEY', `checkpoint has ${witnesses.size} witness cosignatures, want ${quorum}`);
  return { checkpoint, logSignatures, witnessSignatures, unknownSignatures: res.unknown };
}

/** Re-serializes a parsed checkpoint's note (handy after `addNoteSignatures`). */
export function formatCheckpointNote(cp: Checkpoint): string {
  return formatNote(cp.note);
}
