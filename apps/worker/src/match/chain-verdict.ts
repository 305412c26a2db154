/**
 * The chain status of a matched event's certificate, from the leaf read again from its log: pure, no I/O.
 *
 * 1. The leaf must hash (RFC 6962 §2.1) to the event's leaf hash, which the follower verified against a
 *    signed root: so it is exactly the verified entry, whatever the log served this time.
 * 2. The certificate is taken from the leaf (parse/leaf-certificate.ts; a CT precert's pre-certificate from
 *    extra_data, checked against the logged TBS).
 * 3. packages/tlog `verifyCertificateChain` validates it against the Fulcio CAs of the trusted root at the
 *    certificate's own notBefore (Fulcio certificates live 10 minutes; the CA windows must contain it).
 *
 * 4. A Rekor entry's certificate must also carry an SCT (RFC 6962 §3.3) that verifies against a CT log of the
 *    trusted root: Fulcio logs every certificate it issues to its CT log and embeds the log's promise. A
 *    certificate that chains to the CA but was never logged (no SCT while a trusted CT log was running, or
 *    an SCT that does not verify) is what a stolen CA key would produce. A CT entry is the CT log's own
 *    record of the certificate and needs none; with no CT log in the root at the certificate's time the
 *    check is skipped and the reason says so.
 *
 * 'valid': issued by a trusted Fulcio CA (and logged). 'invalid': it does not chain to one — someone made this
 * certificate themselves (or it does not even parse) — or it chains but was not logged. 'unknown': we could
 * not tell; `reason` says why.
 */
import { X509Certificate } from 'node:crypto';
import { certificateLogging, hashLeaf, isTlogError, toHex, verifyCertificateChain, type TrustedRoot } from '@sigwatch/tlog';
import type { CertificateInfo, SigningEvent } from '@sigwatch/rules';
import { leafCertificate } from '../parse/leaf-certificate.js';

export type ChainStatus = CertificateInfo['chain'];

export interface ChainVerdict {
  status: ChainStatus;
  reason: string;
}

export interface FetchedEntry {
  /** The leaf bytes as the log served them again. */
  leaf: Uint8Array;
  /** CT get-entries extra_data. */
  extraData?: Uint8Array;
}

export function chainVerdict(root: TrustedRoot, event: SigningEvent, entry: FetchedEntry): ChainVerdict {
  if (event.certificate === undefined) return { status: 'unknown', reason: 'the entry has no certificate' };
  const leafHash = toHex(hashLeaf(entry.leaf));
  if (leafHash !== event.leafHash) {
    return { status: 'unknown', reason: `the log served a leaf with hash ${leafHash}, not the verified ${event.leafHash}` };
  }
  let found;
  try {
    found = leafCertificate(event.log.kind, entry.leaf, event.certificate.fingerprintSha256, entry.extraData);
  } catch (e) {
    return { status: 'unknown', reason: `the certificate cannot be read from the leaf: ${e instanceof Error ? e.message : String(e)}` };
  }
  if ('missing' in found) return { status: 'unknown', reason: found.missing };
  let at: Date;
  try {
    at = new Date(new X509Certificate(Buffer.from(found.der)).validFrom);
  } catch (e) {
    // Fulcio never issued a certificate OpenSSL cannot read.
    return { status: 'invalid', reason: `the certificate does not parse: ${e instanceof Error ? e.message : String(e)}` };
  }
  try {
    // Extra certificates are only candidate issuers: one that does not parse is left out, not held against the leaf.
    const res = verifyCertificateChain(root, found.der, at, found.intermediates.filter(parses));
    const issued = `issued under ${res.authority.subject || res.authority.uri} at ${at.toISOString()}`;
    if (event.log.kind === 'ct') return { status: 'valid', reason: issued };
    return sctVerdict(root, found.der, res.path[1], at, issued);
  } catch (e) {
    if (isTlogError(e, 'CERT_CHAIN_INVALID')) return { status: 'invalid', reason: e.message };
    return { status: 'unknown', reason: `chain validation failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Step 4: the certificate's embedded SCTs against the trusted root's CT logs (packages/tlog certificateLogging). */
function sctVerdict(root: TrustedRoot, der: Uint8Array, issuer: X509Certificate | undefined, at: Date, issued: string): ChainVerdict {
  const logging = certificateLogging(root, der, at, issuer);
  switch (logging.status) {
    case 'logged':
      return { status: 'valid', reason: `${issued}; logged by ${logging.log} at ${new Date(Number(logging.timestamp)).toISOString()}` };
    case 'no-ct-log':
      return { status: 'valid', reason: `${issued}; no CT log of the trusted root was running then, so no SCT was expected` };
    case 'unlogged':
      return { status: 'invalid', reason: `${issued}, but ${logging.reason}` };
  }
}

function parses(der: Uint8Array): boolean {
  try {
    new X509Certificate(Buffer.from(der));
    return true;
  } catch {
    return false;
  }
}
