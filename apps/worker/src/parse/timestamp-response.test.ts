/**
 * The messageImprint of a real RFC 3161 response (the TSA timestamp of a staging Rekor v2 bundle in
 * testdata): it must be the SHA-256 of the bundle's signature, which is what Sigstore's TSA stamps. As a
 * Rekor v1 `rfc3161` entry it gives that digest to the event; broken responses are EntryParseErrors.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../../test/harness/paths.js';
import { readTlv } from './der.js';
import { parseLeaf } from './parse-leaf.js';
import { parseErrorCode as code } from './testing/parse-error-code.js';
import { timeStampDigest } from './timestamp-response.js';

const bundle = JSON.parse(readFileSync(testdata('rekor-v2', 'staging', 'gha-beacon-alpha1-29469-tsa-embedded-cert.sigstore.json'), 'utf8')) as {
  verificationMaterial: { timestampVerificationData: { rfc3161Timestamps: Array<{ signedTimestamp: string }> } };
  messageSignature: { signature: string };
};
const tsr = Buffer.from(bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0]!.signedTimestamp, 'base64');
const stamped = createHash('sha256').update(Buffer.from(bundle.messageSignature.signature, 'base64')).digest('hex');

describe('timeStampDigest', () => {
  it('reads the messageImprint of a real TSA response: the SHA-256 of the signature it stamped', () => {
    expect(timeStampDigest(tsr)).toEqual({ algorithm: 'sha256', value: stamped });
  });

  it('gives a Rekor v1 rfc3161 entry that digest', () => {
    const leafBytes = Buffer.from(JSON.stringify({ apiVersion: '0.0.1', kind: 'rfc3161', spec: { tsr: { content: tsr.toString('base64') } } }));
    const event = parseLeaf({ log: { origin: 'rekor.sigstore.dev', kind: 'rekor-v1' }, index: 1n, globalIndex: 1n, leafBytes });
    expect(event).toMatchObject({ kind: 'rfc3161', apiVersion: '0.0.1', digests: [{ algorithm: 'sha256', value: stamped }] });
    expect(event.certificate).toBeUndefined();
  });

  it('refuses truncated, token-less and unknown-hash responses with a typed error', () => {
    for (const n of [0, 1, 10, 100, tsr.length - 1]) expect(code(() => timeStampDigest(tsr.subarray(0, n))), `first ${n} bytes`).toBe('BAD_DER');
    expect(code(() => timeStampDigest(Buffer.concat([tsr, Buffer.of(0)])))).toBe('BAD_DER');
    // The status alone (what a TSA answers when it refuses): the outer SEQUENCE re-framed around PKIStatusInfo.
    const outer = readTlv(tsr, 0, tsr.length);
    const status = readTlv(tsr, outer.vstart, outer.end);
    const statusOnly = Buffer.concat([Buffer.of(0x30, status.end - status.start), tsr.subarray(status.start, status.end)]);
    expect(() => timeStampDigest(statusOnly)).toThrow(/without a timeStampToken/);
    // sha256's OID (2.16.840.1.101.3.4.2.1) with its last arc changed to an unassigned one.
    const oid = Buffer.from('0609608648016503040201', 'hex');
    const at = tsr.indexOf(oid, tsr.indexOf(Buffer.from('060b2a864886f70d0109100104', 'hex')));
    expect(at).toBeGreaterThan(0);
    const unknown = Buffer.from(tsr);
    unknown[at + oid.length - 1] = 0x7f;
    expect(code(() => timeStampDigest(unknown))).toBe('BAD_DIGEST');
  });
});
