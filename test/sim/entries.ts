/**
 * Real, verifiable Rekor entry bodies for the log simulator and the parser tests.
 *
 * Shapes follow the Rekor type schemas (sigstore/rekor `pkg/types/{hashedrekord,dsse,intoto}/*\/*.json`)
 * and rekor-tiles' protojson `dev.sigstore.rekor.v2.Entry` (hashedRekordV002, dsseV002). Every signature is
 * real: hashedrekord signs the artifact (the verifier checks it against the digest), DSSE/in-toto sign the
 * DSSE PAE (`DSSEv1 <len(type)> <type> <len(payload)> <payload>`, in-toto/dsse protocol.md).
 * Rekor v1 stores the body as canonical JSON (RFC 8785: sorted keys, no whitespace); the leaf is those
 * bytes. Rekor v2's protojson entries are serialised the same way here (fields come out in the same
 * order as the real entries in testdata).
 */
import { createHash, sign as nodeSign } from 'node:crypto';
import type { LeafMaterial, SimKeyPair } from './ca.js';

/** Anything that can sign: an issued certificate (verifier = its PEM) or a bare key (verifier = SPKI PEM). */
export type EntrySigner =
  | { readonly leaf: LeafMaterial }
  | { readonly key: SimKeyPair };

export interface EntryBody<T = unknown> {
  /** The body object. */
  readonly body: T;
  /** Canonical JSON of `body`, the leaf bytes of the log entry. */
  readonly canonical: Uint8Array;
  /** `canonical` as base64: Rekor v1's `body` field. */
  readonly base64: string;
}

const sha256 = (b: Uint8Array | string): Buffer => createHash('sha256').update(b).digest();
const b64 = (b: Uint8Array | string): string => Buffer.from(b).toString('base64');

/** RFC 8785-style canonical JSON for the values entries contain (strings, integers, arrays, objects). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

function entry<T>(body: T): EntryBody<T> {
  const canonical = new Uint8Array(Buffer.from(canonicalJson(body), 'utf8'));
  return { body, canonical, base64: b64(canonical) };
}

function keyOf(s: EntrySigner): SimKeyPair {
  return 'leaf' in s ? s.leaf.key : s.key;
}

/** PEM of the verifier: the certificate, or the SubjectPublicKeyInfo. */
export function verifierPem(s: EntrySigner): string {
  if ('leaf' in s) return s.leaf.pem.endsWith('\n') ? s.leaf.pem : `${s.leaf.pem}\n`;
  const body = b64(s.key.spki).replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----\n`;
}

/** Sign `data` with the signer's key: ECDSA-SHA256/384 (DER), Ed25519, or RSA PKCS#1 v1.5 SHA-256. */
export function signBytes(s: EntrySigner, data: Uint8Array): Buffer {
  const k = keyOf(s);
  const hash = k.type === 'ed25519' ? null : k.type === 'p384' ? 'sha384' : 'sha256';
  return nodeSign(hash, data, k.privateKey);
}

/** Rekor v2 `keyDetails` (protobuf-specs PublicKeyDetails) for the signer's key type. */
export function keyDetails(s: EntrySigner): string {
  switch (keyOf(s).type) {
    case 'p256':
      return 'PKIX_ECDSA_P256_SHA_256';
    case 'p384':
      return 'PKIX_ECDSA_P384_SHA_384';
    case 'ed25519':
      return 'PKIX_ED25519';
    default:
      return 'PKIX_RSA_PKCS1V15_2048_SHA256';
  }
}

/** DSSE pre-authentication encoding (in-toto/dsse `protocol.md`). */
export function dssePae(payloadType: string, payload: Uint8Array): Buffer {
  const t = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${t.length} `),
    t,
    Buffer.from(` ${payload.length} `),
    Buffer.from(payload),
  ]);
}

export interface HashedRekordV001 {
  apiVersion: '0.0.1';
  kind: 'hashedrekord';
  spec: {
    data: { hash: { algorithm: 'sha256'; value: string } };
    signature: { content: string; publicKey: { content: string } };
  };
}

/** hashedrekord 0.0.1: sha256 of the artifact, a signature over the artifact, verifier PEM base64. */
export function hashedRekordV001(artifact: Uint8Array, signer: EntrySigner): EntryBody<HashedRekordV001> & { digest: string } {
  const digest = sha256(artifact).toString('hex');
  const body: HashedRekordV001 = {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: 'sha256', value: digest } },
      signature: { content: b64(signBytes(signer, artifact)), publicKey: { content: b64(verifierPem(signer)) } },
    },
  };
  return { ...entry(body), digest };
}

function verifierV2(signer: EntrySigner): Record<string, unknown> {
  return 'leaf' in signer
    ? { keyDetails: keyDetails(signer), x509Certificate: { rawBytes: b64(signer.leaf.der) } }
    : { keyDetails: keyDetails(signer), publicKey: { rawBytes: b64(signer.key.spki) } };
}

/** hashedrekord 0.0.2 (Rekor v2 protojson): digest base64, algorithm SHA2_256, DER verifier. */
export function hashedRekordV002(artifact: Uint8Array, signer: EntrySigner): EntryBody & { digest: string } {
  const d = sha256(artifact);
  const body = {
    apiVersion: '0.0.2',
    kind: 'hashedrekord',
    spec: {
      hashedRekordV002: {
        data: { algorithm: 'SHA2_256', digest: b64(d) },
        signature: { content: b64(signBytes(signer, artifact)), verifier: verifierV2(signer) },
      },
    },
  };
  return { ...entry(body), digest: d.toString('hex') };
}

export interface DsseEnvelope {
  payloadType: string;
  payload: string;
  signatures: { sig: string; keyid?: string }[];
}

/** One signer, or several (a DSSE envelope may carry a signature from each). */
export type EntrySigners = EntrySigner | readonly EntrySigner[];
const signerList = (s: EntrySigners): readonly EntrySigner[] => ('leaf' in s || 'key' in s ? [s as EntrySigner] : (s as readonly EntrySigner[]));

/** A DSSE envelope over `payload` signed by each signer, in order. */
export function dsseEnvelope(payloadType: string, payload: Uint8Array, signers: EntrySigners): DsseEnvelope {
  return { payloadType, payload: b64(payload), signatures: signerList(signers).map((signer) => ({ sig: b64(signBytes(signer, dssePae(payloadType, payload))) })) };
}

/** An in-toto v1 statement with one sha256 subject. */
export function inTotoStatement(subjectName: string, subjectDigestHex: string, predicateType = 'https://slsa.dev/provenance/v1'): Uint8Array {
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: subjectName, digest: { sha256: subjectDigestHex } }],
    predicateType,
    predicate: {},
  };
  return new Uint8Array(Buffer.from(JSON.stringify(statement), 'utf8'));
}

/**
 * dsse 0.0.1: payloadHash = sha256(payload), envelopeHash = sha256(envelope JSON), signatures with the
 * verifier PEM base64.
 */
export function dsseV001(payloadType: string, payload: Uint8Array, signer: EntrySigners): EntryBody & { envelope: DsseEnvelope } {
  const envelope = dsseEnvelope(payloadType, payload, signer);
  const signers = signerList(signer);
  const body = {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256(JSON.stringify(envelope)).toString('hex') },
      payloadHash: { algorithm: 'sha256', value: sha256(payload).toString('hex') },
      signatures: envelope.signatures.map((sig, i) => ({ signature: sig.sig, verifier: b64(verifierPem(signers[i]!)) })),
    },
  };
  return { ...entry(body), envelope };
}

/** dsse 0.0.2 (Rekor v2 protojson, deprecated upstream but still readable). */
export function dsseV002(payloadType: string, payload: Uint8Array, signer: EntrySigners): EntryBody & { envelope: DsseEnvelope } {
  const envelope = dsseEnvelope(payloadType, payload, signer);
  const signers = signerList(signer);
  const body = {
    apiVersion: '0.0.2',
    kind: 'dsse',
    spec: {
      dsseV002: {
        payloadHash: { algorithm: 'SHA2_256', digest: b64(sha256(payload)) },
        signatures: envelope.signatures.map((sig, i) => ({ content: sig.sig, verifier: verifierV2(signers[i]!) })),
      },
    },
  };
  return { ...entry(body), envelope };
}

/**
 * intoto 0.0.2: the envelope without its payload, each signature's `sig` base64-encoded AGAIN and the
 * verifier PEM base64 (as Rekor stores them); hash = sha256 of the envelope JSON, payloadHash = sha256(payload).
 */
export function intotoV002(payload: Uint8Array, signer: EntrySigners, payloadType = 'application/vnd.in-toto+json'): EntryBody & { envelope: DsseEnvelope } {
  const envelope = dsseEnvelope(payloadType, payload, signer);
  const signers = signerList(signer);
  const body = {
    apiVersion: '0.0.2',
    kind: 'intoto',
    spec: {
      content: {
        envelope: {
          payloadType,
          signatures: envelope.signatures.map((sig, i) => ({ publicKey: b64(verifierPem(signers[i]!)), sig: b64(sig.sig) })),
        },
        hash: { algorithm: 'sha256', value: sha256(JSON.stringify(envelope)).toString('hex') },
        payloadHash: { algorithm: 'sha256', value: sha256(payload).toString('hex') },
      },
    },
  };
  return { ...entry(body), envelope };
}

/** intoto 0.0.1: content hashes and the verifier PEM base64 in spec.publicKey. */
export function intotoV001(payload: Uint8Array, signer: EntrySigner, payloadType = 'application/vnd.in-toto+json'): EntryBody & { envelope: DsseEnvelope } {
  const envelope = dsseEnvelope(payloadType, payload, signer);
  const body = {
    apiVersion: '0.0.1',
    kind: 'intoto',
    spec: {
      content: {
        hash: { algorithm: 'sha256', value: sha256(JSON.stringify(envelope)).toString('hex') },
        payloadHash: { algorithm: 'sha256', value: sha256(payload).toString('hex') },
      },
      publicKey: b64(verifierPem(signer)),
    },
  };
  return { ...entry(body), envelope };
}
