/**
 * The RFC 3161 time-stamps of a Sigstore bundle (`verificationMaterial.timestampVerificationData`), checked
 * against the timestamp authorities of the trusted roots, for `sigwatch entry inspect`. Sigstore's TSA
 * stamps the signature: the message signature's bytes, or a DSSE envelope's first signature.
 *
 * Each time-stamp is `ok` (a TSA of the trusted root, valid at the stamped time, signed it: the signature over
 * the signed attributes, their message digest of the TSTInfo, and the TSTInfo's imprint of the signature —
 * all through @sigstore/core's RFC3161Timestamp — with the TSA's certificates valid then and chained as the
 * trusted root lists them), `failed` (a TSA of the trusted root valid then did not sign it, or it does not
 * parse), or `unknown` (no TSA of the given trusted roots was valid at that time: nothing to judge it by).
 */
import { X509Certificate } from 'node:crypto';
import { RFC3161Timestamp } from '@sigstore/core';
import { z } from 'zod';
import { isWithin, type TrustedCertificateAuthority, type TrustedRoot } from '@sigwatch/tlog';

export interface TimestampCheck {
  status: 'ok' | 'failed' | 'unknown';
  /** The time the TSA stamped (TSTInfo genTime), when the response parses. */
  time?: string;
  /** The TSA that signed it. */
  tsa?: string;
  reason?: string;
}

const BundleTimestamps = z.object({
  verificationMaterial: z.object({
    timestampVerificationData: z.object({ rfc3161Timestamps: z.array(z.object({ signedTimestamp: z.string() })).default([]) }).optional(),
  }),
  messageSignature: z.object({ signature: z.string() }).optional(),
  dsseEnvelope: z.object({ signatures: z.array(z.object({ sig: z.string() })).min(1) }).optional(),
});

/** The checks of every time-stamp in `input`, when it is a Sigstore bundle that has any; else undefined. */
export function bundleTimestamps(input: unknown, roots: readonly TrustedRoot[]): TimestampCheck[] | undefined {
  const parsed = BundleTimestamps.safeParse(input);
  if (!parsed.success) return undefined;
  const stamps = parsed.data.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? [];
  if (stamps.length === 0) return undefined;
  const signature = parsed.data.messageSignature?.signature ?? parsed.data.dsseEnvelope?.signatures[0]?.sig;
  if (signature === undefined) return stamps.map(() => ({ status: 'failed', reason: 'the bundle has no signature for a time-stamp to cover' }));
  const data = Buffer.from(signature, 'base64');
  const authorities = roots.flatMap((r) => r.timestampAuthorities);
  return stamps.map((s) => checkTimestamp(Buffer.from(s.signedTimestamp, 'base64'), data, authorities));
}

function checkTimestamp(der: Buffer<ArrayBuffer>, data: Buffer, authorities: readonly TrustedCertificateAuthority[]): TimestampCheck {
  let stamp: RFC3161Timestamp;
  let time: Date;
  try {
    stamp = RFC3161Timestamp.parse(der);
    time = stamp.tstInfo.genTime;
  } catch (e) {
    return { status: 'failed', reason: `not an RFC 3161 time-stamp response: ${message(e)}` };
  }
  const at = time.toISOString();
  const valid = authorities.filter((a) => a.certificates.length > 0 && isWithin(a.validFor, time));
  if (valid.length === 0) return { status: 'unknown', time: at, reason: 'no timestamp authority of the trusted root was valid at that time' };
  const reasons: string[] = [];
  for (const tsa of valid) {
    const problem = chainProblem(tsa.certificates, time);
    if (problem !== undefined) {
      reasons.push(`${tsa.uri}: ${problem}`);
      continue;
    }
    try {
      stamp.verify(data, (tsa.certificates[0] as X509Certificate).publicKey);
      return { status: 'ok', time: at, tsa: tsa.uri };
    } catch (e) {
      reasons.push(`${tsa.uri}: ${message(e)}`);
    }
  }
  return { status: 'failed', time: at, reason: reasons.join('; ') };
}

/** Why the TSA's certificates (leaf first) do not vouch for a signature made at `time`, or undefined. */
function chainProblem(chain: readonly X509Certificate[], time: Date): string | undefined {
  for (const [i, cert] of chain.entries()) {
    if (time < new Date(cert.validFrom) || time > new Date(cert.validTo)) return `certificate ${i} is not valid at that time`;
    const issuer = chain[i + 1] ?? cert;
    if (!cert.verify(issuer.publicKey)) return `certificate ${i} is not signed by the next one in the trusted root`;
  }
  return undefined;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
