/**
 * CT on real data: Google Pilot's real STH, real 2013 get-entries leaves (facts from testdata/README.md's
 * table), and the SCTs embedded in real Fulcio certificates (testdata/ct/sigstore-ctfe/embedded-scts.json).
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../test/harness/paths.js';
import { toBase64, toHex } from './encoding.js';
import { sha256 } from './hash.js';
import { ctLeafHash, decodeExtraData, decodeMerkleTreeLeaf, encodeMerkleTreeLeaf, signSth, verifySth } from './ct.js';
import { decodeSctList, encodeSctList, extractEmbeddedScts, precertificateTbs, precertTbsCertificate, precertTimestampedEntry, signSct, verifyCertificateScts, verifySct } from './sct.js';
import { children, encodeTlv, readTlv, slice } from './der.js';
import { concatBytes } from './encoding.js';
import { trustedRootFile } from './testing/testdata-facts.js';

const read = (...p: string[]) => readFileSync(testdata(...p), 'utf8');

describe('RFC 6962 signed tree head (Google Pilot, real)', () => {
  const sth = JSON.parse(read('ct', 'rfc6962-google-pilot', 'get-sth.3721782.json')) as Record<string, unknown>;
  const key = read('ct', 'rfc6962-google-pilot', 'pilot-pubkey.pem');
  it('verifies with the Pilot key', () => {
    const th = verifySth(sth, key);
    expect(th.treeSize).toBe(3721782n);
    expect(th.timestamp).toBe(1396609800587n);
  });
  it('tampered size/timestamp/root fail with BAD_SIGNATURE', () => {
    for (const bad of [{ tree_size: 3721783 }, { timestamp: 1396609800588 }, { sha256_root_hash: toBase64(new Uint8Array(32)) }]) {
      expect(() => verifySth({ ...sth, ...bad }, key)).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
    }
  });
  it('malformed signatures fail with MALFORMED_CT', () => {
    expect(() => verifySth({ ...sth, tree_head_signature: 'BAMARjBE' }, key)).toThrow(expect.objectContaining({ code: 'MALFORMED_CT' }));
  });
  it('sign/verify round trip (simulator)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const json = signSth({ treeSize: 42n, timestamp: 1700000000000n, rootHash: sha256(new Uint8Array([1])) }, privateKey);
    expect(verifySth(json, publicKey).treeSize).toBe(42n);
  });
});

describe('RFC 6962 get-entries (real 2013 x509 leaves)', () => {
  const entries = (JSON.parse(read('ct', 'rfc6962-google-pilot', 'get-entries.x509-2013.json')) as { entries: { leaf_input: string; extra_data: string }[] }).entries;
  // Facts from the README table: | # | timestamp (ms) (…) | entry_type (…) | cert subject CN | chain certs | leaf hash |
  const table = read('README.md').split('\n').filter((l) => /^\| \d+ \| \d{13} /.test(l)).map((l) => l.split('|').map((c) => c.trim()).slice(1, -1));
  it('the README lists the 4 entries', () => expect(table).toHaveLength(4));
  table.forEach(([i, ts, type, cn, chain, leaf]) => {
    it(`entry ${i}: ${cn}`, () => {
      const e = entries[Number(i)]!;
      const te = decodeMerkleTreeLeaf(e.leaf_input);
      expect(te.timestamp).toBe(BigInt((ts as string).split(' ')[0]!));
      expect(te.entry.type).toBe((type as string).startsWith('0') ? 'x509' : 'precert');
      expect(toHex(ctLeafHash(te))).toBe(leaf);
      expect(toBase64(encodeMerkleTreeLeaf(te))).toBe(e.leaf_input);
      if (te.entry.type === 'x509') expect(new X509Certificate(Buffer.from(te.entry.certificate)).subject).toContain(`CN=${cn}`);
      expect(decodeExtraData(e.extra_data, te.entry.type).chain).toHaveLength(Number(chain));
    });
  });
  it('truncated leaf_input → MALFORMED_CT', () => {
    const b = Buffer.from(entries[0]!.leaf_input, 'base64');
    for (const n of [0, 1, 5, 12, 14, b.length - 1]) expect(() => decodeMerkleTreeLeaf(new Uint8Array(b.subarray(0, n)))).toThrow(expect.objectContaining({ code: 'MALFORMED_CT' }));
  });
});

/** DER of the critical poison extension {1.3.6.1.4.1.11129.2.4.3, critical, NULL} (RFC 6962 §3.1). */
const POISON_EXTENSION = Uint8Array.from([0x30, 0x13, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x03, 0x01, 0x01, 0xff, 0x04, 0x02, 0x05, 0x00]);

/** A final certificate turned back into its pre-certificate: the SCT extension replaced by the poison (signature kept: only the TBS is read). */
function asPrecertificate(pem: string): Uint8Array {
  const der = new Uint8Array(new X509Certificate(pem).raw);
  const [tbs, ...rest] = children(der, readTlv(der, 0));
  const fields = children(der, tbs!).map((f) => {
    if (f.tag !== 0xa3) return slice(der, f);
    const exts = children(der, children(der, f)[0]!).map((e) => (toHex(slice(der, children(der, e)[0]!)).endsWith('d679020402') ? POISON_EXTENSION : slice(der, e)));
    return encodeTlv(0xa3, encodeTlv(0x30, concatBytes(...exts)));
  });
  return encodeTlv(0x30, concatBytes(encodeTlv(0x30, concatBytes(...fields)), ...rest.map((t) => slice(der, t))));
}

describe('SCTs embedded in real Fulcio certificates', () => {
  const cases = (JSON.parse(read('ct', 'sigstore-ctfe', 'embedded-scts.json')) as { cases: Record<string, any>[] }).cases;
  const rootFor = (url: string) => trustedRootFile('trust', url.includes('sigstage') ? 'trusted_root.staging.json' : 'trusted_root.prod.json');
  it('has 9 cases', () => expect(cases).toHaveLength(9));
  for (const c of cases) {
    it(`${c['name']}: SCT fields, verification (${c['sctSignatureVerifies']}), precert leaf`, () => {
      const pem = read(c['leafCert']);
      const [sct, ...more] = extractEmbeddedScts(pem);
      expect(more).toHaveLength(0);
      expect(toBase64(sct!.logId)).toBe(c['sct'].logId_b64);
      expect(sct!.timestamp).toBe(BigInt(c['sct'].timestamp_ms));
      expect(toHex(sct!.extensions)).toBe(c['sct'].extensions_hex);
      expect([sct!.signature.hashAlgorithm, sct!.signature.signatureAlgorithm]).toEqual([c['sct'].hashAlgorithm, c['sct'].signatureAlgorithm]);

      const root = rootFor(c['ctLogBaseUrl']);
      const [res] = verifyCertificateScts(root, pem);
      expect(res).toMatchObject({ status: c['sctSignatureVerifies'] ? 'ok' : 'failed', log: c['ctLogBaseUrl'] });

      const tbs = precertTbsCertificate(pem);
      const d = c['derivedPrecertEntry'];
      expect([tbs.length, toHex(sha256(tbs))]).toEqual([d.precertTbsLength, d.precertTbsSha256_hex]);
      // The pre-certificate Fulcio submitted had the poison extension where the final one has its SCTs.
      expect(toHex(sha256(precertificateTbs(asPrecertificate(pem))))).toBe(d.precertTbsSha256_hex);
      const leafCert = new X509Certificate(pem);
      const issuer = root.certificateAuthorities.flatMap((a) => a.certificates).find((x) => leafCert.checkIssued(x))!;
      const te = precertTimestampedEntry(pem, issuer.publicKey, sct!);
      expect(te.entry.type === 'precert' && toHex(te.entry.issuerKeyHash)).toBe(d.issuerKeyHash_hex);
      expect(toBase64(encodeMerkleTreeLeaf(te))).toBe(d.merkleTreeLeaf_b64);
      expect(toHex(ctLeafHash(te))).toBe(d.leafHash_hex);
    });
  }
  it('signSct / verifySct / encodeSctList round trip (simulator), tamper → BAD_SIGNATURE', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const entry = { timestamp: 0n, entry: { type: 'x509' as const, certificate: new Uint8Array([0x30, 0x00]) }, extensions: new Uint8Array(0) };
    const sct = signSct(entry, privateKey, 1700000000000n);
    verifySct(sct, entry, publicKey);
    expect(() => verifySct({ ...sct, timestamp: 1700000000001n }, entry, publicKey)).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
    expect(decodeSctList(encodeSctList([sct, sct]))).toEqual([sct, sct]);
    expect(encodeSctList([sct, sct]).length).toBe(2 + 2 * (2 + 1 + 32 + 8 + 2 + 2 + 2 + sct.signature.signature.length));
  });
  it('an SCT checked against the wrong log key fails (UNKNOWN_KEY for a foreign root)', () => {
    const c = cases[0]!;
    const [res] = verifyCertificateScts(trustedRootFile('trust', 'trusted_root.staging.json'), read(c['leafCert']));
    expect(res!.status).toBe('failed');
  });
});
