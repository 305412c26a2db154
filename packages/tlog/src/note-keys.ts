/**
 * Signed-note keys (C2SP `signed-note.md` §Signatures, `tlog-cosignature.md`): verifiers and signers.
 *
 * Key ID = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4] for Ed25519 (0x01) and cosignature/v1 (0x04) keys;
 * for Rekor v1's ECDSA keys the ID ("key hint") is SHA-256(DER SPKI)[:4]. A verifier key string is
 * `<name>+<hex key ID>+<base64(type ‖ public key)>`.
 */
import { generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { TlogError } from './errors.js';
import { bytesEqual, concatBytes, fromBase64, fromHex, toBase64, toHex, utf8 } from './encoding.js';
import { sha256 } from './hash.js';
import { importPrivateKey, importPublicKey, rawEd25519, spkiSha256, verifySignature, type PublicKeyInput } from './keys.js';
import { isValidKeyName, type NoteSignature } from './note.js';

export const NOTE_KEY_TYPE_ED25519 = 0x01;
export const NOTE_KEY_TYPE_ECDSA = 0x02;
export const NOTE_KEY_TYPE_COSIGNATURE = 0x04;
export const NOTE_KEY_TYPE_RFC6962_STH = 0x05;

export type NoteKeyType = 'ed25519' | 'ecdsa' | 'cosignature' | 'rfc6962-sth';

export interface NoteSignatureCheck {
  ok: boolean;
  /** For cosignatures: the signed timestamp (seconds). */
  timestamp?: bigint;
}

/** Verifies signatures by one key. `verify` receives the note text bytes and the signature after the key ID. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: Uint8Array;
  readonly type: NoteKeyType;
  verify(text: Uint8Array, signature: Uint8Array): NoteSignatureCheck;
}

/** Produces one signature line for a note text. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: Uint8Array;
  readonly type: NoteKeyType;
  sign(text: Uint8Array): NoteSignature;
}

function checkName(name: string): void {
  if (!isValidKeyName(name)) throw new TlogError('MALFORMED_KEY', `invalid note key name "${name}"`);
}

/** C2SP key ID: SHA-256(name ‖ "\n" ‖ type ‖ key)[:4]. */
export function noteKeyId(name: string, type: number, key: Uint8Array): Uint8Array {
  return sha256(utf8.encode(name), new Uint8Array([0x0a, type]), key).slice(0, 4);
}

/** Ed25519 note verifier (type 0x01). `publicKey`: raw 32 bytes, SPKI, PEM or KeyObject. */
export function ed25519NoteVerifier(name: string, publicKey: PublicKeyInput): NoteVerifier {
  checkName(name);
  const key = importPublicKey(publicKey);
  const raw = rawEd25519(key);
  return {
    name,
    keyId: noteKeyId(name, NOTE_KEY_TYPE_ED25519, raw),
    type: 'ed25519',
    verify: (text, sig) => ({ ok: sig.length === 64 && verifySignature(key, text, sig) }),
  };
}

/**
 * ECDSA note verifier as Rekor v1 signs checkpoints: key ID = SHA-256(DER SPKI)[:4], signature = ASN.1 DER
 * ECDSA over the note text with SHA-256 (P-256) / SHA-384 (P-384).
 */
export function ecdsaNoteVerifier(name: string, publicKey: PublicKeyInput): NoteVerifier {
  checkName(name);
  const key = importPublicKey(publicKey);
  if (key.asymmetricKeyType !== 'ec') throw new TlogError('MALFORMED_KEY', `expected an ECDSA key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  return { name, keyId: spkiSha256(key).slice(0, 4), type: 'ecdsa', verify: (text, sig) => ({ ok: verifySignature(key, text, sig) }) };
}

/** The message a cosignature/v1 signs: "cosignature/v1\ntime <t>\n" ‖ note text. */
export function cosignatureMessage(timestamp: bigint, text: Uint8Array): Uint8Array {
  return concatBytes(utf8.encode(`cosignature/v1\ntime ${timestamp}\n`), text);
}

/** Witness cosignature verifier (type 0x04): signature = u64 BE timestamp ‖ Ed25519(cosignature message). */
export function cosignatureVerifier(name: string, publicKey: PublicKeyInput): NoteVerifier {
  checkName(name);
  const key = importPublicKey(publicKey);
  const raw = rawEd25519(key);
  return {
    name,
    keyId: noteKeyId(name, NOTE_KEY_TYPE_COSIGNATURE, raw),
    type: 'cosignature',
    verify: (text, sig) => {
      if (sig.length !== 8 + 64) return { ok: false };
      const timestamp = Buffer.from(sig.buffer, sig.byteOffset, 8).readBigUInt64BE(0);
      return { ok: verifySignature(key, cosignatureMessage(timestamp, text), sig.slice(8)), timestamp };
    },
  };
}

/**
 * Parses a verifier key string `<name>+<hex id>+<base64(type ‖ key)>` (types 0x01 Ed25519, 0x04
 * cosignature/v1). Throws `MALFORMED_KEY` if malformed or the ID does not match, `UNSUPPORTED` for other types.
 */
export function parseVerifierKey(vkey: string): NoteVerifier {
  if (typeof vkey !== 'string') throw new TlogError('MALFORMED_KEY', 'verifier key must be a string');
  // The base64 key may itself contain '+': split at the first two only (names cannot contain '+').
  const m = /^([^+]+)\+([^+]*)\+(.*)$/s.exec(vkey.trim());
  if (m === null) throw new TlogError('MALFORMED_KEY', 'verifier key must be <name>+<hex id>+<base64 key>');
  const [, name, idHex, b64] = m as unknown as [string, string, string, string];
  checkName(name);
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new TlogError('MALFORMED_KEY', 'verifier key ID must be 8 lowercase hex digits');
  const data = fromBase64(b64, 'MALFORMED_KEY', 'verifier key');
  const type = data[0];
  const key = data.slice(1);
  let v: NoteVerifier;
  if (type === NOTE_KEY_TYPE_ED25519 && key.length === 32) v = ed25519NoteVerifier(name, key);
  else if (type === NOTE_KEY_TYPE_COSIGNATURE && key.length === 32) v = cosignatureVerifier(name, key);
  else if (type === NOTE_KEY_TYPE_ED25519 || type === NOTE_KEY_TYPE_COSIGNATURE) throw new TlogError('MALFORMED_KEY', 'Ed25519 verifier key must be 32 bytes');
  else throw new TlogError('UNSUPPORTED', `verifier key type 0x${(type ?? 0).toString(16)} is not supported`);
  if (!bytesEqual(v.keyId, fromHex(idHex, 'MALFORMED_KEY'))) throw new TlogError('MALFORMED_KEY', `verifier key ID ${idHex} does not match the key`);
  return v;
}

/** Formats a verifier key string for an Ed25519 (0x01) or cosignature (0x04) public key. */
export function formatVerifierKey(name: string, publicKey: PublicKeyInput, type: 'ed25519' | 'cosignature' = 'ed25519'): string {
  checkName(name);
  const raw = rawEd25519(importPublicKey(publicKey));
  const t = type === 'ed25519' ? NOTE_KEY_TYPE_ED25519 : NOTE_KEY_TYPE_COSIGNATURE;
  return `${name}+${toHex(noteKeyId(name, t, raw))}+${toBase64(concatBytes(new Uint8Array([t]), raw))}`;
}

/** Ed25519 note signer (type 0x01). `privateKey`: KeyObject, PEM, PKCS#8 DER or a 32-byte seed. */
export function ed25519NoteSigner(name: string, privateKey: KeyObject | Uint8Array | string): NoteSigner {
  checkName(name);
  const key = importPrivateKey(privateKey);
  const keyId = noteKeyId(name, NOTE_KEY_TYPE_ED25519, rawEd25519(key));
  return { name, keyId, type: 'ed25519', sign: (text) => ({ name, keyId, signature: new Uint8Array(cryptoSign(null, text, key)) }) };
}

/** ECDSA note signer as Rekor v1 (key hint = SHA-256(SPKI)[:4], DER signature, SHA-256 / SHA-384 by curve). */
export function ecdsaNoteSigner(name: string, privateKey: KeyObject | Uint8Array | string): NoteSigner {
  checkName(name);
  const key = importPrivateKey(privateKey);
  if (key.asymmetricKeyType !== 'ec') throw new TlogError('MALFORMED_KEY', 'expected an ECDSA private key');
  const hash = key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'sha384' : 'sha256';
  const keyId = spkiSha256(key).slice(0, 4);
  return { name, keyId, type: 'ecdsa', sign: (text) => ({ name, keyId, signature: new Uint8Array(cryptoSign(hash, text, { key, dsaEncoding: 'der' })) }) };
}

/** Witness cosigner (type 0x04); `now` returns the timestamp to sign (seconds; default: the clock). */
export function cosignatureSigner(
  name: string,
  privateKey: KeyObject | Uint8Array | string,
  now: () => bigint = () => BigInt(Math.floor(Date.now() / 1000)),
): NoteSigner {
  checkName(name);
  const key = importPrivateKey(privateKey);
  const keyId = noteKeyId(name, NOTE_KEY_TYPE_COSIGNATURE, rawEd25519(key));
  return {
    name,
    keyId,
    type: 'cosignature',
    sign: (text) => {
      const ts = now();
      const head = Buffer.alloc(8);
      head.writeBigUInt64BE(ts);
      const sig = cryptoSign(null, cosignatureMessage(ts, text), key);
      return { name, keyId, signature: concatBytes(head, sig) };
    },
  };
}

/** A fresh key pair for tests and the simulator: its signer, verifier and (for Ed25519) verifier key string. */
export function generateNoteKey(
  name: string,
  type: 'ed25519' | 'ecdsa' | 'cosignature' = 'ed25519',
): { signer: NoteSigner; verifier: NoteVerifier; privateKey: KeyObject; publicKey: KeyObject; vkey?: string } {
  if (type === 'ecdsa') {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return { signer: ecdsaNoteSigner(name, privateKey), verifier: ecdsaNoteVerifier(name, publicKey), privateKey, publicKey };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  if (type === 'cosignature') {
    return {
      signer: cosignatureSigner(name, privateKey),
      verifier: cosignatureVerifier(name, publicKey),
      privateKey,
      publicKey,
      vkey: formatVerifierKey(name, publicKey, 'cosignature'),
    };
  }
  return {
    signer: ed25519NoteSigner(name, privateKey),
    verifier: ed25519NoteVerifier(name, publicKey),
    privateKey,
    publicKey,
    vkey: formatVerifierKey(name, publicKey),
  };
}
