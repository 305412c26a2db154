/**
 * Upload validation: a hashedrekord proposed to Rekor v1 (`POST /api/v1/log/entries`, 0.0.1) or Rekor v2
 * (`POST /api/v2/log/entries`, `hashedRekordRequestV002`) is accepted only if its signature verifies over
 * the given SHA-256 digest with the given certificate or public key. Returns the canonical entry bytes.
 */
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './entries.js';
import { verifyPrehashed } from './prehashed-verify.js';

export class UploadError extends Error {
  override name = 'UploadError';
}

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

const v001Schema = z.object({
  apiVersion: z.literal('0.0.1'),
  kind: z.literal('hashedrekord'),
  spec: z.object({
    data: z.object({ hash: z.object({ algorithm: z.literal('sha256'), value: z.string().regex(/^[0-9a-f]{64}$/) }) }),
    signature: z.object({ content: b64, publicKey: z.object({ content: b64 }) }),
  }),
});

const v002Schema = z.object({
  hashedRekordRequestV002: z.object({
    digest: b64,
    signature: z.object({
      content: b64,
      verifier: z.object({
        keyDetails: z.string(),
        publicKey: z.object({ rawBytes: b64 }).optional(),
        x509Certificate: z.object({ rawBytes: b64 }).optional(),
      }),
    }),
  }),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new UploadError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

function keyFromPem(pem: string): KeyObject {
  try {
    return pem.includes('CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
  } catch (e) {
    throw new UploadError(`verifier does not parse: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function keyFromDer(der: Buffer, cert: boolean): KeyObject {
  try {
    return cert ? new X509Certificate(der).publicKey : createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch (e) {
    throw new UploadError(`verifier does not parse: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Validates a Rekor v1 hashedrekord 0.0.1 proposal; returns the canonical body to log. */
export function verifyHashedRekordV001(body: unknown): Uint8Array {
  const e = parse(v001Schema, body);
  const key = keyFromPem(Buffer.from(e.spec.signature.publicKey.content, 'base64').toString('utf8'));
  const digest = Buffer.from(e.spec.data.hash.value, 'hex');
  if (!verifyPrehashed(key, digest, Buffer.from(e.spec.signature.content, 'base64'))) {
    throw new UploadError('signature does not verify over the digest with the given verifier');
  }
  const canonical = {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: 'sha256', value: e.spec.data.hash.value } },
      signature: { content: e.spec.signature.content, publicKey: { content: e.spec.signature.publicKey.content } },
    },
  };
  return new Uint8Array(Buffer.from(canonicalJson(canonical), 'utf8'));
}

/** Validates a Rekor v2 CreateEntryRequest (hashedRekordRequestV002); returns the entry bytes to log. */
export function verifyHashedRekordV002(body: unknown): Uint8Array {
  const r = parse(v002Schema, body).hashedRekordRequestV002;
  const v = r.signature.verifier;
  if ((v.publicKey === undefined) === (v.x509Certificate === undefined)) throw new UploadError('verifier needs exactly one of publicKey, x509Certificate');
  const der = Buffer.from((v.publicKey ?? v.x509Certificate)!.rawBytes, 'base64');
  const key = keyFromDer(der, v.x509Certificate !== undefined);
  const digest = Buffer.from(r.digest, 'base64');
  if (digest.length !== 32) throw new UploadError('digest must be a 32-byte SHA-256');
  if (!verifyPrehashed(key, digest, Buffer.from(r.signature.content, 'base64'))) {
    throw new UploadError('signature does not verify over the digest with the given verifier');
  }
  const verifier = v.publicKey !== undefined
    ? { keyDetails: v.keyDetails, publicKey: { rawBytes: v.publicKey.rawBytes } }
    : { keyDetails: v.keyDetails, x509Certificate: { rawBytes: v.x509Certificate!.rawBytes } };
  const entry = {
    apiVersion: '0.0.2',
    kind: 'hashedrekord',
    spec: { hashedRekordV002: { data: { algorithm: 'SHA2_256', digest: r.digest }, signature: { content: r.signature.content, verifier } } },
  };
  return new Uint8Array(Buffer.from(canonicalJson(entry), 'utf8'));
}
