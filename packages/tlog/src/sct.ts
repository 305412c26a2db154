/**
 * Signed Certificate Timestamps embedded in X.509 certificates (RFC 6962 §3.2–3.3): extract the SCT list
 * (extension 1.3.6.1.4.1.11129.2.4.2), rebuild the precertificate `TBSCertificate` (the leaf's TBS without
 * that extension, or a pre-certificate's TBS without its poison extension) and verify each SCT's signature
 * over the precert_entry with the CT log's key.
 */
import { sign as cryptoSign, X509Certificate, type KeyObject } from 'node:crypto';
import { TlogError, wrapErrors } from './errors.js';
import { bytesEqual, concatBytes, toBase64 } from './encoding.js';
import { sha256 } from './hash.js';
import { importPrivateKey, importPublicKey, spkiDer, spkiSha256, type PublicKeyInput } from './keys.js';
import { children, content, encodeTlv, readTlv, slice } from './der.js';
import { TLS_HASH_SHA256, TLS_SIG_ECDSA, TLS_SIG_RSA, verifyDigitallySigned, type DigitallySigned, type TimestampedEntry } from './ct.js';
import { TlsReader, TlsWriter } from './tls-reader.js';
import { findCtLog, isWithin, type TrustedRoot } from './trust.js';

/** DER of OID 1.3.6.1.4.1.11129.2.4.2 (embedded SCT list). */
const SCT_LIST_OID = Uint8Array.from([0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02]);
/** DER of OID 1.3.6.1.4.1.11129.2.4.3 (precertificate poison, RFC 6962 §3.1). */
const POISON_OID = Uint8Array.from([0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x03]);

export interface SignedCertificateTimestamp {
  version: number;
  logId: Uint8Array;
  /** Milliseconds since the epoch. */
  timestamp: bigint;
  extensions: Uint8Array;
  signature: DigitallySigned;
}

interface TbsParts {
  tbs: Uint8Array;
  /** The TBS re-encoded without the `drop` extension (the SCT list by default). */
  precertTbs: Uint8Array;
  /** Raw TLS SignedCertificateTimestampList, if present (and dropped). */
  sctList?: Uint8Array;
}

function tbsParts(certDer: Uint8Array, drop: Uint8Array = SCT_LIST_OID): TbsParts {
  const cert = readTlv(certDer, 0);
  if (cert.tag !== 0x30 || cert.end !== certDer.length) throw new TlogError('MALFORMED_CT', 'certificate is not one DER SEQUENCE');
  const [tbsTlv] = children(certDer, cert);
  if (tbsTlv === undefined || tbsTlv.tag !== 0x30) throw new TlogError('MALFORMED_CT', 'certificate has no TBSCertificate');
  const fields = children(certDer, tbsTlv);
  let sctList: Uint8Array | undefined;
  const rebuilt = fields.map((f) => {
    if (f.tag !== 0xa3) return slice(certDer, f);
    const [extSeq] = children(certDer, f);
    if (extSeq === undefined || extSeq.tag !== 0x30) throw new TlogError('MALFORMED_CT', 'bad extensions field');
    const kept = children(certDer, extSeq).filter((ext) => {
      const [oid, ...rest] = children(certDer, ext);
      if (oid === undefined || !bytesEqual(slice(certDer, oid), drop)) return true;
      if (drop !== SCT_LIST_OID) return false;
      const value = rest[rest.length - 1];
      if (value === undefined || value.tag !== 0x04) throw new TlogError('MALFORMED_CT', 'SCT extension has no value');
      // extnValue OCTET STRING wraps a DER OCTET STRING holding the TLS-encoded list.
      const inner = content(certDer, value);
      const innerTlv = readTlv(inner, 0);
      if (innerTlv.tag !== 0x04 || innerTlv.end !== inner.length) throw new TlogError('MALFORMED_CT', 'SCT extension value is not an OCTET STRING');
      sctList = content(inner, innerTlv);
      return false;
    });
    return encodeTlv(0xa3, encodeTlv(0x30, concatBytes(...kept.map((k) => slice(certDer, k)))));
  });
  const out: TbsParts = { tbs: slice(certDer, tbsTlv), precertTbs: encodeTlv(0x30, concatBytes(...rebuilt)) };
  if (sctList !== undefined) out.sctList = sctList;
  return out;
}

function toDer(cert: Uint8Array | string | X509Certificate): Uint8Array {
  if (cert instanceof X509Certificate) return new Uint8Array(cert.raw);
  if (typeof cert === 'string') return wrapErrors('MALFORMED_CT', 'certificate does not parse', () => new Uint8Array(new X509Certificate(cert).raw));
  return cert;
}

/** The SCTs embedded in a certificate (DER, PEM or X509Certificate); [] if it has none. */
export function extractEmbeddedScts(cert: Uint8Array | string | X509Certificate): SignedCertificateTimestamp[] {
  const list = tbsParts(toDer(cert)).sctList;
  return list === undefined ? [] : decodeSctList(list);
}

/** Decodes a TLS SignedCertificateTimestampList. Throws `MALFORMED_CT`. */
export function decodeSctList(list: Uint8Array): SignedCertificateTimestamp[] {
  const outer = new TlsReader(list, 'MALFORMED_CT', 'SCT list');
  const all = new TlsReader(outer.vector(2, 1), 'MALFORMED_CT', 'SCT list');
  outer.end();
  const scts: SignedCertificateTimestamp[] = [];
  while (all.remaining > 0) {
    const r = new TlsReader(all.vector(2, 1), 'MALFORMED_CT', 'SCT');
    const version = r.uint(1);
    if (version !== 0) r.fail(`unknown SCT version ${version}`);
    const sct = { version, logId: r.bytes(32), timestamp: r.uintBig(8), extensions: r.vector(2), signature: { hashAlgorithm: r.uint(1), signatureAlgorithm: r.uint(1), signature: r.vector(2) } };
    r.end();
    scts.push(sct);
  }
  return scts;
}

/** The precertificate TBSCertificate: the leaf's TBS with the embedded-SCT extension removed (RFC 6962 §3.2). */
export function precertTbsCertificate(cert: Uint8Array | string | X509Certificate): Uint8Array {
  return tbsParts(toDer(cert)).precertTbs;
}

/**
 * The TBSCertificate a CT log stores in the precert_entry of a pre-certificate (RFC 6962 §3.2): its TBS
 * without the poison extension. Holds when the final issuer signed the pre-certificate itself (Fulcio does),
 * not through a Precertificate Signing Certificate (whose issuer name the log would have replaced).
 */
export function precertificateTbs(preCertificate: Uint8Array | string | X509Certificate): Uint8Array {
  return tbsParts(toDer(preCertificate), POISON_OID).precertTbs;
}

/** The precert_entry TimestampedEntry an SCT for this certificate signs / a CT log stores. */
export function precertTimestampedEntry(cert: Uint8Array | string | X509Certificate, issuerKey: KeyObject, sct: Pick<SignedCertificateTimestamp, 'timestamp' | 'extensions'>): TimestampedEntry {
  return {
    timestamp: sct.timestamp,
    entry: { type: 'precert', issuerKeyHash: sha256(spkiDer(issuerKey)), tbsCertificate: precertTbsCertificate(cert) },
    extensions: sct.extensions,
  };
}

/** The bytes an SCT signs (RFC 6962 §3.2 digitally-signed struct, signature_type certificate_timestamp). */
export function sctSignatureInput(sct: SignedCertificateTimestamp, entry: TimestampedEntry): Uint8Array {
  const w = new TlsWriter().uint(1, sct.version).uint(1, 0).uint(8, sct.timestamp);
  if (entry.entry.type === 'x509') w.uint(2, 0).vector(3, entry.entry.certificate);
  else w.uint(2, 1).bytes(entry.entry.issuerKeyHash).vector(3, entry.entry.tbsCertificate);
  return w.vector(2, sct.extensions).finish();
}

/** Verifies one embedded SCT of `cert` (issued by `issuerKey`) with the CT log key. Throws `BAD_SIGNATURE`. */
export function verifyEmbeddedSct(cert: Uint8Array | string | X509Certificate, issuerKey: KeyObject, sct: SignedCertificateTimestamp, logKey: KeyObject): void {
  const entry = precertTimestampedEntry(cert, issuerKey, sct);
  verifyDigitallySigned(logKey, sctSignatureInput(sct, entry), sct.signature, `SCT from log ${toBase64(sct.logId)}`);
}

export interface SctVerification {
  logId: string;
  timestamp: bigint;
  /** The CT log's base URL, when the trusted root knows it. */
  log?: string;
  status: 'ok' | 'failed';
  code?: string;
  reason?: string;
}

/**
 * Verifies every SCT embedded in a leaf certificate against the trusted root's CT logs; the issuer is found
 * among the trusted root's CA certificates (or given). Never throws for bad SCTs: each has a status.
 */
export function verifyCertificateScts(root: TrustedRoot, leaf: Uint8Array | string | X509Certificate, issuer?: X509Certificate): SctVerification[] {
  const leafCert = leaf instanceof X509Certificate ? leaf : wrapErrors('MALFORMED_CT', 'certificate does not parse', () => new X509Certificate(typeof leaf === 'string' ? leaf : Buffer.from(leaf)));
  const iss = issuer ?? root.certificateAuthorities.flatMap((ca) => ca.certificates).find((c) => leafCert.checkIssued(c));
  return extractEmbeddedScts(leafCert).map((sct) => {
    const res: SctVerification = { logId: toBase64(sct.logId), timestamp: sct.timestamp, status: 'ok' };
    try {
      if (iss === undefined) throw new TlogError('CERT_CHAIN_INVALID', 'issuer certificate not found in the trusted root');
      const log = findCtLog(root, sct.logId);
      res.log = log.baseUrl;
      verifyEmbeddedSct(leafCert, iss.publicKey, sct, log.key);
    } catch (err) {
      res.status = 'failed';
      res.code = err instanceof TlogError ? err.code : 'MALFORMED_CT';
      res.reason = err instanceof Error ? err.message : String(err);
    }
    return res;
  });
}


/** Whether a certificate shows it was logged in CT (see `certificateLogging`). */
export type CertificateLogging =
  | { status: 'logged'; log: string; timestamp: bigint }
  | { status: 'unlogged'; reason: string }
  | { status: 'no-ct-log' };

/**
 * Fulcio logs every certificate it issues to its CT log and embeds the log's SCT. `logged`: an embedded SCT
 * verifies against a CT log of the trusted root. `unlogged`: none does — there are SCTs that fail, a
 * malformed list, or none at all although a CT log of the root was running at `at` (the certificate's
 * notBefore): what a CA key used outside Fulcio would produce. `no-ct-log`: no CT log ran then, so no SCT
 * was expected. `issuer`: the certificate's issuer (its chain's next certificate), else looked up among the
 * root's CA certificates.
 */
export function certificateLogging(root: TrustedRoot, leaf: Uint8Array | string | X509Certificate, at: Date, issuer?: X509Certificate): CertificateLogging {
  let checks: SctVerification[];
  try {
    checks = verifyCertificateScts(root, leaf, issuer);
  } catch (err) {
    return { status: 'unlogged', reason: `its SCT list is malformed: ${err instanceof Error ? err.message : String(err)}` };
  }
  const ok = checks.find((c) => c.status === 'ok');
  if (ok !== undefined) return { status: 'logged', log: ok.log ?? ok.logId, timestamp: ok.timestamp };
  const running = root.ctlogs.filter((l) => isWithin(l.validFor, at));
  // SCTs of logs the root does not know say nothing when none of its CT logs ran: nothing was expected
  if (running.length === 0 && checks.every((c) => c.code === 'UNKNOWN_KEY')) return { status: 'no-ct-log' };
  if (checks.length > 0) return { status: 'unlogged', reason: `none of its ${checks.length} SCT(s) verifies against a trusted CT log: ${checks.map((c) => c.reason).join('; ')}` };
  return { status: 'unlogged', reason: `it carries no SCT although ${running.map((l) => l.baseUrl).join(', ')} was running: Fulcio logs every certificate it issues, this one was never logged` };
}

/**
 * Issues an SCT for `entry` as a CT log would (simulator): ECDSA/RSA signature over the RFC 6962 §3.2 input.
 * `timestamp` in milliseconds; `extensions` e.g. `encodeLeafIndexExtension(i)` for static CT.
 */
export function signSct(entry: TimestampedEntry, logPrivateKey: KeyObject | Uint8Array | string, timestamp: bigint, extensions: Uint8Array = new Uint8Array(0)): SignedCertificateTimestamp {
  const key = importPrivateKey(logPrivateKey);
  const unsigned = { version: 0, logId: spkiSha256(key), timestamp, extensions, signature: { hashAlgorithm: 0, signatureAlgorithm: 0, signature: new Uint8Array(0) } };
  const input = sctSignatureInput(unsigned, { ...entry, timestamp, extensions });
  const isEc = key.asymmetricKeyType === 'ec';
  const sig = new Uint8Array(isEc ? cryptoSign('sha256', input, { key, dsaEncoding: 'der' }) : cryptoSign('sha256', input, key));
  return { ...unsigned, signature: { hashAlgorithm: TLS_HASH_SHA256, signatureAlgorithm: isEc ? TLS_SIG_ECDSA : TLS_SIG_RSA, signature: sig } };
}

/** Encodes SCTs as a TLS SignedCertificateTimestampList (the content of the X.509 SCT extension's OCTET STRING). */
export function encodeSctList(scts: readonly SignedCertificateTimestamp[]): Uint8Array {
  const items = scts.map((s) =>
    new TlsWriter()
      .uint(1, s.version)
      .bytes(s.logId)
      .uint(8, s.timestamp)
      .vector(2, s.extensions)
      .uint(1, s.signature.hashAlgorithm)
      .uint(1, s.signature.signatureAlgorithm)
      .vector(2, s.signature.signature)
      .finish(),
  );
  const list = new TlsWriter();
  for (const i of items) list.vector(2, i);
  return new TlsWriter().vector(2, list.finish()).finish();
}

/** Verifies an SCT over an explicit entry (x509 or precert) with the log key. Throws `BAD_SIGNATURE`. */
export function verifySct(sct: SignedCertificateTimestamp, entry: TimestampedEntry, logKey: PublicKeyInput): void {
  verifyDigitallySigned(importPublicKey(logKey), sctSignatureInput(sct, { ...entry, timestamp: sct.timestamp, extensions: sct.extensions }), sct.signature, 'SCT');
}
