/**
 * Public/private key import for the algorithms the logs use: Ed25519 (C2SP notes, Rekor v2), ECDSA P-256/384
 * with SHA-256/384 (Rekor v1, CT), RSA PKCS#1 v1.5 (old staging CT). Accepts DER SPKI, PEM, raw Ed25519 keys
 * and `KeyObject`s; anything else throws `MALFORMED_KEY`.
 */
import { createPrivateKey, createPublicKey, KeyObject, verify as cryptoVerify } from 'node:crypto';
import { TlogError, wrapErrors } from './errors.js';
import { sha256 } from './hash.js';

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export type PublicKeyInput = KeyObject | Uint8Array | string;

/** Imports a public key: KeyObject, PEM text, DER SPKI bytes, or a raw 32-byte Ed25519 key. */
export function importPublicKey(input: PublicKeyInput): KeyObject {
  if (input instanceof KeyObject) return input.type === 'private' ? createPublicKey(input) : input;
  return wrapErrors('MALFORMED_KEY', 'cannot import public key', () => {
    if (typeof input === 'string') return createPublicKey(input);
    const der = input.length === 32 ? Buffer.concat([ED25519_SPKI_PREFIX, input]) : Buffer.from(input);
    try {
      return createPublicKey({ key: der, format: 'der', type: 'spki' });
    } catch (err) {
      // Some trust roots carry RSA keys as PKCS#1 RSAPublicKey (keyDetails PKCS1_RSA_PKCS1V5).
      try {
        return createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
      } catch {
        throw err;
      }
    }
  });
}

/** Imports a private key: KeyObject, PEM text or DER PKCS#8; a 32-byte array is an Ed25519 seed. */
export function importPrivateKey(input: KeyObject | Uint8Array | string): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type !== 'private') throw new TlogError('MALFORMED_KEY', 'a private key is required');
    return input;
  }
  return wrapErrors('MALFORMED_KEY', 'cannot import private key', () => {
    if (typeof input === 'string') return createPrivateKey(input);
    if (input.length === 32) {
      const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), input]);
      return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    }
    return createPrivateKey({ key: Buffer.from(input), format: 'der', type: 'pkcs8' });
  });
}

/** DER SubjectPublicKeyInfo of a public key. */
export function spkiDer(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }));
}

/** Raw 32-byte Ed25519 public key. Throws `MALFORMED_KEY` for other key types. */
export function rawEd25519(key: KeyObject): Uint8Array {
  if (key.asymmetricKeyType !== 'ed25519') throw new TlogError('MALFORMED_KEY', `expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return spkiDer(pub).slice(ED25519_SPKI_PREFIX.length);
}

/** Log ID / key hint source: SHA-256 of the DER SPKI (Rekor v1 logID, CT LogID). */
export function spkiSha256(key: KeyObject): Uint8Array {
  return sha256(spkiDer(key.type === 'private' ? createPublicKey(key) : key));
}

/**
 * Verifies `signature` over `message` with a public key: Ed25519 (pure), ECDSA (DER signature, SHA-256 for
 * P-256, SHA-384 for P-384, or `hash` when given), RSA PKCS#1 v1.5 (SHA-256). Never throws: malformed
 * signatures simply do not verify.
 */
export function verifySignature(key: KeyObject, message: Uint8Array, signature: Uint8Array, hash?: string): boolean {
  try {
    switch (key.asymmetricKeyType) {
      case 'ed25519':
        return cryptoVerify(null, message, key, signature);
      case 'ec': {
        const curve = key.asymmetricKeyDetails?.namedCurve;
        const h = hash ?? (curve === 'secp384r1' ? 'sha384' : 'sha256');
        return cryptoVerify(h, message, { key, dsaEncoding: 'der' }, signature);
      }
      case 'rsa':
        return cryptoVerify(hash ?? 'sha256', message, key, signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}
