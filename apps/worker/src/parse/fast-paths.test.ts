/**
 * The shortcuts taken for speed (base64 by round trip, the OID cache, direct time formatting, DN escaping
 * skipped for plain values, a caller-supplied leaf hash, ASCII text without TextDecoder, native hex) give
 * exactly what the slow paths give.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createFulcioCa, deriveKeyPair, issueLeafFast } from '../../../../test/sim/ca.js';
import { parseCertificateFast } from './certificate-fast.js';
import { parseCertificateFull } from './certificate-full.js';
import { BytesMemo, oidText, oidToString, readTlv, strictUtf8, toHex } from './der.js';
import { base64Bytes } from './json-fields.js';
import { parseLeaf } from './parse-leaf.js';
import { parseErrorCode as code } from './testing/parse-error-code.js';

describe('base64Bytes', () => {
  it('decodes canonical base64 of every length and with line breaks', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = createHash('sha512').update(String(n)).digest().subarray(0, n % 64);
      const b64 = Buffer.from(bytes).toString('base64');
      expect(Buffer.from(base64Bytes(b64, 'x'))).toEqual(Buffer.from(bytes));
      expect(Buffer.from(base64Bytes(b64.replace(/(.{8})/g, '$1\r\n'), 'x'))).toEqual(Buffer.from(bytes));
    }
    expect(base64Bytes('', 'x').length).toBe(0);
  });
  it('still accepts what the strict regex accepts but a round trip does not reproduce', () => {
    // Non-zero unused bits in the last group: valid by the regex, decoded as Node decodes them.
    expect([...base64Bytes('QR==', 'x')]).toEqual([0x41]);
    expect([...base64Bytes('QUJ=', 'x')]).toEqual([0x41, 0x42]);
    // base64url without padding.
    expect([...base64Bytes('-_8', 'x')]).toEqual([...Buffer.from('-_8', 'base64url')]);
  });
  it('rejects junk Node would skip', () => {
    for (const s of ['QUJD!', 'QU JD', 'QUJD=', 'Q===', 'QUJD\u0000', '====', 'QU=D', 'Q']) {
      expect(code(() => base64Bytes(s, 'x')), s).toBe('BAD_ENCODING');
    }
  });
});

describe('strictUtf8 and toHex', () => {
  const fatal = new TextDecoder('utf-8', { fatal: true });
  const slow = (b: Uint8Array): string | undefined => {
    try {
      return fatal.decode(b);
    } catch {
      return undefined;
    }
  };
  it('decode exactly as a fatal TextDecoder and a byte-by-byte hex would, ASCII or not', () => {
    const samples: Uint8Array[] = [new Uint8Array(0), new TextEncoder().encode('https://token.actions.githubusercontent.com'), new TextEncoder().encode('é ✓ 𝄞'), Uint8Array.of(0x7f, 0x80), Uint8Array.of(0xc3), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0)];
    for (let i = 0; i < 2000; i++) samples.push(createHash('sha256').update(String(i)).digest().subarray(0, i % 33).map((x) => (i % 3 === 0 ? x & 0x7f : x)));
    for (const b of samples) {
      expect(strictUtf8(b)).toBe(slow(b));
      const inner = Uint8Array.from([9, ...b, 9]);
      expect(strictUtf8(inner, 1, inner.length - 1)).toBe(slow(b));
      expect(toHex(inner, 1, inner.length - 1)).toBe(Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(''));
    }
  });
});

describe('oidText (cached OID decoding)', () => {
  const enc = (hex: string) => {
    const b = Buffer.from(hex, 'hex');
    return { buf: new Uint8Array(b), t: readTlv(new Uint8Array(b), 0, b.length) };
  };
  it('returns what oidToString returns, on first and repeated calls, for look-alike byte strings', () => {
    const oids = [
      '060a2b0601040183bf300101',
      '060a2b0601040183bf300108',
      '060a2b0601040183bf300181', // truncated (last byte has the continuation bit) → throws
      '0603551d11',
      '0603551d0e',
      '06092a864886f70d010101',
      '06032a0304',
      '0603030201',
      '06088f8f8f8f8f8f8f01', // a big arc
    ];
    for (let round = 0; round < 3; round++) {
      for (const hex of oids) {
        const { buf, t } = enc(hex);
        let want: string | Error;
        try {
          want = oidToString(buf, t);
        } catch (e) {
          want = e as Error;
        }
        if (want instanceof Error) expect(code(() => oidText(buf, t))).toBe('BAD_DER');
        else expect(oidText(buf, t)).toBe(want);
      }
    }
  });
  it('reads the OID at its offset inside a larger buffer', () => {
    const b = new Uint8Array(Buffer.from('ffff0603551d11ffff0603551d0e', 'hex'));
    expect(oidText(b, readTlv(b, 2, 7))).toBe('2.5.29.17');
    expect(oidText(b, readTlv(b, 9, 14))).toBe('2.5.29.14');
  });
});

describe('BytesMemo', () => {
  const text = (b: Uint8Array, start: number, end: number) => Buffer.from(b.subarray(start, end)).toString('hex');
  it('gives what make gives, for the exact bytes, hit or miss, beyond its bound too', () => {
    const memo = new BytesMemo(2, 4);
    let made = 0;
    const counting = (b: Uint8Array, s: number, e: number) => {
      made++;
      return text(b, s, e);
    };
    const buf = Uint8Array.of(1, 2, 3, 1, 2, 3, 4, 1, 2, 4, 9, 9, 9, 9, 9);
    for (let round = 0; round < 3; round++) {
      expect(memo.text(buf, 0, 3, counting)).toBe('010203');
      expect(memo.text(buf, 3, 6, counting)).toBe('010203'); // same bytes elsewhere: a hit
      expect(memo.text(buf, 3, 7, counting)).toBe('01020304');
      expect(memo.text(buf, 7, 10, counting)).toBe('010204'); // a third key: past the bound, not kept
      expect(memo.text(buf, 10, 15, counting)).toBe('0909090909'); // longer than a key may be
    }
    // Cached: 010203 and 01020304 once each; the other two made on every call.
    expect(made).toBe(2 + 2 * 3);
  });
  it('caches nothing when make throws', () => {
    const memo = new BytesMemo(8, 8);
    let calls = 0;
    const failing = () => {
      calls++;
      throw new Error('bad');
    };
    expect(() => memo.text(Uint8Array.of(5), 0, 1, failing)).toThrow('bad');
    expect(() => memo.text(Uint8Array.of(5), 0, 1, failing)).toThrow('bad');
    expect(calls).toBe(2);
    expect(memo.text(Uint8Array.of(5), 0, 1, text)).toBe('05');
  });
});

describe('memoised names on the fast path', () => {
  it('each certificate gets its own subject and issuer, alternating between names that share bytes', async () => {
    const ca = await createFulcioCa({ seed: 'names' });
    const key = await deriveKeyPair('names', 'k');
    const subjects: Array<Array<[string, string]>> = [[['2.5.4.3', 'alpha']], [['2.5.4.3', 'alphb']], [['2.5.4.3', 'alpha'], ['2.5.4.10', 'x']], []];
    const notBefore = new Date('2026-01-01T00:00:00Z');
    const ders = subjects.map((subject) => issueLeafFast(ca, { key, notBefore, sans: [{ type: 'email', value: 'a@b.c' }], subject }).der);
    for (let round = 0; round < 3; round++) {
      for (const der of ders) expect(JSON.stringify(parseCertificateFast(der))).toBe(JSON.stringify(parseCertificateFull(der)));
    }
    expect(new Set(ders.map((d) => parseCertificateFast(d).subject)).size).toBe(subjects.length);
  });
});

describe('certificate times and names on the fast path equal @peculiar/x509', () => {
  it('month ends, leap days, the UTCTime/GeneralizedTime switch and far years', async () => {
    const ca = await createFulcioCa({ seed: 'times' });
    const key = await deriveKeyPair('times', 'k');
    const dates = [
      '2024-02-29T23:59:59Z',
      '2000-02-29T00:00:00Z',
      '2023-02-28T12:00:00Z',
      '2023-04-30T01:02:03Z',
      '2023-12-31T23:59:59Z',
      '2049-12-31T23:59:59Z',
      '2050-01-01T00:00:00Z',
      '2100-02-28T10:00:00Z',
      '2400-02-29T10:00:00Z',
      '1950-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
    ];
    for (const d of dates) {
      const leaf = issueLeafFast(ca, {
        key,
        notBefore: new Date(d),
        notAfter: new Date(d),
        sans: [{ type: 'email', value: 'a@b.c' }],
        subject: [
          ['2.5.4.3', ' leading space'],
          ['2.5.4.10', '#hash, comma+plus "quote" \\ <lt> ;semi'],
          ['2.5.4.11', 'trailing space '],
          ['2.5.4.7', 'tab\there'],
          ['2.5.4.8', 'plain value'],
        ],
      });
      const fast = parseCertificateFast(leaf.der);
      expect(fast.notBefore).toBe(new Date(d).toISOString());
      expect(JSON.stringify(fast)).toBe(JSON.stringify(parseCertificateFull(leaf.der)));
    }
  });
  it('rejects days a month does not have', async () => {
    const ca = await createFulcioCa({ seed: 'times' });
    const key = await deriveKeyPair('times', 'k');
    const der = issueLeafFast(ca, { key, notBefore: new Date('2024-02-29T00:00:00Z'), sans: [{ type: 'email', value: 'a@b.c' }] }).der;
    const at = Buffer.from(der).indexOf(Buffer.from('240229', 'latin1'));
    expect(at).toBeGreaterThan(0);
    const patched = (s: string) => {
      const b = Uint8Array.from(der);
      b.set(Buffer.from(s, 'latin1'), at);
      return b;
    };
    expect(parseCertificateFast(patched('240229')).notBefore).toBe('2024-02-29T00:00:00.000Z');
    for (const s of ['230229', '210229', '240431', '240230', '240000', '241301', '240100']) {
      expect(code(() => parseCertificateFast(patched(s))), s).toBe('BAD_TIME');
    }
  });
});

describe('parseLeaf with the leaf hash supplied by the caller', () => {
  it('gives the same event as hashing itself', () => {
    const leafBytes = new TextEncoder().encode(
      JSON.stringify({ apiVersion: '0.0.1', kind: 'tuf', spec: { metadata: { content: {} } } }),
    );
    const log = { origin: 'o', kind: 'rekor-v1' as const };
    const leafHash = createHash('sha256').update(Uint8Array.of(0)).update(leafBytes).digest();
    const a = parseLeaf({ log, index: 5n, globalIndex: 7n, leafBytes });
    const b = parseLeaf({ log, index: 5n, globalIndex: 7n, leafBytes, leafHash: new Uint8Array(leafHash) });
    expect(b).toEqual(a);
    expect(a.leafHash).toBe(leafHash.toString('hex'));
    // A hash of the wrong size is ignored, not trusted.
    expect(parseLeaf({ log, index: 5n, globalIndex: 7n, leafBytes, leafHash: new Uint8Array(3) })).toEqual(a);
  });
});
