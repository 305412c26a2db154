/**
 * What an alert shows about a matched entry, taken from its SigningEvent: which identity signed what, in
 * which log at which index, and why it matched. One view feeds the e-mail templates and the webhook
 * payload's `links`. All of it comes from the log, so it is attacker-controlled text: templates escape it,
 * and links to it are only made from https URLs (`safeHttpsUrl`).
 */
import type { CertificateInfo, SigningEvent } from '@sigwatch/rules';

const OID = (n: number): string => `1.3.6.1.4.1.57264.1.${n}`;

export interface AlertView {
  identity: string | undefined;
  issuer: string | undefined;
  workflow: string | undefined;
  repository: string | undefined;
  ref: string | undefined;
  runUrl: string | undefined;
  digest: string | undefined;
  entryKind: string;
  logOrigin: string;
  logIndex: string;
  globalIndex: string;
  integratedAt: Date | undefined;
  /** search.sigstore.dev for Rekor v1 (by global index); none for other logs yet. */
  entryUrl: string | undefined;
  /** Whether the certificate chains to the trusted Fulcio CAs; undefined when the entry has no certificate. */
  chain: CertificateInfo['chain'] | undefined;
}

/** One line on the certificate's chain status, for mails and webhooks. */
export const CHAIN_SUMMARY: Readonly<Record<CertificateInfo['chain'], string>> = {
  valid: "issued by a trusted Fulcio CA (the chain, and its CT log record where one is due, verify against the Sigstore trusted root)",
  invalid:
    "NOT issued by a trusted Fulcio CA as Fulcio issues certificates: the chain does not verify against the Sigstore trusted root, or the certificate was never logged in the CA's CT log",
  unknown: 'not verified: Sigwatch could not check the chain of this certificate',
};

/**
 * What an 'invalid' chain means for the reader. Anyone can write an entry to a public log with a certificate
 * they made themselves; one that claims a subscribed identity is exactly the impersonation to catch. A
 * certificate that chains to the CA but has no CT log record was made with the CA's key outside Fulcio.
 */
export const UNTRUSTED_CERTIFICATE_WARNING =
  'WARNING: the certificate of this entry was NOT issued by a trusted Fulcio certificate authority as Fulcio issues ' +
  "certificates. Someone made it themselves (or with the CA's key outside Fulcio, without the CT log record every " +
  'Fulcio certificate has) and wrote it to the log under this identity. Sigstore clients reject it, but if you did ' +
  'not sign this artifact, someone is trying to impersonate you: do not trust the artifact, and check who can ' +
  'publish under this identity.';

export interface MatchReason {
  field: string;
  value: string;
}

export function alertView(event: SigningEvent): AlertView {
  const ext = event.certificate?.extensions ?? {};
  const san = event.certificate?.sans[0]?.value ?? event.publicKey?.subjects[0];
  const digest = event.digests[0];
  return {
    identity: san,
    issuer: event.certificate?.issuer,
    // .1.18 Build Config URI (workflow file@ref), else the deprecated .1.4 workflow name.
    workflow: ext[OID(18)] ?? ext[OID(4)],
    repository: ext[OID(12)] ?? ext[OID(5)],
    ref: ext[OID(14)] ?? ext[OID(6)],
    runUrl: safeHttpsUrl(ext[OID(21)]),
    digest: digest === undefined ? undefined : `${digest.algorithm}:${digest.value}`,
    entryKind: `${event.kind} ${event.apiVersion}`,
    logOrigin: event.log.origin,
    logIndex: event.index,
    globalIndex: event.globalIndex,
    integratedAt: event.integratedTime === undefined ? undefined : new Date(event.integratedTime * 1000),
    entryUrl: event.log.kind === 'rekor-v1' ? `https://search.sigstore.dev/?logIndex=${event.globalIndex}` : undefined,
    chain: event.certificate?.chain,
  };
}

/** `value` when it is an absolute https URL without credentials, else undefined (never a javascript: link). */
export function safeHttpsUrl(value: string | undefined): string | undefined {
  if (value === undefined || !URL.canParse(value)) return undefined;
  const u = new URL(value);
  return u.protocol === 'https:' && u.username === '' && u.password === '' ? u.toString() : undefined;
}
