/**
 * Static CT (C2SP `static-ct-api.md`): data-tile entries (`TileLeaf`), the `leaf_index` SCT/entry extension,
 * and checkpoint signatures of type 0x05 (RFC 6962 `TreeHeadSignature` as a signed-note signature:
 * u64 timestamp ‖ TLS digitally-signed, key ID = SHA-256(name ‖ 0x0A ‖ 0x05 ‖ log ID)[:4]).
 */
import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import { TlogError } from './errors.js';
import { concatBytes } from './encoding.js';
import { decodeDigitallySigned, encodeDigitallySigned, encodeMerkleTreeLeaf, readTimestampedEntry, treeHeadSignatureInput, verifyDigitallySigned, type TimestampedEntry, TLS_HASH_SHA256, TLS_SIG_ECDSA } from './ct.js';
import { parseCheckpointBody } from './checkpoint.js';
import { importPrivateKey, importPublicKey, spkiSha256, type PublicKeyInput } from './keys.js';
import { NOTE_KEY_TYPE_RFC6962_STH, noteKeyId, type NoteSigner, type NoteVerifier } from './note-keys.js';
import { TlsReader, TlsWriter } from './tls-reader.js';
import { TILE_WIDTH } from './tiles.js';
import { hashLeaf } from './hash.js';

/** One entry of a static-CT data tile. */
export interface TileLeaf {
  timestampedEntry: TimestampedEntry;
  /** precert entries: the submitted precertificate. */
  preCertificate?: Uint8Array;
  /** SHA-256 fingerprints of the issuers in the submitted chain. */
  chainFingerprints: Uint8Array[];
}

/** Splits a data tile into TileLeaf entries. Throws `MALFORMED_TILE`. */
export function splitDataTile(tile: Uint8Array, expectedCount?: number): TileLeaf[] {
  const r = new TlsReader(tile, 'MALFORMED_TILE', 'data tile');
  const out: TileLeaf[] = [];
  while (r.remaining > 0) {
    if (out.length >= TILE_WIDTH) r.fail(`more than ${TILE_WIDTH} entries`);
    const te = readTimestampedEntry(r);
    const leaf: TileLeaf = { timestampedEntry: te, chainFingerprints: [] };
    if (te.entry.type === 'precert') leaf.preCertificate = r.vector(3, 1);
    const fps = r.vector(2);
    if (fps.length % 32 !== 0) r.fail('certificate_chain is not a list of 32-byte fingerprints');
    for (let i = 0; i < fps.length; i += 32) leaf.chainFingerprints.push(fps.slice(i, i + 32));
    out.push(leaf);
  }
  if (expectedCount !== undefined && out.length !== expectedCount) r.fail(`${out.length} entries, want ${expectedCount}`);
  return out;
}

/** Encodes TileLeaf entries as a data tile. */
export function joinDataTile(leaves: readonly TileLeaf[]): Uint8Array {
  const w = new TlsWriter();
  for (const l of leaves) {
    w.bytes(encodeMerkleTreeLeaf(l.timestampedEntry).subarray(2));
    if (l.timestampedEntry.entry.type === 'precert') {
      if (l.preCertificate === undefined) throw new TlogError('MALFORMED_TILE', 'precert entries need the pre_certificate');
      w.vector(3, l.preCertificate);
    }
    w.vector(2, concatBytes(...l.chainFingerprints));
  }
  return w.finish();
}

/** The Merkle leaf hash of a data-tile entry (of its MerkleTreeLeaf). */
export function tileLeafHash(l: TileLeaf): Uint8Array {
  return hashLeaf(encodeMerkleTreeLeaf(l.timestampedEntry));
}

/** Reads the `leaf_index` extension (type 0, uint40) from CtExtensions; undefined if absent. */
export function leafIndexExtension(extensions: Uint8Array): bigint | undefined {
  const r = new TlsReader(extensions, 'MALFORMED_CT', 'CT extensions');
  let found: bigint | undefined;
  while (r.remaining > 0) {
    const type = r.uint(1);
    const data = r.vector(2);
    if (type === 0) {
      if (found !== undefined || data.length !== 5) throw new TlogError('MALFORMED_CT', 'bad leaf_index extension');
      found = new TlsReader(data, 'MALFORMED_CT', 'leaf_index').uintBig(5);
    }
  }
  return found;
}

/** Encodes CtExtensions holding only `leaf_index`. */
export function encodeLeafIndexExtension(index: bigint): Uint8Array {
  return new TlsWriter().uint(1, 0).vector(2, new TlsWriter().uint(5, index).finish()).finish();
}

/** Verifier for static-CT checkpoint signatures (type 0x05) with the CT log's ECDSA key. */
export function rfc6962NoteVerifier(name: string, publicKey: PublicKeyInput): NoteVerifier {
  const key = importPublicKey(publicKey);
  return {
    name,
    keyId: noteKeyId(name, NOTE_KEY_TYPE_RFC6962_STH, spkiSha256(key)),
    type: 'rfc6962-sth',
    verify: (text, sig) => {
      try {
        const r = new TlsReader(sig, 'MALFORMED_NOTE', 'RFC 6962 note signature');
        const timestamp = r.uintBig(8);
        const ds = decodeDigitallySigned(r.bytes(r.remaining));
        const cp = parseCheckpointBody(Buffer.from(text).toString('utf8'));
        if (cp.extensions.length > 0) return { ok: false };
        verifyDigitallySigned(key, treeHeadSignatureInput({ treeSize: cp.size, timestamp, rootHash: cp.rootHash }), ds, 'STH');
        return { ok: true, timestamp };
      } catch {
        return { ok: false };
      }
    },
  };
}

/** Signer for static-CT checkpoints (type 0x05); `now` gives the STH timestamp in milliseconds. */
export function rfc6962NoteSigner(name: string, privateKey: KeyObject | Uint8Array | string, now: () => bigint = () => BigInt(Date.now())): NoteSigner {
  const key = importPrivateKey(privateKey);
  const keyId = noteKeyId(name, NOTE_KEY_TYPE_RFC6962_STH, spkiSha256(key));
  return {
    name,
    keyId,
    type: 'rfc6962-sth',
    sign: (text) => {
      const cp = parseCheckpointBody(Buffer.from(text).toString('utf8'));
      const timestamp = now();
      const sig = new Uint8Array(cryptoSign('sha256', treeHeadSignatureInput({ treeSize: cp.size, timestamp, rootHash: cp.rootHash }), { key, dsaEncoding: 'der' }));
      const ds = encodeDigitallySigned({ hashAlgorithm: TLS_HASH_SHA256, signatureAlgorithm: TLS_SIG_ECDSA, signature: sig });
      return { name, keyId, signature: concatBytes(new TlsWriter().uint(8, timestamp).finish(), ds) };
    },
  };
}
