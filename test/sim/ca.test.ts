import 'reflect-metadata';
import { createHash, createPublicKey, verify as nodeVerify, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { OID_ISSUER_V1, OID_ISSUER_V2 } from '@sigwatch/rules';
import {
  createFulcioCa,
  deriveKeyPair,
  fulcioExtensionsFor,
  issueIdentityLeaf,
  issueLeafFast,
  type FulcioCa,
} from './ca.js';
import { dssePae, dsseV001, hashedRekordV001, hashedRekordV002, intotoV002, inTotoStatement } from './entries.js';

const GHA = 'https://token.actions.githubusercontent.com';
const WORKFLOW = 'https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3';

function extValue(cert: x509.X509Certificate, oid: string): Buffer {
  const e = cert.getExtension(oid);
  if (!e) throw new Error(`missing ${oid}`);
  return Buffer.from(e.value);
}

describe('Fulcio-like CA', () => {
  let ca: FulcioCa;
  it('creates a root and an intermediate that chain and are deterministic per seed', async () => {
    ca = await createFulcioCa({ seed: 'ca-test' });
    expect(ca.root.cert.subject).toBe('O=sigstore.dev, CN=sigstore');
    expect(ca.intermediate.cert.issuer).toBe('O=sigstore.dev, CN=sigstore');
    expect(await ca.intermediate.cert.verify({ publicKey: ca.root.cert.publicKey, signatureOnly: true })).toBe(true);
    const again = await createFulcioCa({ seed: 'ca-test' });
    expect(Buffer.from(again.root.key.spki)).toEqual(Buffer.from(ca.root.key.spki));
    expect(again.intermediate.cert.serialNumber).toBe(ca.intermediate.cert.serialNumber);
    const other = await createFulcioCa({ seed: 'other' });
    expect(Buffer.from(other.root.key.spki)).not.toEqual(Buffer.from(ca.root.key.spki));
    expect(ca.trustedRootCertChain).toHaveLength(2);
  });

  it('issues a GitHub Actions leaf with raw .1.1–.1.6 and DER .1.8+ extensions', async () => {
    const notBefore = new Date('2025-01-02T03:04:05Z');
    const leaf = await issueIdentityLeaf(ca, { identity: WORKFLOW, issuer: GHA, trigger: 'release', workflow: 'Release' }, { notBefore });
    const cert = new x509.X509Certificate(leaf.der);
    expect(cert.subject).toBe('');
    expect(cert.issuer).toBe('O=sigstore.dev, CN=sigstore-intermediate');
    expect(cert.notBefore.toISOString()).toBe('2025-01-02T03:04:05.000Z');
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(10 * 60 * 1000);
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension)!;
    expect(san.critical).toBe(true);
    expect(san.names.items.map((n) => [n.type, n.value])).toEqual([['url', WORKFLOW]]);
    const eku = cert.getExtension(x509.ExtendedKeyUsageExtension)!;
    expect(eku.usages).toEqual(['1.3.6.1.5.5.7.3.3']);
    expect(extValue(cert, OID_ISSUER_V1).toString('utf8')).toBe(GHA);
    // .1.8: DER UTF8String
    const v2 = extValue(cert, OID_ISSUER_V2);
    expect(v2[0]).toBe(0x0c);
    expect(v2.subarray(2).toString('utf8')).toBe(GHA);
    expect(extValue(cert, '1.3.6.1.4.1.57264.1.2').toString()).toBe('release');
    expect(extValue(cert, '1.3.6.1.4.1.57264.1.5').toString()).toBe('acme/widget');
    expect(extValue(cert, '1.3.6.1.4.1.57264.1.6').toString()).toBe('refs/tags/v1.2.3');
    expect(extValue(cert, '1.3.6.1.4.1.57264.1.12').subarray(2).toString()).toBe('https://github.com/acme/widget');
    expect(await cert.verify({ publicKey: ca.intermediate.cert.publicKey, signatureOnly: true })).toBe(true);
  });

  it('builds the same extension set as a real GitHub Actions certificate', () => {
    const ext = fulcioExtensionsFor({
      identity: 'https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2',
      issuer: GHA,
      sha: 'd8b4a6445f38c48b9137a8099706d9b8073146e4',
      trigger: 'release',
      workflow: 'release',
      repositoryId: '768213997',
      ownerId: '2314423',
      runId: '8351058501',
    });
    // Values from testdata fulcio/certs/index.json (gha-trailofbits-rfc8785py-release-v0.1.2).
    expect(ext).toEqual({
      '1.3.6.1.4.1.57264.1.1': GHA,
      '1.3.6.1.4.1.57264.1.2': 'release',
      '1.3.6.1.4.1.57264.1.3': 'd8b4a6445f38c48b9137a8099706d9b8073146e4',
      '1.3.6.1.4.1.57264.1.4': 'release',
      '1.3.6.1.4.1.57264.1.5': 'trailofbits/rfc8785.py',
      '1.3.6.1.4.1.57264.1.6': 'refs/tags/v0.1.2',
      '1.3.6.1.4.1.57264.1.8': GHA,
      '1.3.6.1.4.1.57264.1.9': 'https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2',
      '1.3.6.1.4.1.57264.1.10': 'd8b4a6445f38c48b9137a8099706d9b8073146e4',
      '1.3.6.1.4.1.57264.1.11': 'github-hosted',
      '1.3.6.1.4.1.57264.1.12': 'https://github.com/trailofbits/rfc8785.py',
      '1.3.6.1.4.1.57264.1.13': 'd8b4a6445f38c48b9137a8099706d9b8073146e4',
      '1.3.6.1.4.1.57264.1.14': 'refs/tags/v0.1.2',
      '1.3.6.1.4.1.57264.1.15': '768213997',
      '1.3.6.1.4.1.57264.1.16': 'https://github.com/trailofbits',
      '1.3.6.1.4.1.57264.1.17': '2314423',
      '1.3.6.1.4.1.57264.1.18': 'https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2',
      '1.3.6.1.4.1.57264.1.19': 'd8b4a6445f38c48b9137a8099706d9b8073146e4',
      '1.3.6.1.4.1.57264.1.20': 'release',
      '1.3.6.1.4.1.57264.1.21': 'https://github.com/trailofbits/rfc8785.py/actions/runs/8351058501/attempts/1',
      '1.3.6.1.4.1.57264.1.22': 'public',
    });
    expect(fulcioExtensionsFor({ identity: 'dev@example.com', issuer: 'https://accounts.google.com' })).toEqual({
      '1.3.6.1.4.1.57264.1.1': 'https://accounts.google.com',
      '1.3.6.1.4.1.57264.1.8': 'https://accounts.google.com',
    });
  });

  // Its speed is measured by bench/parse.bench.ts, not asserted here (a timed test fails on a loaded machine).
  it('fast issuance yields certificates @peculiar/x509 reads and verifies', async () => {
    const key = await deriveKeyPair('ca-test', 'batch');
    const n = 200;
    const leaves = Array.from({ length: n }, (_, i) =>
      issueLeafFast(ca, {
        key,
        notBefore: new Date(Date.UTC(2025, 0, 1) + i * 1000),
        sans: [{ type: 'email', value: `u${i}@example.com` }],
        fulcio: fulcioExtensionsFor({ identity: `u${i}@example.com`, issuer: GHA }),
      }),
    );
    expect(new Set(leaves.map((l) => Buffer.from(l.der).toString('hex'))).size).toBe(n);
    const cert = new x509.X509Certificate(leaves[7]!.der);
    expect(cert.getExtension(x509.SubjectAlternativeNameExtension)!.names.items[0]!.value).toBe('u7@example.com');
    expect(cert.issuer).toBe('O=sigstore.dev, CN=sigstore-intermediate');
    expect(await cert.verify({ publicKey: ca.intermediate.cert.publicKey, signatureOnly: true })).toBe(true);
    // OpenSSL's issuer check, which chain validation uses, wants the leaf's AKI to be the intermediate's SKI.
    expect(new X509Certificate(leaves[7]!.der).checkIssued(new X509Certificate(ca.intermediate.der))).toBe(true);
    const far = issueLeafFast(ca, { key, notBefore: new Date('2051-05-06T07:08:09Z'), sans: [{ type: 'ip', value: '2001:db8::1' }] });
    const farCert = new x509.X509Certificate(far.der);
    expect(farCert.notBefore.toISOString()).toBe('2051-05-06T07:08:09.000Z');
  });
});

describe('signed entry bodies', () => {
  it('hashedrekord 0.0.1 / 0.0.2, dsse and intoto carry real signatures', async () => {
    const ca = await createFulcioCa({ seed: 'entries' });
    const leaf = await issueIdentityLeaf(ca, { identity: WORKFLOW, issuer: GHA });
    const artifact = Buffer.from('hello sigwatch\n');
    const hr = hashedRekordV001(artifact, { leaf });
    const pub = createPublicKey(leaf.pem);
    expect(hr.digest).toBe(createHash('sha256').update(artifact).digest('hex'));
    expect(nodeVerify('sha256', artifact, pub, Buffer.from(hr.body.spec.signature.content, 'base64'))).toBe(true);
    expect(Buffer.from(hr.body.spec.signature.publicKey.content, 'base64').toString()).toBe(leaf.pem);
    expect(Buffer.from(hr.canonical).toString()).toMatch(/^\{"apiVersion":"0.0.1","kind":"hashedrekord","spec":\{"data"/);

    const v2 = hashedRekordV002(artifact, { key: leaf.key });
    expect(Buffer.from(v2.canonical).toString()).toContain('"publicKey":{"rawBytes"');

    const payload = inTotoStatement('a.txt', hr.digest);
    const d = dsseV001('application/vnd.in-toto+json', payload, { leaf });
    const pae = dssePae('application/vnd.in-toto+json', payload);
    expect(nodeVerify('sha256', pae, pub, Buffer.from(d.envelope.signatures[0]!.sig, 'base64'))).toBe(true);
    const it2 = intotoV002(payload, { leaf });
    expect(JSON.parse(Buffer.from(it2.canonical).toString()).spec.content.payloadHash.value).toBe(
      createHash('sha256').update(payload).digest('hex'),
    );
  });
});
