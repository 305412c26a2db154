/**
 * The values of a SigningEvent that each rule field looks at. A field yields zero or more strings; a
 * condition holds when one of them matches.
 */
import type { SigningEvent } from './signing-event.js';

/** `extension:<dotted oid>` for certificate extensions. */
export type FieldKey = 'san' | 'issuer' | `extension:${string}` | 'fingerprint' | 'subject' | 'digest' | 'kind' | 'log';

const EMPTY: readonly string[] = [];

export function extensionField(oid: string): `extension:${string}` {
  return `extension:${oid}`;
}

export function fieldValues(event: SigningEvent, field: FieldKey): readonly string[] {
  const cert = event.certificate;
  switch (field) {
    case 'san':
      return cert === undefined ? EMPTY : cert.sans.map((s) => s.value);
    case 'issuer':
      return cert?.issuer === undefined ? EMPTY : [cert.issuer];
    case 'fingerprint': {
      const out: string[] = [];
      if (cert !== undefined) out.push(cert.fingerprintSha256, cert.publicKeySha256);
      if (event.publicKey !== undefined) out.push(event.publicKey.fingerprintSha256);
      if (event.publicKey?.fingerprint !== undefined) out.push(event.publicKey.fingerprint);
      return out;
    }
    case 'subject':
      return event.publicKey?.subjects ?? EMPTY;
    case 'digest':
      return event.digests.map((d) => d.value);
    case 'kind':
      return [event.kind];
    case 'log':
      return [event.log.origin, event.log.kind];
    default: {
      const v = cert?.extensions[field.slice('extension:'.length)];
      return v === undefined ? EMPTY : [v];
    }
  }
}

/**
 * Append the values of `field` to `out` (no allocation per call): the index's hot path.
 * Same values, same order as `fieldValues`.
 */
export function pushFieldValues(event: SigningEvent, field: FieldKey, out: string[]): void {
  const cert = event.certificate;
  switch (field) {
    case 'san':
      if (cert !== undefined) for (const s of cert.sans) out.push(s.value);
      return;
    case 'issuer':
      if (cert?.issuer !== undefined) out.push(cert.issuer);
      return;
    case 'fingerprint':
      if (cert !== undefined) out.push(cert.fingerprintSha256, cert.publicKeySha256);
      if (event.publicKey !== undefined) out.push(event.publicKey.fingerprintSha256);
      if (event.publicKey?.fingerprint !== undefined) out.push(event.publicKey.fingerprint);
      return;
    case 'subject':
      if (event.publicKey !== undefined) for (const s of event.publicKey.subjects) out.push(s);
      return;
    case 'digest':
      for (const d of event.digests) out.push(d.value);
      return;
    case 'kind':
      out.push(event.kind);
      return;
    case 'log':
      out.push(event.log.origin, event.log.kind);
      return;
    default: {
      const v = cert?.extensions[field.slice('extension:'.length)];
      if (v !== undefined) out.push(v);
    }
  }
}
