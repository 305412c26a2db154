/**
 * SigningEvent: everything a rule can match and an alert can show about one log entry.
 * Produced by the worker's parser (apps/worker/src/parse), carried on the `entries-to-match` queue,
 * matched by this package, shown by the API. JSON-safe: big integers travel as decimal strings.
 */
import { z } from 'zod';

const hex = z.string().regex(/^[0-9a-f]*$/, 'lower-case hex');
const decimal = z.string().regex(/^(0|[1-9][0-9]*)$/, 'a non-negative decimal integer');

export const LogKindSchema = z.enum(['rekor-v1', 'rekor-v2', 'ct']);
export type LogKind = z.infer<typeof LogKindSchema>;

export const SanSchema = z.object({
  /** uri / email / dns / ip / other (OtherName, e.g. Fulcio .1.7 username). */
  type: z.enum(['uri', 'email', 'dns', 'ip', 'other']),
  value: z.string(),
});
export type San = z.infer<typeof SanSchema>;

export const CertificateInfoSchema = z.object({
  sans: z.array(SanSchema),
  /** OIDC issuer: .1.8 when present, else .1.1. */
  issuer: z.string().optional(),
  /**
   * Every extension value by dotted OID, decoded as text where it is a string (Fulcio .1.1–.1.6 raw,
   * .1.8+ DER UTF8String); other extensions as lower-case hex of their DER value.
   */
  extensions: z.record(z.string(), z.string()),
  subject: z.string().optional(),
  issuerDn: z.string().optional(),
  serial: hex,
  notBefore: z.string(),
  notAfter: z.string(),
  /** SHA-256 of the certificate DER, hex. */
  fingerprintSha256: hex,
  /** SHA-256 of the SubjectPublicKeyInfo DER, hex. */
  publicKeySha256: hex,
  /** Chain status against the Fulcio CAs of the trusted root at notBefore. */
  chain: z.enum(['valid', 'invalid', 'unknown']),
});
export type CertificateInfo = z.infer<typeof CertificateInfoSchema>;

export const PublicKeyInfoSchema = z.object({
  /** SHA-256 of the DER SubjectPublicKeyInfo (or of the raw key bytes when not PKIX), hex. */
  fingerprintSha256: hex,
  /** Identities carried by non-X.509 keys (PGP user ids, SSH comments, minisign). */
  subjects: z.array(z.string()),
  keyType: z.string().optional(),
  /**
   * The key's fingerprint as its own tools print it, where it has one: OpenPGP (`gpg --fingerprint`, lower-case
   * hex: 40 digits for v4 keys, 64 for v5/v6) or OpenSSH (`ssh-keygen -l`: `SHA256:` + unpadded base64).
   */
  fingerprint: z.string().max(128).optional(),
});
export type PublicKeyInfo = z.infer<typeof PublicKeyInfoSchema>;

export const DigestSchema = z.object({ algorithm: z.string(), value: hex });

export const SigningEventSchema = z.object({
  log: z.object({ origin: z.string().min(1), kind: LogKindSchema }),
  /** Index inside this tree (Rekor v1 shard / v2 shard / CT log). */
  index: decimal,
  /** Rekor v1 global index (local + sizes of inactive shards); equals `index` elsewhere. */
  globalIndex: decimal,
  /** RFC 6962 leaf hash, hex. */
  leafHash: hex,
  /** Rekor v1 entry UUID (tree id + leaf hash) when known. */
  uuid: z.string().optional(),
  /** Rekor v1 integratedTime / CT timestamp, unix seconds; absent on Rekor v2. */
  integratedTime: z.number().int().optional(),
  /** hashedrekord, dsse, intoto, rekord, … ; `x509` / `precert` for CT. */
  kind: z.string(),
  apiVersion: z.string(),
  digests: z.array(DigestSchema),
  certificate: CertificateInfoSchema.optional(),
  publicKey: PublicKeyInfoSchema.optional(),
});
export type SigningEvent = z.infer<typeof SigningEventSchema>;
