import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../../test/harness/paths.js';
import { parseCertificateFast, parseTbsFast } from './certificate-fast.js';
import { parseCertificateFull } from './certificate-full.js';
import { EntryParseError } from './entry-parse-error.js';
import { realCertificates } from './testing/real-certs.js';

interface IndexEntry {
  file: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
  issuer: string;
  san: Record<string, string>[];
  fulcioExtensions: Record<string, string>;
}

const pemDer = (file: string): Uint8Array => {
  const pem = readFileSync(testdata(...file.split('/')), 'utf8');
  return new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64'));
};

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EntryParseError);
    expect((err as EntryParseError).code).toBe(code);
    return;
  }
  throw new Error(`expected EntryParseError ${code}`);
}

describe('certificate fast path on real certificates', () => {
  const certs = realCertificates();

  it('finds every real certificate in testdata', () => {
    expect(certs.length).toBeGreaterThanOrEqual(25);
  });

  it.each(certs.map((c, i) => [i, c.source, c] as const))('#%i %s equals @peculiar/x509', (_i, _s, c) => {
    expect(parseCertificateFast(c.der)).toEqual(parseCertificateFull(c.der));
  });

  it('yields the facts listed in fulcio/certs/index.json', () => {
    const index = JSON.parse(readFileSync(testdata('fulcio', 'certs', 'index.json'), 'utf8')) as IndexEntry[];
    expect(index).toHaveLength(9);
    for (const e of index) {
      const f = parseCertificateFast(pemDer(e.file));
      expect(f.serial).toBe(e.serial.toLowerCase());
      expect(f.notBefore).toBe(e.notBefore);
      expect(f.notAfter).toBe(e.notAfter);
      expect(f.fingerprintSha256).toBe(e.sha256);
      expect(f.issuerDn).toBe(e.issuer);
      expect(f.subject).toBe('');
      expect(f.sans).toEqual(e.san.map((s) => ('uri' in s ? { type: 'uri', value: s['uri'] } : { type: 'email', value: s['email'] })));
      for (const [oid, v] of Object.entries(e.fulcioExtensions)) expect(f.extensions[oid], `${e.file} ${oid}`).toBe(v);
      expect(f.issuer).toBe(e.fulcioExtensions['1.3.6.1.4.1.57264.1.8'] ?? e.fulcioExtensions['1.3.6.1.4.1.57264.1.1']);
    }
  });

  it('falls back to .1.1 for the issuer when .1.8 is absent (2022 certificate)', () => {
    const f = parseCertificateFast(pemDer('fulcio/certs/email-brian-dehamer-2022-ctfe-test.leaf.pem'));
    expect(f.extensions['1.3.6.1.4.1.57264.1.8']).toBeUndefined();
    expect(f.issuer).toBe('https://github.com/login/oauth');
  });

  it('parses a TBSCertificate alone (CT precert)', () => {
    const der = certs[0]!.der;
    const full = parseCertificateFast(der);
    // The TBS is the first child of the Certificate SEQUENCE.
    const hdr = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
    const tlen = der[hdr + 1]! & 0x80 ? (der[hdr + 2]! << 8) | der[hdr + 3]! : der[hdr + 1]!;
    const thdr = der[hdr + 1]! & 0x80 ? 2 + (der[hdr + 1]! & 0x7f) : 2;
    const tbs = der.subarray(hdr, hdr + thdr + tlen);
    const t = parseTbsFast(tbs);
    expect({ ...t, fingerprintSha256: '' }).toEqual({ ...full, fingerprintSha256: '' });
  });
});

describe('certificate fast path on malformed input', () => {
  const der = realCertificates()[0]!.der;
  it('rejects truncation, wrong tags, huge lengths and trailing bytes with BAD_DER', () => {
    expectCode(() => parseCertificateFast(der.subarray(0, der.length - 1)), 'BAD_DER');
    expectCode(() => parseCertificateFast(der.subarray(0, 100)), 'BAD_DER');
    expectCode(() => parseCertificateFast(new Uint8Array()), 'BAD_DER');
    expectCode(() => parseCertificateFast(Uint8Array.of(0x31, ...der.subarray(1))), 'BAD_DER');
    expectCode(() => parseCertificateFast(Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30, 0x00)), 'BAD_DER');
    expectCode(() => parseCertificateFast(Uint8Array.of(0x30, 0x85, 1, 1, 1, 1, 1)), 'BAD_DER');
    expectCode(() => parseCertificateFast(Uint8Array.of(0x30, 0x80, 0x00, 0x00)), 'BAD_DER');
    expectCode(() => parseCertificateFast(Uint8Array.of(...der, 0x00)), 'BAD_DER');
    expectCode(() => parseCertificateFull(der.subarray(0, der.length - 1)), 'BAD_DER');
  });
  it('rejects oversized input with TOO_LARGE', () => {
    expectCode(() => parseCertificateFast(new Uint8Array(70_000)), 'TOO_LARGE');
  });
  it('rejects a duplicated extension with DUPLICATE_EXTENSION in both paths', async () => {
    const { createFulcioCa, deriveKeyPair, issueLeafFast } = await import('../../../../test/sim/ca.js');
    const ca = await createFulcioCa({ seed: 'dup' });
    const key = await deriveKeyPair('dup', 'k');
    const leaf = issueLeafFast(ca, {
      key,
      notBefore: new Date('2025-01-01T00:00:00Z'),
      sans: [{ type: 'email', value: 'a@b.c' }],
      fulcio: { '1.3.6.1.4.1.57264.1.8': 'https://good' },
      extra: [{ oid: '1.3.6.1.4.1.57264.1.8', value: Buffer.from('0c0a68747470733a2f2f6576', 'hex') }],
    });
    expectCode(() => parseCertificateFast(leaf.der), 'DUPLICATE_EXTENSION');
    expectCode(() => parseCertificateFull(leaf.der), 'DUPLICATE_EXTENSION');
  });
  it('rejects an impossible time with BAD_TIME', () => {
    const bad = Uint8Array.from(der);
    const s = Buffer.from(bad).indexOf(Buffer.from([0x17, 0x0d]));
    bad[s + 4] = 0x31; // month 1x → "13"? force "19" month
    bad[s + 5] = 0x39;
    expectCode(() => parseCertificateFast(bad), 'BAD_TIME');
  });
});
