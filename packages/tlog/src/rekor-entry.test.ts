/**
 * Every real entry under testdata/rekor-v1 and rekor-v2 normalises and verifies exactly as testdata/README.md
 * states (indexes, log IDs, leaf hashes, SET / inclusion proof / checkpoint outcomes, typed failure codes).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../test/harness/paths.js';
import { toBase64, toHex } from './encoding.js';
import { inspectTlogEntries } from './rekor-verify.js';
import { normalizeTlogEntries } from './rekor-entry.js';
import { parseVerifierKey } from './note-keys.js';
import { embeddedTrustedRoot, findTransparencyLog } from './trust.js';
import { readmeEntryFacts, trustedRootFor } from './testing/testdata-facts.js';

const facts = readmeEntryFacts();

/** The typed code each must-fail checkpoint yields, derived from the README's wording. */
function expectedCheckpointCode(line: string, origin: string | undefined): string {
  if (origin !== undefined && /^\d+$/.test(origin)) return 'MALFORMED_CHECKPOINT'; // origin line removed
  if (/signature does NOT verify/.test(line)) return 'BAD_SIGNATURE';
  if (/matches no known key/.test(line)) return 'UNKNOWN_KEY';
  if (/DIFFER/.test(line)) return 'ENTRY_MISMATCH';
  return 'MALFORMED_NOTE'; // no signature line at all
}

describe('README facts cover the entry files', () => {
  it('found all rekor-v1/v2 entry sections', () => expect(facts.length).toBeGreaterThanOrEqual(40));
});

describe.each(facts)('$file', (f) => {
  const input = readFileSync(testdata(f.file), 'utf8');
  const [result, ...more] = inspectTlogEntries(input, { trustedRoot: trustedRootFor(f.file) });

  it('normalises to one entry with the README identifiers', () => {
    expect(more).toHaveLength(0);
    const e = result!.entry;
    expect(e.kind).toBe(f.kind);
    expect(e.apiVersion).toBe(f.version);
    expect(e.logIndex).toBe(f.logIndex);
    expect(toBase64(e.logId)).toBe(f.logIdB64);
    expect(toHex(e.leafHash)).toBe(f.leafHashHex);
    if (f.integratedTime === undefined) expect(e.integratedTime).toBeUndefined();
    else expect(e.integratedTime).toBe(f.integratedTime);
    expect(result!.log?.baseUrl).toBe(f.logUrl);
  });

  it(`SET is ${f.set}`, () => {
    const c = result!.checks.set;
    if (f.set === 'bad') expect(c).toMatchObject({ status: 'failed', code: 'BAD_SIGNATURE' });
    else expect(c.status).toBe(f.set);
  });

  it(`inclusion proof is ${f.inclusion.status}`, () => {
    const c = result!.checks.inclusionProof;
    if (f.inclusion.status === 'absent') return expect(c.status).toBe('absent');
    const p = result!.entry.inclusionProof!;
    expect([p.logIndex, p.treeSize, toHex(p.rootHash), p.hashes.length]).toEqual([f.inclusion.index, f.inclusion.treeSize, f.inclusion.rootHex, f.inclusion.hashes]);
    if (f.inclusion.status === 'ok') expect(c.status).toBe('ok');
    else expect(c).toMatchObject({ status: 'failed', code: 'ROOT_MISMATCH' });
  });

  it(`checkpoint is ${f.checkpoint.status}`, () => {
    const c = result!.checks.checkpoint;
    if (f.checkpoint.status === 'failed') {
      expect(c).toMatchObject({ status: 'failed', code: expectedCheckpointCode(f.checkpoint.line ?? '', f.checkpoint.origin) });
    } else expect(c.status).toBe(f.checkpoint.status);
  });

  const mustFail = /_fail\.sigstore\.json$/.test(f.file);
  it(mustFail ? 'is NOT verified overall' : 'is verified overall', () => {
    expect(result!.verified).toBe(!mustFail);
    expect(result!.checks.body.status).toBe('ok');
  });
});

describe('identity-level failure', () => {
  it('integrated time after the certificate expired: log checks pass, certificate chain fails', () => {
    const [r] = inspectTlogEntries(readFileSync(testdata('rekor-v1', 'negative', 'integrated-time-after-cert-expiry-6175802.sigstore.json'), 'utf8'), {
      trustedRoot: trustedRootFor('rekor-v1/negative/x'),
    });
    expect(r!.verified).toBe(true);
    expect(r!.checks.certificate).toMatchObject({ status: 'failed', code: 'CERT_CHAIN_INVALID' });
  });
  it('every certificate-bearing positive bundle chains to a Fulcio CA and was logged by its root’s CT log', () => {
    let logged = 0;
    for (const f of facts.filter((x) => !x.file.includes('negative'))) {
      const [r] = inspectTlogEntries(readFileSync(testdata(f.file), 'utf8'), { trustedRoot: trustedRootFor(f.file) });
      expect([f.file, r!.checks.certificate.status]).not.toEqual([f.file, 'failed']);
      expect([f.file, r!.checks.sct.status]).toEqual([f.file, r!.checks.certificate.status === 'ok' ? 'ok' : 'absent']);
      if (r!.checks.sct.status === 'ok') {
        logged++;
        expect((r!.checks.sct as { detail: string }).detail).toMatch(/^https:\/\/\S*ctfe\.sig\S+ at 20\d\d-/);
      }
    }
    expect(logged).toBeGreaterThanOrEqual(10);
  });

  it('a certificate whose SCT does not verify against the root’s CT log: sct failed NOT_LOGGED, chain still ok', () => {
    const file = 'rekor-v1/bundles/gha-beacon-hashedrekord-v0.3.sigstore.json';
    const root = trustedRootFor(file);
    // the same root with its CT logs' keys swapped for another valid key (a Rekor log's): no SCT verifies
    const otherKey = root.tlogs[0]!.key;
    const swapped = { ...root, ctlogs: root.ctlogs.map((l) => ({ ...l, key: otherKey })) };
    const [r] = inspectTlogEntries(readFileSync(testdata(file), 'utf8'), { trustedRoot: swapped });
    expect(r!.checks.certificate.status).toBe('ok');
    expect(r!.checks.sct).toMatchObject({ status: 'failed', code: 'NOT_LOGGED', reason: expect.stringMatching(/none of its 1 SCT\(s\) verifies/) });
    // and with no CT log in the root there is nothing to expect
    const [none] = inspectTlogEntries(readFileSync(testdata(file), 'utf8'), { trustedRoot: { ...root, ctlogs: [] } });
    expect(none!.checks.sct.status).toBe('absent');
    expect(none!.verified).toBe(true);
  });
});

describe('other input shapes', () => {
  const bundle = JSON.parse(readFileSync(testdata('rekor-v1', 'bundles', 'gha-beacon-hashedrekord-v0.3.sigstore.json'), 'utf8')) as {
    verificationMaterial: { tlogEntries: Record<string, any>[] };
  };
  const t = bundle.verificationMaterial.tlogEntries[0]!;
  const hex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');
  const anon = {
    body: t['canonicalizedBody'],
    integratedTime: Number(t['integratedTime']),
    logID: hex(t['logId'].keyId),
    logIndex: Number(t['logIndex']),
    verification: {
      signedEntryTimestamp: t['inclusionPromise'].signedEntryTimestamp,
      inclusionProof: {
        checkpoint: t['inclusionProof'].checkpoint.envelope,
        hashes: t['inclusionProof'].hashes.map(hex),
        logIndex: Number(t['inclusionProof'].logIndex),
        rootHash: hex(t['inclusionProof'].rootHash),
        treeSize: Number(t['inclusionProof'].treeSize),
      },
    },
  };
  const leafHex = 'aee3c920bb1132e929ed20e1c194579a60e95849f7a554e0033fdd26ee221629';
  it('Rekor v1 API response {uuid: LogEntry} (re-shaped from the real bundle entry)', () => {
    const [r] = inspectTlogEntries({ [`24296fb24b8ad77a${leafHex}`]: anon }, { trustedRoot: trustedRootFor('x') });
    expect(r!.entry.format).toBe('rekor-v1-api');
    expect(r!.verified).toBe(true);
    expect(Object.values(r!.checks).map((c) => c.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'absent', 'absent']);
  });
  it('UUID tree ID: shard index vs global index, and a UUID naming another tree → ORIGIN_MISMATCH', () => {
    const [r] = inspectTlogEntries({ [`24296fb24b8ad77a${leafHex}`]: anon }, { trustedRoot: trustedRootFor('x') });
    expect(r!.entry.treeId).toBe('2605736670972794746');
    expect(r!.entry.logIndex).toBe(79571823n);
    expect(r!.entry.inclusionProof?.logIndex).toBe(75408392n);
    const [bad] = inspectTlogEntries({ [`1090ec8ad6a5e9fa${leafHex}`]: anon }, { trustedRoot: trustedRootFor('x') });
    expect(bad!.checks.checkpoint).toMatchObject({ status: 'failed', code: 'ORIGIN_MISMATCH' });
  });
  it('witness keys are checked on entry checkpoints (alpha3, three real cosignatures)', () => {
    const witnessKeys = readFileSync(testdata('signed-note', 'witness-vkeys.txt'), 'utf8').trim().split('\n').map(parseVerifierKey);
    const file = 'rekor-v2/staging/gha-beacon-dsse-alpha3-4026478-witnessed.sigstore.json';
    const [r] = inspectTlogEntries(readFileSync(testdata(file), 'utf8'), { trustedRoot: trustedRootFor(file), witnessKeys });
    expect(r!.checks.checkpoint).toMatchObject({ status: 'ok', detail: expect.stringContaining('cosigned by witness.stagemole.eu') });
  });
  it('array of maps, bare LogEntryAnon, wrong UUID → ENTRY_MISMATCH', () => {
    expect(inspectTlogEntries([{ [leafHex]: anon }, anon], { trustedRoot: trustedRootFor('x') }).map((r) => r.verified)).toEqual([true, true]);
    const [bad] = inspectTlogEntries({ ['00'.repeat(32)]: anon }, { trustedRoot: trustedRootFor('x') });
    expect(bad!.checks.body).toMatchObject({ status: 'failed', code: 'ENTRY_MISMATCH' });
  });
  it('cosign rekorBundle (with and without the enclosing cosign bundle)', () => {
    const rb = { SignedEntryTimestamp: anon.verification.signedEntryTimestamp, Payload: { body: anon.body, integratedTime: anon.integratedTime, logIndex: anon.logIndex, logID: anon.logID } };
    for (const input of [rb, { base64Signature: 'AA==', rekorBundle: rb }]) {
      const [r] = inspectTlogEntries(input, { trustedRoot: trustedRootFor('x') });
      expect(r!.entry.format).toBe('cosign-rekor-bundle');
      expect(r!.checks.set.status).toBe('ok');
      expect(r!.verified).toBe(true);
    }
  });
  it('unrecognised input → MALFORMED_ENTRY', () => {
    expect(() => normalizeTlogEntries({ hello: 'world' })).toThrow(expect.objectContaining({ code: 'MALFORMED_ENTRY' }));
    expect(() => normalizeTlogEntries('not json')).toThrow(expect.objectContaining({ code: 'MALFORMED_ENTRY' }));
  });
});

describe('trust', () => {
  it('the embedded @sigstore/tuf root resolves prod Rekor v1 and v2 log IDs', () => {
    const root = embeddedTrustedRoot();
    expect(findTransparencyLog(root, 'wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=').baseUrl).toBe('https://rekor.sigstore.dev');
    expect(findTransparencyLog(root, 'zxGZFVvd0FEmjR8WrFwMdcAJ9vtaY/QXf44Y1wUeP6A=').keyDetails).toBe('PKIX_ED25519');
    expect(() => findTransparencyLog(root, '0y8wo8MtY5wrdiIFohx7sHeI5oKDpK5vQhGHI6G+pJY=')).toThrow(expect.objectContaining({ code: 'UNKNOWN_KEY' }));
  });
  it('validity windows: alpha1 staging key has ended', () => {
    const staging = trustedRootFor('rekor-v1/bundles-staging/x');
    expect(() => findTransparencyLog(staging, '8w1amZ2S5mJIQkQmPxdMuOrL/oJkvFg9MnQXmeOCXck=', new Date('2025-10-01'))).toThrow(
      expect.objectContaining({ code: 'KEY_NOT_VALID_AT_TIME' }),
    );
    expect(findTransparencyLog(staging, '8w1amZ2S5mJIQkQmPxdMuOrL/oJkvFg9MnQXmeOCXck=', new Date('2025-06-01')).hostname).toBe('log2025-alpha1.rekor.sigstage.dev');
  });
});
