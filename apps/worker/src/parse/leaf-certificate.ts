/**
 * The signing certificate's DER in a log leaf, for validating the chain of a matched entry (the hot path keeps
 * only the parsed fields, never the bytes):
 * - Rekor v1/v2 bodies: the certificate whose SHA-256 is the event's `fingerprintSha256`, found among the
 *   body's base64 strings (v1 verifiers are base64 PEM, possibly a whole chain; v2 verifiers are
 *   `x509Certificate.rawBytes` DER). Looking it up by fingerprint ties the result to the very certificate the
 *   parser described, for every kind and apiVersion, without a second table of where each kind keeps it.
 * - CT x509_entry (RFC 6962 §3.4): the logged certificate.
 * - CT precert_entry: the leaf holds only the TBSCertificate. The pre-certificate and its chain come from
 *   get-entries' `extra_data` (§4.6 PrecertChainEntry), which no tree hash covers: the pre-certificate is used
 *   only if its TBS without the poison extension is, byte for byte, the logged TBS (§3.2).
 * The leaf and extra data are attacker-controlled: malformed input throws EntryParseError; a certificate that
 * is not there is a `missing` result with the reason.
 */
import { bytesEqual, decodeExtraData, decodeMerkleTreeLeaf, precertificateTbs } from '@sigwatch/tlog';
import type { LogKind } from '@sigwatch/rules';
import { EntryParseError, guard } from './entry-parse-error.js';
import { MAX_BODY_BYTES } from './rekor-body.js';
import { sha256Hex } from './certificate-fast.js';

export interface LeafCertificate {
  /** DER of the certificate to validate (for a CT precert entry: the pre-certificate). */
  der: Uint8Array;
  /** Certificates that came with it (the rest of a PEM chain, CT extra_data), leaf-most first: candidate intermediates. */
  intermediates: Uint8Array[];
}

export type LeafCertificateResult = LeafCertificate | { missing: string };

const PEM_BEGIN = '-----BEGIN CERTIFICATE-----';
const PEM_END = '-----END CERTIFICATE-----';
/** Shorter base64 strings cannot hold a certificate (digests, signatures): not decoded. */
const MIN_CERT_BASE64 = 200;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;


/**
 * The certificate to validate for an event parsed from `leaf`, whose certificate fingerprint is
 * `fingerprintSha256` (lower-case hex). `extraData` is the CT get-entries `extra_data` (required for precerts).
 */
export function leafCertificate(kind: LogKind, leaf: Uint8Array, fingerprintSha256: string, extraData?: Uint8Array): LeafCertificateResult {
  return kind === 'ct' ? ctCertificate(leaf, fingerprintSha256, extraData) : bodyCertificate(leaf, fingerprintSha256);
}

function bodyCertificate(body: Uint8Array, fingerprint: string): LeafCertificateResult {
  if (body.length > MAX_BODY_BYTES) throw new EntryParseError('TOO_LARGE', `body of ${body.length} bytes`);
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  const json = guard('BAD_JSON', 'body is not JSON', () => JSON.parse(text) as unknown);
  // An explicit stack: nesting depth is the uploader's choice.
  const stack: unknown[] = [json];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      const group = certificatesIn(v);
      const i = group.findIndex((der) => sha256Hex(der) === fingerprint);
      if (i >= 0) return { der: group[i] as Uint8Array, intermediates: group.filter((_, j) => j !== i) };
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (v !== null && typeof v === 'object') {
      for (const x of Object.values(v)) stack.push(x);
    }
  }
  return { missing: `no certificate with SHA-256 ${fingerprint} in the entry body` };
}

/** The certificates a base64 string holds: one DER certificate, or the blocks of a base64-encoded PEM text. */
function certificatesIn(s: string): Uint8Array[] {
  if (s.length < MIN_CERT_BASE64 || !BASE64.test(s)) return [];
  const bytes = Buffer.from(s, 'base64');
  if (bytes[0] === 0x30) return [new Uint8Array(bytes)];
  const text = bytes.toString('latin1');
  const out: Uint8Array[] = [];
  // indexOf, not a regex: linear in the text whatever its markers.
  for (let at = text.indexOf(PEM_BEGIN); at >= 0; at = text.indexOf(PEM_BEGIN, at)) {
    const end = text.indexOf(PEM_END, at);
    if (end < 0) break;
    out.push(new Uint8Array(Buffer.from(text.slice(at + PEM_BEGIN.length, end).replace(/\s+/g, ''), 'base64')));
    at = end + PEM_END.length;
  }
  return out;
}

function ctCertificate(leaf: Uint8Array, fingerprint: string, extraData: Uint8Array | undefined): LeafCertificateResult {
  const { entry } = guard('BAD_CT_LEAF', 'MerkleTreeLeaf', () => decodeMerkleTreeLeaf(leaf));
  if (entry.type === 'x509') {
    if (sha256Hex(entry.certificate) !== fingerprint) return { missing: `the logged certificate is not the one with SHA-256 ${fingerprint}` };
    const chain = extraData === undefined ? [] : guard('BAD_CT_LEAF', 'extra_data', () => decodeExtraData(extraData, 'x509').chain);
    return { der: entry.certificate, intermediates: chain };
  }
  if (extraData === undefined) return { missing: 'a precert entry without extra_data (the pre-certificate)' };
  const { preCertificate, chain } = guard('BAD_CT_LEAF', 'extra_data', () => decodeExtraData(extraData, 'precert'));
  const tbs = preCertificate === undefined ? undefined : guard('BAD_CT_LEAF', 'pre-certificate', () => precertificateTbs(preCertificate));
  if (preCertificate === undefined || tbs === undefined || !bytesEqual(tbs, entry.tbsCertificate)) {
    return { missing: "extra_data's pre-certificate is not the logged TBSCertificate" };
  }
  return { der: preCertificate, intermediates: chain };
}
