/**
 * C2SP signed notes (`signed-note.md`): parse, format, verify and sign.
 *
 * A note is UTF-8 text ending in a newline, then a blank line, then ≥ 1 signature lines
 * `— <key name> <base64(4-byte key ID ‖ signature)>\n` (U+2014 EM DASH, space). Verifiers ignore signatures
 * from unknown (name, key ID) pairs, reject a note whose known-key signature fails, and reject a note that no
 * known key signs. Notes come from the network and are untrusted: every defect is a `MALFORMED_NOTE`.
 */
import { TlogError } from './errors.js';
import { decodeUtf8, fromBase64, toBase64, toHex, utf8, bytesEqual, concatBytes } from './encoding.js';
import type { NoteSigner, NoteVerifier } from './note-keys.js';

/** Upper bounds that keep a hostile note cheap to reject; the spec requires accepting ≥ 16 signatures. */
export const MAX_NOTE_BYTES = 1 << 20;
export const MAX_NOTE_SIGNATURES = 100;

const SIG_PREFIX = '\u2014 ';
// ASCII control characters other than newline are forbidden anywhere in a note.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CHARS = /[\u0000-\u0009\u000b-\u001f\u007f]/;

export interface NoteSignature {
  /** Key name from the signature line. */
  name: string;
  /** First 4 decoded bytes: the key ID (key hint). */
  keyId: Uint8Array;
  /** The signature bytes after the key ID (for cosignatures: timestamp ‖ signature). */
  signature: Uint8Array;
}

export interface SignedNote {
  /** The signed text, including its final newline (what signatures cover). */
  text: string;
  signatures: NoteSignature[];
}

export interface VerifiedNoteSignature {
  name: string;
  keyId: string; // hex
  type: NoteVerifier['type'];
  /** Cosignature timestamp (seconds since the epoch), for type `cosignature`. */
  timestamp?: bigint;
}

export interface NoteVerification {
  note: SignedNote;
  /** Signatures that verified with a known key, in note order. */
  verified: VerifiedNoteSignature[];
  /** Signatures ignored because no verifier has their (name, key ID). */
  unknown: { name: string; keyId: string }[];
}

/** Checks a key name: non-empty, no whitespace, no '+'. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !FORBIDDEN_CHARS.test(name);
}

/** Parses a signed note (string or UTF-8 bytes). Throws `MALFORMED_NOTE` on any defect. */
export function parseNote(input: string | Uint8Array): SignedNote {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) throw new TlogError('MALFORMED_NOTE', 'note must be text');
  if (input.length > MAX_NOTE_BYTES) throw new TlogError('MALFORMED_NOTE', `note longer than ${MAX_NOTE_BYTES} bytes`);
  const s = typeof input === 'string' ? input : decodeUtf8(input, 'MALFORMED_NOTE', 'note');
  if (FORBIDDEN_CHARS.test(s)) throw new TlogError('MALFORMED_NOTE', 'note contains a control character (only \\n is allowed)');
  if (!s.endsWith('\n')) throw new TlogError('MALFORMED_NOTE', 'note does not end with a newline');
  const split = s.lastIndexOf('\n\n');
  if (split < 0) throw new TlogError('MALFORMED_NOTE', 'note has no blank line before its signatures');
  const text = s.slice(0, split + 1);
  const sigPart = s.slice(split + 2);
  if (sigPart === '') throw new TlogError('MALFORMED_NOTE', 'note has no signature lines');
  const lines = sigPart.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw new TlogError('MALFORMED_NOTE', `note has more than ${MAX_NOTE_SIGNATURES} signatures`);
  const signatures = lines.map((line, i) => parseSignatureLine(line, i));
  if (signatures.length === 0) throw new TlogError('MALFORMED_NOTE', 'note has no signatures');
  return { text, signatures };
}

function parseSignatureLine(line: string, i: number): NoteSignature {
  if (!line.startsWith(SIG_PREFIX)) {
    throw new TlogError('MALFORMED_NOTE', `signature line ${i + 1} does not start with "\u2014 " (U+2014 EM DASH, space)`);
  }
  const rest = line.slice(SIG_PREFIX.length);
  const sp = rest.indexOf(' ');
  if (sp < 0 || rest.indexOf(' ', sp + 1) >= 0) throw new TlogError('MALFORMED_NOTE', `signature line ${i + 1} is not "\u2014 <name> <base64>"`);
  const name = rest.slice(0, sp);
  if (!isValidKeyName(name)) throw new TlogError('MALFORMED_NOTE', `signature line ${i + 1} has an invalid key name`);
  const raw = fromBase64(rest.slice(sp + 1), 'MALFORMED_NOTE', `signature line ${i + 1}`);
  if (raw.length < 5) throw new TlogError('MALFORMED_NOTE', `signature line ${i + 1} is too short`);
  return { name, keyId: raw.slice(0, 4), signature: raw.slice(4) };
}

/** Formats a note from its text and signatures (no validation of the signatures themselves). */
export function formatNote(note: SignedNote): string {
  assertNoteText(note.text);
  const lines = note.signatures.map((sig) => {
    if (!isValidKeyName(sig.name)) throw new TlogError('MALFORMED_NOTE', `invalid key name "${sig.name}"`);
    if (sig.keyId.length !== 4) throw new TlogError('MALFORMED_NOTE', 'key ID must be 4 bytes');
    return `${SIG_PREFIX}${sig.name} ${toBase64(concatBytes(sig.keyId, sig.signature))}\n`;
  });
  return `${note.text}\n${lines.join('')}`;
}

function assertNoteText(text: string): void {
  if (typeof text !== 'string' || !text.endsWith('\n') || FORBIDDEN_CHARS.test(text)) {
    throw new TlogError('MALFORMED_NOTE', 'note text must end with a newline and contain no control characters');
  }
}

/**
 * Verifies a note against known keys. Signatures whose (name, key ID) match no verifier are ignored (listed in
 * `unknown`). Throws `BAD_SIGNATURE` if a signature from a known key fails, `UNKNOWN_KEY` if no known key
 * signed the note. `input` may be note text or an already parsed note.
 */
export function verifyNote(input: string | Uint8Array | SignedNote, verifiers: readonly NoteVerifier[]): NoteVerification {
  const note = typeof input === 'string' || input instanceof Uint8Array ? parseNote(input) : input;
  const textBytes = utf8.encode(note.text);
  const verified: VerifiedNoteSignature[] = [];
  const unknown: { name: string; keyId: string }[] = [];
  for (const sig of note.signatures) {
    const matching = verifiers.filter((v) => v.name === sig.name && bytesEqual(v.keyId, sig.keyId));
    if (matching.length === 0) {
      unknown.push({ name: sig.name, keyId: toHex(sig.keyId) });
      continue;
    }
    // Several verifiers may share a (name, key ID) — the same log in two trust roots, or a 4-byte ID
    // collision: the signature counts if one of them accepts it, and is reported once.
    let entry: VerifiedNoteSignature | undefined;
    for (const v of matching) {
      const res = v.verify(textBytes, sig.signature);
      if (res.ok) {
        entry = { name: sig.name, keyId: toHex(sig.keyId), type: v.type };
        if (res.timestamp !== undefined) entry.timestamp = res.timestamp;
        break;
      }
    }
    if (entry === undefined) {
      throw new TlogError('BAD_SIGNATURE', `signature by ${sig.name}+${toHex(sig.keyId)} (${matching[0]?.type ?? '?'}) does not verify`);
    }
    verified.push(entry);
  }
  if (verified.length === 0) {
    const seen = note.signatures.map((s) => `${s.name}+${toHex(s.keyId)}`).join(', ');
    throw new TlogError('UNKNOWN_KEY', `no known key signed the note (signatures: ${seen})`);
  }
  return { note, verified, unknown };
}

/** Signs `text` (must end with a newline) with every signer and returns the full note text. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  assertNoteText(text);
  if (signers.length === 0) throw new TlogError('MALFORMED_NOTE', 'at least one signer is required');
  return formatNote({ text, signatures: signers.map((s) => s.sign(utf8.encode(text))) });
}

/** Adds signatures (e.g. witness cosignatures) to an existing note, keeping its current ones. */
export function addNoteSignatures(input: string | SignedNote, signers: readonly NoteSigner[]): string {
  const note = typeof input === 'string' ? parseNote(input) : input;
  const textBytes = utf8.encode(note.text);
  return formatNote({ text: note.text, signatures: [...note.signatures, ...signers.map((s) => s.sign(textBytes))] });
}
