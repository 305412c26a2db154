/**
 * The values of a SigningEvent that each rule field looks at. A field yields zero or more strings; a
 * condition holds when one of them matches.
 */
import type { SigningEvent } from './signing-event.js';

/** `extension:<dotted oid>` for certificate extensions. */
export type FieldKey = 'san' | 'issuer' | `extension:${string}` | 'fingerprint' | 'subject' | 'digest' | 'kind' | 'log';

export function extensionField(oid: string): `extension:${string}` {
  return `extension:${oid}`;
}

/**
 * Write the values of `field` into `out` from position `n` on and return the new count: the hot paths'
 * form (the index and rule evaluation reuse one array; resetting an array's length to 0 and pushing again
 * makes V8 allocate a new backing store every time).
 */
export function writeFieldValues(event: SigningEvent, field: FieldKey, out: string[], n: number): number {
  const cert = event.certificate;
  switch (field) {
    case 'san':
      if (cert !== undefined) for (let i = 0; i < cert.sans.length; i++) out[n++] = cert.sans[i]!.value;
      return n;
    case 'issuer':
      if (cert?.issuer !== undefined) out[n++] = cert.issuer;
      return n;
    case 'fingerprint':
      if (cert !== undefined) {
        out[n++] = cert.fingerprintSha256;
        out[n++] = cert.publicKeySha256;
      }
      if (event.publicKey !== undefined) {
        out[n++] = event.publicKey.fingerprintSha256;
        if (event.publicKey.fingerprint !== undefined) out[n++] = event.publicKey.fingerprint;
      }
      return n;
    case 'subject':
      if (event.publicKey !== undefined) for (let i = 0; i < event.publicKey.subjects.length; i++) out[n++] = event.publicKey.subjects[i]!;
      return n;
    case 'digest':
      for (let i = 0; i < event.digests.length; i++) out[n++] = event.digests[i]!.value;
      return n;
    case 'kind':
      out[n++] = event.kind;
      return n;
    case 'log':
      out[n++] = event.log.origin;
      out[n++] = event.log.kind;
      return n;
    default: {
      const v = cert?.extensions[field.slice('extension:'.length)];
      if (v !== undefined) out[n++] = v;
      return n;
    }
  }
}
