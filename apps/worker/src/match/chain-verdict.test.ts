/**
 * chainVerdict on real entries (../shared/testdata: production and staging bundles against the production and
 * staging trusted roots) and on simulator entries: Rekor bodies with a certificate from the trusted CA or from
 * a self-made one, CT x509 and precert entries (the pre-certificate from extra_data), and everything that
 * must give 'unknown' rather than a wrong answer.
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { parseTrustedRoot, type TrustedRoot } from '@sigwatch/tlog';
import type { LogKind, SigningEvent } from '@sigwatch/rules';
import { testdata, testdataDir } from '../../../../test/harness/paths.js';
import { createFulcioCa, deriveKeyPair, issueLeafFast, type FulcioCa, type LeafMaterial, type SimKeyPair } from '../../../../test/sim/ca.js';
import { hashedRekordV001, hashedRekordV002, type EntrySigner } from '../../../../test/sim/entries.js';
import { EntryFactory } from '../../../../test/sim/entry-factory.js';
import { chainBytes, precertExtraData, precertLeafInput, splitCtRecord, tbsOf } from '../../../../test/sim/ct-leaf.js';
import { parseLeaf } from '../parse/parse-leaf.js';
import { bundleEntries, bundleFiles } from '../parse/testing/real-certs.js';
import { chainVerdict, type FetchedEntry } from './chain-verdict.js';

const SCT_LIST_OID = '1.3.6.1.4.1.11129.2.4.2';
const leafOf = (s: EntrySigner): LeafMaterial => {
  if (!('leaf' in s)) throw new Error('the signer has no certificate');
  return s.leaf;
};
const rootFile = (name: string): TrustedRoot => parseTrustedRoot(readFileSync(testdata('trust', name), 'utf8'));

function eventOf(kind: LogKind, leaf: Uint8Array): SigningEvent {
  return parseLeaf({ log: { origin: 'test', kind }, index: 0, globalIndex: 0, leafBytes: leaf });
}

describe('chainVerdict on real entries', () => {
  const prod = rootFile('trusted_root.prod.json');
  const staging = rootFile('trusted_root.staging.json');
  const cases = bundleFiles().flatMap((f) =>
    bundleEntries(f).map((e, i) => {
      const leaf = new Uint8Array(Buffer.from(e.canonicalizedBody, 'base64'));
      const kind: LogKind = e.kindVersion?.version === '0.0.2' ? 'rekor-v2' : 'rekor-v1';
      return { name: `${relative(testdataDir, f)} #${i}`, staging: /staging|rekor-v2\/negative/.test(f), leaf, event: eventOf(kind, leaf) };
    }),
  );
  const withCert = cases.filter((c) => c.event.certificate !== undefined);

  it('covers Rekor v1 and v2, production and staging', () => {
    expect(withCert.filter((c) => !c.staging).length).toBeGreaterThanOrEqual(15);
    expect(withCert.filter((c) => c.staging).length).toBeGreaterThanOrEqual(5);
    expect(new Set(withCert.map((c) => c.event.log.kind))).toEqual(new Set(['rekor-v1', 'rekor-v2']));
  });

  for (const c of withCert) {
    it(`${c.name}: ${c.staging ? 'staging: invalid under production, valid under staging' : 'valid under production, invalid under staging'}`, () => {
      const [home, other] = c.staging ? [staging, prod] : [prod, staging];
      // every real Fulcio certificate carries an SCT from its root's CT log
      expect(chainVerdict(home, c.event, { leaf: c.leaf })).toMatchObject({ status: 'valid', reason: expect.stringMatching(/; logged by https:\/\/\S*ctfe\.sig/) });
      expect(chainVerdict(other, c.event, { leaf: c.leaf })).toMatchObject({ status: 'invalid', reason: expect.stringContaining('does not chain') });
    });
  }

  it('an entry signed with a bare key has no chain: unknown', () => {
    const keyed = cases.filter((c) => c.event.certificate === undefined);
    expect(keyed.length).toBeGreaterThan(0);
    for (const c of keyed) expect(chainVerdict(prod, c.event, { leaf: c.leaf }).status).toBe('unknown');
  });

  it('a leaf other than the verified one is never judged: unknown', () => {
    const [a, b] = withCert as [(typeof withCert)[0], (typeof withCert)[0]];
    expect(chainVerdict(prod, a.event, { leaf: b.leaf })).toMatchObject({ status: 'unknown', reason: expect.stringContaining('not the verified') });
  });
});

/** A trusted root whose only Fulcio CA is `ca`, and whose CT log (if any) has key `ct` from `ctStart` on. */
function rootOf(ca: FulcioCa, ct?: SimKeyPair, ctStart = '2020-01-01T00:00:00Z'): TrustedRoot {
  const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64');
  return parseTrustedRoot({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    certificateAuthorities: [{ uri: 'https://fulcio.sim', certChain: { certificates: ca.trustedRootCertChain }, validFor: { start: '2020-01-01T00:00:00Z' } }],
    ctlogs:
      ct === undefined
        ? []
        : [
            {
              baseUrl: 'https://ct.sim',
              hashAlgorithm: 'SHA2_256',
              publicKey: { rawBytes: b64(ct.spki), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: ctStart } },
              logId: { keyId: b64(createHash('sha256').update(ct.spki).digest()) },
            },
          ],
  });
}

describe('chainVerdict on simulator entries', async () => {
  const ca = await createFulcioCa({ seed: 'chain-verdict-trusted' });
  const rogue = await createFulcioCa({ seed: 'chain-verdict-rogue', organization: 'sigstore.dev' });
  const root = rootOf(ca);
  const key = await deriveKeyPair('chain-verdict', 'leaf');
  const identity = 'https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1';
  const issue = (by: FulcioCa) => issueLeafFast(by, { sans: [{ type: 'uri', value: identity }], key, notBefore: new Date(Date.now() - 1000) });
  const factory = await EntryFactory.create(ca, 'chain-verdict');
  const verdict = (kind: LogKind, entry: FetchedEntry) => chainVerdict(root, eventOf(kind, entry.leaf), entry);

  it('Rekor v1 (PEM) and v2 (DER) bodies: the trusted CA → valid, a self-made CA with the same names → invalid', () => {
    for (const [by, status] of [[ca, 'valid'], [rogue, 'invalid']] as const) {
      const leaf = issue(by);
      expect(verdict('rekor-v1', { leaf: hashedRekordV001(Buffer.from('a'), { leaf }).canonical }).status).toBe(status);
      expect(verdict('rekor-v2', { leaf: hashedRekordV002(Buffer.from('b'), { leaf }).canonical }).status).toBe(status);
    }
  });

  it('a PEM chain in the body: the leaf is found by its fingerprint wherever it stands; a rogue intermediate does not help', () => {
    const leaf = issue(ca);
    const chained = { ...leaf, pem: `${ca.intermediate.pem}${leaf.pem}${ca.root.pem}` };
    expect(verdict('rekor-v1', { leaf: hashedRekordV001(Buffer.from('c'), { leaf: chained }).canonical }).status).toBe('valid');
    const forged = issue(rogue);
    const withRogueChain = { ...forged, pem: `${forged.pem}${rogue.intermediate.pem}${rogue.root.pem}` };
    expect(verdict('rekor-v1', { leaf: hashedRekordV001(Buffer.from('d'), { leaf: withRogueChain }).canonical }).status).toBe('invalid');
  });

  it('CT x509 and precert entries from the simulator are valid (the precert through extra_data)', () => {
    const [pre, x509] = factory.ct({ identity }, 'both').map((l) => splitCtRecord(l.record));
    expect(verdict('ct', { leaf: x509!.leafInput, extraData: x509!.extraData }).status).toBe('valid');
    expect(verdict('ct', { leaf: x509!.leafInput }).status).toBe('valid');
    expect(verdict('ct', { leaf: pre!.leafInput, extraData: pre!.extraData })).toMatchObject({ status: 'valid', reason: expect.stringContaining('issued under') });
  });

  it('a precert: no extra_data, or a pre-certificate other than the logged TBS → unknown; a rogue pre-certificate → invalid', () => {
    const [pre] = factory.ct({ identity: 'maintainer@example.com' }, 'precert').map((l) => splitCtRecord(l.record));
    expect(verdict('ct', { leaf: pre!.leafInput }).status).toBe('unknown');
    const other = issue(ca);
    const wrong = precertExtraData(other.der, [ca.intermediate.der]);
    expect(verdict('ct', { leaf: pre!.leafInput, extraData: wrong })).toMatchObject({ status: 'unknown', reason: expect.stringContaining('not the logged') });
    // A self-made pre-certificate logged as it is: its TBS is the logged one, but no trusted CA signed it.
    const forged = issue(rogue);
    const leaf = precertLeafInput(Date.now(), new Uint8Array(32), tbsOf(forged.der));
    expect(verdict('ct', { leaf, extraData: precertExtraData(forged.der, [rogue.intermediate.der]) }).status).toBe('invalid');
    expect(verdict('ct', { leaf, extraData: chainBytes([]).subarray(0, 2) }).status).toBe('unknown');
  });

  it('with a CT log in the root, a Rekor entry’s certificate must carry an SCT from it that verifies', async () => {
    const ct = await deriveKeyPair('chain-verdict', 'ct-log');
    const otherCt = await deriveKeyPair('chain-verdict', 'another-ct-log');
    const withCt = rootOf(ca, ct);
    const judge = (leaf: LeafMaterial) => {
      const body = hashedRekordV001(Buffer.from('s'), { leaf }).canonical;
      return chainVerdict(withCt, eventOf('rekor-v1', body), { leaf: body });
    };
    // as Fulcio issues them: logged by the trusted CT log
    const logged = leafOf((await EntryFactory.create(ca, 'chain-verdict-sct', ct)).signer({ identity }));
    expect(judge(logged)).toMatchObject({ status: 'valid', reason: expect.stringMatching(/; logged by https:\/\/ct\.sim at /) });
    // chains to the CA but never logged: what a stolen CA key gives
    expect(judge(issue(ca))).toMatchObject({ status: 'invalid', reason: expect.stringContaining('carries no SCT although https://ct.sim was running') });
    // an SCT from a log the root does not trust
    const elsewhere = leafOf((await EntryFactory.create(ca, 'chain-verdict-sct', otherCt)).signer({ identity }));
    expect(judge(elsewhere)).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/none of its 1 SCT\(s\) verifies against a trusted CT log/) });
    // the trusted log's SCT copied onto another certificate of the CA: its signature covers the first one's TBS
    const sctList = new x509.X509Certificate(logged.der).getExtension(SCT_LIST_OID);
    expect(sctList).not.toBeNull();
    const borrowed = issueLeafFast(ca, {
      sans: [{ type: 'email', value: 'someone@example.com' }],
      key,
      notBefore: new Date(Date.now() - 1000),
      extra: [{ oid: SCT_LIST_OID, critical: false, value: new Uint8Array(sctList!.value) }],
    });
    expect(judge(borrowed)).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/none of its 1 SCT\(s\) verifies/) });
    // no CT log running at the certificate's time: nothing to expect
    const early = hashedRekordV002(Buffer.from('t'), { leaf: issue(ca) }).canonical;
    expect(chainVerdict(rootOf(ca, ct, '2099-01-01T00:00:00Z'), eventOf('rekor-v2', early), { leaf: early })).toMatchObject({
      status: 'valid',
      reason: expect.stringContaining('no CT log of the trusted root was running then'),
    });
    // SCTs of a log the root does not know, and no CT log of the root running: nothing was expected
    const body = hashedRekordV001(Buffer.from('u'), { leaf: elsewhere }).canonical;
    expect(chainVerdict(root, eventOf('rekor-v1', body), { leaf: body })).toMatchObject({ status: 'valid', reason: expect.stringContaining('no CT log of the trusted root was running then') });
    // a CT entry is the log's own record: no SCT needed
    const [, x509Entry] = factory.ct({ identity }, 'both').map((l) => splitCtRecord(l.record));
    expect(chainVerdict(withCt, eventOf('ct', x509Entry!.leafInput), { leaf: x509Entry!.leafInput }).status).toBe('valid');
  });

  it('a certificate from before its CA was valid is invalid', () => {
    const old = issueLeafFast(ca, { sans: [{ type: 'uri', value: identity }], key, notBefore: new Date('2019-06-01T00:00:00Z') });
    expect(verdict('rekor-v1', { leaf: hashedRekordV001(Buffer.from('e'), { leaf: old }).canonical }).status).toBe('invalid');
  });
});
