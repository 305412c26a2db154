/**
 * Rekor entry body (the canonicalized JSON leaf) → kind, apiVersion, artifact digests and the signer.
 *
 * Kinds and fields follow sigstore/rekor `pkg/types/<kind>/<version>/*_schema.json` (v1) and rekor-tiles
 * `api/proto/rekor/v2/{hashedrekord,dsse}.proto` (v2 protojson: `hashedRekordV002`, `dsseV002`, digests
 * base64, verifiers DER). As rekor-tiles CLIENTS.md asks, dispatch is on (kind, apiVersion) and anything
 * unknown fails closed with EntryParseError('UNSUPPORTED_KIND') (stored as a MalformedEntry).
 *
 * The body is attacker-written (anyone can upload to Rekor): JSON is parsed inside a guard, every field
 * is type-checked (json-fields.ts), base64 is strict, digests are validated.
 *
 * Where an entry has several signatures (dsse, intoto 0.0.2), every signer is returned, in order; the
 * parser makes one SigningEvent per signer (parse-leaf.ts), so a rule matches whichever of them it names.
 */
import type { PublicKeyInfo } from '@sigwatch/rules';
import { EntryParseError, guard } from './entry-parse-error.js';
import type { CertificateFields } from './certificate-fields.js';
import { arr, at, base64Bytes, optArr, optStr, str, type Json } from './json-fields.js';
import { signerFromBytes, signerFromDer, type Signer } from './public-key.js';
import { timeStampDigest } from './timestamp-response.js';

export interface Digest {
  algorithm: string;
  value: string;
}

export interface ParsedRekorBody {
  kind: string;
  apiVersion: string;
  digests: Digest[];
  /** The first signer's certificate or key (as `signers[0]`). */
  certificate?: CertificateFields;
  publicKey?: PublicKeyInfo;
  /** Every signer, in the entry's order; empty for kinds without one (rfc3161, tuf). */
  signers: Signer[];
}

/** Largest body we parse; Rekor v1 caps uploads well below this. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

const DIGEST_BYTES: Readonly<Record<string, number>> = { sha256: 32, sha384: 48, sha512: 64, sha1: 20 };
const ALG_NAMES: Readonly<Record<string, string>> = {
  sha256: 'sha256',
  SHA2_256: 'sha256',
  sha384: 'sha384',
  SHA2_384: 'sha384',
  sha512: 'sha512',
  SHA2_512: 'sha512',
  sha1: 'sha1',
};

/** v1 digest `{algorithm, value: hex}`. */
function hexDigest(body: Json, path: string): Digest {
  const alg = ALG_NAMES[str(body, `${path}.algorithm`)];
  const value = str(body, `${path}.value`).toLowerCase();
  if (!alg || !/^[0-9a-f]*$/.test(value) || value.length !== 2 * DIGEST_BYTES[alg]!) {
    throw new EntryParseError('BAD_DIGEST', `${path}: not a valid hex digest`);
  }
  return { algorithm: alg, value };
}

/** v2 digest `{algorithm: SHA2_256, digest: base64}`. */
function b64Digest(body: Json, path: string): Digest {
  const alg = ALG_NAMES[str(body, `${path}.algorithm`)];
  const bytes = base64Bytes(str(body, `${path}.digest`), `${path}.digest`);
  if (!alg || bytes.length !== DIGEST_BYTES[alg]) throw new EntryParseError('BAD_DIGEST', `${path}: not a valid digest`);
  return { algorithm: alg, value: Buffer.from(bytes).toString('hex') };
}

function optional(body: Json, path: string, read: (b: Json, p: string) => Digest): Digest[] {
  return at(body, path) === undefined || at(body, path) === null ? [] : [read(body, path)];
}

/** Base64 of PEM / armored / SSH verifier text, as v1 bodies store keys. */
function v1Signer(body: Json, path: string): Signer {
  return signerFromBytes(base64Bytes(str(body, path), path));
}

function optV1Signer(body: Json, path: string): Signer | undefined {
  return optStr(body, path) === undefined ? undefined : v1Signer(body, path);
}

/** v2 verifier `{publicKey: {rawBytes}} | {x509Certificate: {rawBytes}}`, DER base64. */
function v2Signer(body: Json, path: string): Signer {
  const cert = optStr(body, `${path}.x509Certificate.rawBytes`);
  if (cert !== undefined) return signerFromDer(base64Bytes(cert, `${path}.x509Certificate`));
  return signerFromDer(base64Bytes(str(body, `${path}.publicKey.rawBytes`), `${path}.publicKey`));
}

type Reader = (body: Json) => { digests: Digest[]; signers: Signer[] };

/** Every element of the array at `path` → its signer at `path.<i>.<field>`. */
function each(body: Json, path: string, read: (b: Json, p: string) => Signer, field: string, required = true): Signer[] {
  return (required ? arr(body, path) : optArr(body, path)).map((_, i) => read(body, `${path}.${i}.${field}`));
}

const one = (s: Signer | undefined): Signer[] => (s === undefined ? [] : [s]);

const READERS: Readonly<Record<string, Reader>> = {
  'hashedrekord@0.0.1': (b) => ({
    digests: [hexDigest(b, 'spec.data.hash')],
    signers: [v1Signer(b, 'spec.signature.publicKey.content')],
  }),
  'hashedrekord@0.0.2': (b) => ({
    digests: [b64Digest(b, 'spec.hashedRekordV002.data')],
    signers: [v2Signer(b, 'spec.hashedRekordV002.signature.verifier')],
  }),
  'dsse@0.0.1': (b) => ({
    digests: [...optional(b, 'spec.payloadHash', hexDigest), ...optional(b, 'spec.envelopeHash', hexDigest)],
    signers: each(b, 'spec.signatures', v1Signer, 'verifier'),
  }),
  'dsse@0.0.2': (b) => ({
    digests: [b64Digest(b, 'spec.dsseV002.payloadHash')],
    signers: each(b, 'spec.dsseV002.signatures', v2Signer, 'verifier'),
  }),
  'intoto@0.0.1': (b) => ({
    digests: [...optional(b, 'spec.content.payloadHash', hexDigest), ...optional(b, 'spec.content.hash', hexDigest)],
    signers: [v1Signer(b, 'spec.publicKey')],
  }),
  'intoto@0.0.2': (b) => ({
    digests: [...optional(b, 'spec.content.payloadHash', hexDigest), ...optional(b, 'spec.content.hash', hexDigest)],
    signers: each(b, 'spec.content.envelope.signatures', v1Signer, 'publicKey', false),
  }),
  'rekord@0.0.1': (b) => ({
    digests: optional(b, 'spec.data.hash', hexDigest),
    signers: [v1Signer(b, 'spec.signature.publicKey.content')],
  }),
  'helm@0.0.1': (b) => ({
    digests: optional(b, 'spec.chart.hash', hexDigest),
    signers: [v1Signer(b, 'spec.publicKey.content')],
  }),
  'jar@0.0.1': (b) => ({
    digests: optional(b, 'spec.archive.hash', hexDigest),
    signers: one(optV1Signer(b, 'spec.signature.publicKey.content')),
  }),
  'rpm@0.0.1': (b) => ({
    digests: optional(b, 'spec.package.hash', hexDigest),
    signers: [v1Signer(b, 'spec.publicKey.content')],
  }),
  'alpine@0.0.1': (b) => ({
    digests: optional(b, 'spec.package.hash', hexDigest),
    signers: [v1Signer(b, 'spec.publicKey.content')],
  }),
  'cose@0.0.1': (b) => ({
    digests: [...optional(b, 'spec.data.payloadHash', hexDigest), ...optional(b, 'spec.data.envelopeHash', hexDigest)],
    signers: [v1Signer(b, 'spec.publicKey')],
  }),
  // A time-stamp response names no signer a rule can match, only the digest it stamped (messageImprint).
  'rfc3161@0.0.1': (b) => ({
    digests: [timeStampDigest(base64Bytes(str(b, 'spec.tsr.content'), 'spec.tsr.content'))],
    signers: [],
  }),
  // TUF metadata carries no signing identity a rule can match; record the kind only.
  'tuf@0.0.1': () => ({ digests: [], signers: [] }),
};

/** Parse a Rekor body (canonical JSON bytes). Throws EntryParseError. */
export function parseRekorBody(bytes: Uint8Array): ParsedRekorBody {
  if (bytes.length > MAX_BODY_BYTES) throw new EntryParseError('TOO_LARGE', `body of ${bytes.length} bytes`);
  // A view, not a copy (Buffer.from(Uint8Array) copies the bytes); same UTF-8 decoding.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const body = guard('BAD_JSON', 'body is not JSON', () => JSON.parse(text) as Json);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new EntryParseError('BAD_JSON', 'body is not an object');
  const kind = str(body, 'kind');
  const apiVersion = str(body, 'apiVersion');
  const reader = READERS[`${kind}@${apiVersion}`];
  if (!reader) throw new EntryParseError('UNSUPPORTED_KIND', `unsupported entry kind ${JSON.stringify(kind)} ${JSON.stringify(apiVersion)}`);
  const { digests, signers } = guard('BAD_JSON', `${kind} ${apiVersion}`, () => reader(body));
  const out: ParsedRekorBody = { kind, apiVersion, digests, signers };
  const first = signers[0];
  if (first && 'certificate' in first) out.certificate = first.certificate;
  else if (first) out.publicKey = first.publicKey;
  return out;
}
