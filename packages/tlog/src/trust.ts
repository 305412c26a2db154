/**
 * Sigstore trust material: the `TrustedRoot` of protobuf-specs (`trusted_root.json`, media type
 * `application/vnd.dev.sigstore.trustedroot+json;version=0.1`): transparency logs, CT logs, Fulcio CAs.
 *
 * The default is the production root embedded in `@sigstore/tuf`'s `seeds.json` (its trust is that of the npm
 * package); callers that can reach TUF or read a configured file pass that JSON to `parseTrustedRoot`.
 */
import { createRequire } from 'node:module';
import { X509Certificate, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { TlogError, wrapErrors } from './errors.js';
import { bytesEqual, fromBase64, toBase64, toHex } from './encoding.js';
import { importPublicKey } from './keys.js';
import { ecdsaNoteVerifier, ed25519NoteVerifier, type NoteVerifier } from './note-keys.js';

const validFor = z.object({ start: z.string(), end: z.string().optional() });
const logSchema = z.object({
  baseUrl: z.string(),
  hashAlgorithm: z.string().optional(),
  publicKey: z.object({ rawBytes: z.string(), keyDetails: z.string(), validFor: validFor.optional() }),
  logId: z.object({ keyId: z.string() }),
});
const caSchema = z.object({
  subject: z.object({ organization: z.string().optional(), commonName: z.string().optional() }).optional(),
  uri: z.string().optional(),
  certChain: z.object({ certificates: z.array(z.object({ rawBytes: z.string() })).min(1) }),
  validFor: validFor.optional(),
});
const trustedRootSchema = z.object({
  mediaType: z.string().startsWith('application/vnd.dev.sigstore.trustedroot'),
  tlogs: z.array(logSchema).default([]),
  certificateAuthorities: z.array(caSchema).default([]),
  ctlogs: z.array(logSchema).default([]),
  timestampAuthorities: z.array(caSchema).default([]),
});

export interface ValidityWindow {
  start: Date;
  /** Absent: still valid. */
  end?: Date;
}

export interface TrustedLog {
  /** `https://rekor.sigstore.dev`, `https://log2025-1.rekor.sigstore.dev`, `https://ctfe.sigstore.dev/2022`. */
  baseUrl: string;
  /** Host part of the base URL: the Rekor v1 checkpoint key name and the Rekor v2 checkpoint origin. */
  hostname: string;
  /** Log ID (32 bytes): SHA-256 of the SPKI for ECDSA logs, the C2SP key ID for Rekor v2 Ed25519 logs. */
  logId: Uint8Array;
  /** The trusted root's key type, e.g. PKIX_ECDSA_P256_SHA_256, PKIX_ED25519, PKCS1_RSA_PKCS1V5. */
  keyDetails: string;
  key: KeyObject;
  validFor: ValidityWindow;
}

export interface TrustedCertificateAuthority {
  uri: string;
  subject: string;
  /** Chain from the intermediate(s) to the root, as listed (leaf-most first). */
  certificates: X509Certificate[];
  validFor: ValidityWindow;
}

export interface TrustedRoot {
  tlogs: TrustedLog[];
  ctlogs: TrustedLog[];
  certificateAuthorities: TrustedCertificateAuthority[];
  timestampAuthorities: TrustedCertificateAuthority[];
}

function parseWindow(v: { start: string; end?: string | undefined } | undefined, what: string): ValidityWindow {
  const start = new Date(v?.start ?? 0);
  if (Number.isNaN(start.getTime())) throw new TlogError('MALFORMED_TRUSTED_ROOT', `${what}: bad validFor.start`);
  if (v?.end === undefined) return { start };
  const end = new Date(v.end);
  if (Number.isNaN(end.getTime())) throw new TlogError('MALFORMED_TRUSTED_ROOT', `${what}: bad validFor.end`);
  return { start, end };
}

function parseLog(l: z.infer<typeof logSchema>, i: number, kind: string): TrustedLog {
  const what = `${kind}[${i}] ${l.baseUrl}`;
  const hostname = wrapErrors('MALFORMED_TRUSTED_ROOT', `${what}: bad baseUrl`, () => new URL(l.baseUrl).hostname);
  const key = wrapErrors('MALFORMED_TRUSTED_ROOT', `${what}: bad public key`, () =>
    importPublicKey(fromBase64(l.publicKey.rawBytes, 'MALFORMED_TRUSTED_ROOT', `${what} public key`)),
  );
  const logId = fromBase64(l.logId.keyId, 'MALFORMED_TRUSTED_ROOT', `${what} logId`);
  return { baseUrl: l.baseUrl, hostname, logId, keyDetails: l.publicKey.keyDetails, key, validFor: parseWindow(l.publicKey.validFor, what) };
}

function parseCa(c: z.infer<typeof caSchema>, i: number, kind: string): TrustedCertificateAuthority {
  const what = `${kind}[${i}] ${c.uri ?? ''}`;
  const certificates = c.certChain.certificates.map((cert, j) =>
    wrapErrors('MALFORMED_TRUSTED_ROOT', `${what} certificate ${j}`, () => new X509Certificate(Buffer.from(fromBase64(cert.rawBytes, 'MALFORMED_TRUSTED_ROOT')))),
  );
  const subject = [c.subject?.organization, c.subject?.commonName].filter((s) => s !== undefined).join(', ');
  return { uri: c.uri ?? '', subject, certificates, validFor: parseWindow(c.validFor, what) };
}

/** Validates and decodes a trusted_root.json (text or parsed JSON). Throws `MALFORMED_TRUSTED_ROOT`. */
export function parseTrustedRoot(input: string | unknown): TrustedRoot {
  const json = typeof input === 'string' ? wrapErrors('MALFORMED_TRUSTED_ROOT', 'trusted root is not JSON', () => JSON.parse(input) as unknown) : input;
  const parsed = trustedRootSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new TlogError('MALFORMED_TRUSTED_ROOT', `invalid trusted root: ${issues}`);
  }
  const r = parsed.data;
  return {
    tlogs: r.tlogs.map((l, i) => parseLog(l, i, 'tlogs')),
    ctlogs: r.ctlogs.map((l, i) => parseLog(l, i, 'ctlogs')),
    certificateAuthorities: r.certificateAuthorities.map((c, i) => parseCa(c, i, 'certificateAuthorities')),
    timestampAuthorities: r.timestampAuthorities.map((c, i) => parseCa(c, i, 'timestampAuthorities')),
  };
}

const SEEDS_MIRROR = 'https://tuf-repo-cdn.sigstore.dev';
let embedded: TrustedRoot | undefined;

/** The production trusted root embedded in `@sigstore/tuf` (seeds.json), parsed once. */
export function embeddedTrustedRoot(): TrustedRoot {
  if (embedded === undefined) {
    const require = createRequire(import.meta.url);
    const seeds = require('@sigstore/tuf/seeds.json') as Record<string, { targets?: Record<string, string> }>;
    const b64 = seeds[SEEDS_MIRROR]?.targets?.['trusted_root.json'];
    if (b64 === undefined) throw new TlogError('MALFORMED_TRUSTED_ROOT', '@sigstore/tuf seeds.json has no trusted_root.json');
    embedded = parseTrustedRoot(Buffer.from(b64, 'base64').toString('utf8'));
  }
  return embedded;
}

/** Whether `at` lies in the window (start inclusive, end inclusive). */
export function isWithin(w: ValidityWindow, at: Date): boolean {
  return at.getTime() >= w.start.getTime() && (w.end === undefined || at.getTime() <= w.end.getTime());
}

function findLog(logs: TrustedLog[], logId: Uint8Array, at: Date | undefined, kind: string): TrustedLog {
  const log = logs.find((l) => bytesEqual(l.logId, logId));
  if (log === undefined) throw new TlogError('UNKNOWN_KEY', `no trusted ${kind} has log ID ${toBase64(logId)}`);
  if (at !== undefined && !isWithin(log.validFor, at)) {
    throw new TlogError('KEY_NOT_VALID_AT_TIME', `${kind} ${log.baseUrl} key is not valid at ${at.toISOString()}`);
  }
  return log;
}

/**
 * Resolves a Rekor log ID (32 bytes, or a hex / base64 string) to its trusted log. With `at`, the key's
 * validity window must contain it (`KEY_NOT_VALID_AT_TIME`); unknown IDs throw `UNKNOWN_KEY`.
 */
export function findTransparencyLog(root: TrustedRoot, logId: Uint8Array | string, at?: Date): TrustedLog {
  return findLog(root.tlogs, typeof logId === 'string' ? logIdBytes(logId) : logId, at, 'transparency log');
}

/** Resolves a CT log ID to its trusted CT log (same rules as `findTransparencyLog`). */
export function findCtLog(root: TrustedRoot, logId: Uint8Array | string, at?: Date): TrustedLog {
  return findLog(root.ctlogs, typeof logId === 'string' ? logIdBytes(logId) : logId, at, 'CT log');
}

function logIdBytes(s: string): Uint8Array {
  return /^[0-9a-fA-F]{64}$/.test(s) ? new Uint8Array(Buffer.from(s, 'hex')) : fromBase64(s, 'UNKNOWN_KEY', 'log ID');
}

/**
 * Note verifiers for every transparency log's checkpoint key: ECDSA keys under the Rekor v1 key name
 * (the base URL's host, key hint = SHA-256(SPKI)[:4]); Ed25519 keys under the Rekor v2 origin (the host).
 * With `at`, only keys valid at that time. Keys of other types are skipped.
 */
export function checkpointVerifiers(root: TrustedRoot, at?: Date): NoteVerifier[] {
  const out: NoteVerifier[] = [];
  for (const log of root.tlogs) {
    if (at !== undefined && !isWithin(log.validFor, at)) continue;
    if (log.key.asymmetricKeyType === 'ec') out.push(ecdsaNoteVerifier(log.hostname, log.key));
    else if (log.key.asymmetricKeyType === 'ed25519') out.push(ed25519NoteVerifier(log.hostname, log.key));
  }
  return out;
}

/** The trusted log whose checkpoint key has this (name, 4-byte key ID), if any. */
export function findCheckpointSigner(root: TrustedRoot, name: string, keyIdHex: string): TrustedLog | undefined {
  return root.tlogs.find((log) => {
    if (log.hostname !== name) return false;
    const v = log.key.asymmetricKeyType === 'ec' ? ecdsaNoteVerifier(name, log.key) : log.key.asymmetricKeyType === 'ed25519' ? ed25519NoteVerifier(name, log.key) : undefined;
    return v !== undefined && toHex(v.keyId) === keyIdHex;
  });
}

export interface CertificateChainResult {
  /** The CA whose chain the certificate validated against. */
  authority: TrustedCertificateAuthority;
  /** Leaf first, root last. */
  path: X509Certificate[];
}

/**
 * Validates `leaf` (DER or PEM) against the trusted Fulcio CAs at time `at` (normally the entry's integrated
 * time or the leaf's notBefore): each certificate on the path must be issued and signed by the next one and
 * valid at `at`, the path must end at a self-signed CA certificate, and the CA's validity window must contain
 * `at`. `intermediates` from a bundle are accepted as extra issuers only if they chain to the same roots.
 * Throws `CERT_CHAIN_INVALID` (or `MALFORMED_ENTRY` if the certificate does not parse).
 */
export function verifyCertificateChain(
  root: TrustedRoot,
  leaf: Uint8Array | string,
  at: Date,
  intermediates: readonly (Uint8Array | string)[] = [],
): CertificateChainResult {
  const leafCert = wrapErrors('MALFORMED_ENTRY', 'certificate does not parse', () => new X509Certificate(typeof leaf === 'string' ? leaf : Buffer.from(leaf)));
  const extra = intermediates.map((c, i) => wrapErrors('MALFORMED_ENTRY', `chain certificate ${i} does not parse`, () => new X509Certificate(typeof c === 'string' ? c : Buffer.from(c))));
  const reasons: string[] = [];
  for (const authority of root.certificateAuthorities) {
    if (!isWithin(authority.validFor, at)) {
      reasons.push(`${authority.uri} (${authority.subject}) not valid at ${at.toISOString()}`);
      continue;
    }
    const pool = [...authority.certificates, ...extra];
    const path: X509Certificate[] = [leafCert];
    let cur = leafCert;
    let ok = false;
    for (let depth = 0; depth < 8; depth++) {
      if (!certValidAt(cur, at)) break;
      const issuer = pool.find((c) => cur.checkIssued(c) && safeVerify(cur, c));
      if (issuer === undefined) break;
      if (issuer === cur || issuer.fingerprint256 === cur.fingerprint256) {
        ok = authority.certificates.some((c) => c.fingerprint256 === cur.fingerprint256);
        break;
      }
      path.push(issuer);
      cur = issuer;
    }
    if (ok) return { authority, path };
    reasons.push(`${authority.uri} (${authority.subject}): no valid path`);
  }
  throw new TlogError('CERT_CHAIN_INVALID', `certificate ${leafCert.serialNumber} does not chain to a trusted CA at ${at.toISOString()}: ${reasons.join('; ')}`);
}

function certValidAt(c: X509Certificate, at: Date): boolean {
  return at.getTime() >= new Date(c.validFrom).getTime() && at.getTime() <= new Date(c.validTo).getTime();
}

function safeVerify(c: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return c.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
