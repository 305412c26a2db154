/**
 * `sigwatch entry inspect` on real public-good bundles (facts from testdata/README.md), on must-fail ones,
 * and on an entry served by the simulator: the output shows exactly the identity and extensions appended.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrustedRoot } from '@sigwatch/tlog';
import { repoRoot, testdata } from '../../../../test/harness/paths.js';
import { startSimulator, type Simulator } from '../../../../test/sim/server.js';
import { inspect } from './entry.js';

const exec = promisify(execFile);
const prod = parseTrustedRoot(readFileSync(testdata('trust', 'trusted_root.prod.json'), 'utf8'));
const bundle = (...p: string[]) => JSON.parse(readFileSync(testdata(...p), 'utf8')) as unknown;

async function cli(...args: string[]) {
  try {
    const { stdout } = await exec(process.execPath, ['--import', 'tsx', 'apps/worker/src/cli/main.ts', ...args], { cwd: repoRoot });
    return { code: 0, lines: stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>) };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, lines: err.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>) };
  }
}

describe('entry inspect on real data', () => {
  it('a GitHub Actions hashedrekord: identity, issuers, named Fulcio extensions, indexes, all checks ok', () => {
    const [r] = inspect(bundle('rekor-v1', 'bundles', 'gha-hashedrekord-rfc8785py-v0.1.2.sigstore.json'), [prod]) as any[];
    expect(r.ok).toBe(true);
    expect(r.event.certificate.sans).toEqual([{ type: 'uri', value: 'https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2' }]);
    expect(r.event.certificate.issuer).toBe('https://token.actions.githubusercontent.com');
    expect(r.event.certificate.chain).toBe('valid');
    const ext = Object.fromEntries((r.fulcioExtensions as { name?: string; value: string }[]).filter((e) => e.name).map((e) => [e.name, e.value]));
    expect(ext['source-repository-uri']).toBe('https://github.com/trailofbits/rfc8785.py');
    expect(ext['source-repository-digest']).toBe('d8b4a6445f38c48b9137a8099706d9b8073146e4');
    expect(ext['run-invocation-uri']).toBe('https://github.com/trailofbits/rfc8785.py/actions/runs/8351058501/attempts/1');
    expect(r.verification.set.status).toBe('ok');
    expect(r.verification.inclusionProof.status).toBe('ok');
    expect(r.verification.checkpoint.status).toBe('ok');
  });

  it('a Rekor v2 entry: shard index, leaf hash, no SET (absent), proof and checkpoint ok', () => {
    const [r] = inspect(bundle('rekor-v2', 'prod', 'email-hashedrekord-v0.0.2-log2025-1.sigstore.json'), [prod]) as any[];
    expect(r.event.log).toEqual({ origin: 'log2025-1.rekor.sigstore.dev', kind: 'rekor-v2' });
    expect(r.event.index).toBe('547661');
    expect(r.event.leafHash).toBe('0d094aafa2975d63a1d2e8dc91bcb6e38902c732f1092a00ce6bf1a7e5af8464');
    expect(r.event.integratedTime).toBeUndefined();
    expect(r.verification.set.status).toBe('absent');
    expect(r.ok).toBe(true);
  });

  it('RFC 3161 time-stamps: verified against the TSA of the trusted root; a changed signature or response fails; no TSA then is unknown', () => {
    const staging = parseTrustedRoot(readFileSync(testdata('rekor-v2', 'staging', 'trusted_root.alpha1.json'), 'utf8'));
    const stamped = bundle('rekor-v2', 'staging', 'gha-beacon-alpha1-29469-tsa-embedded-cert.sigstore.json') as any;
    const [r] = inspect(stamped, [staging]) as any[];
    expect(r.ok).toBe(true);
    expect(r.timestamps).toEqual([{ status: 'ok', time: '2025-08-06T18:51:36.000Z', tsa: 'https://timestamp.sigstage.dev/api/v1/timestamp' }]);
    // Prod: a managed-key bundle stamped by timestamp.sigstore.dev.
    const [m] = inspect(bundle('rekor-v1', 'bundles', 'managed-key-hashedrekord.sigstore.json'), [prod]) as any[];
    expect(m.timestamps).toEqual([{ status: 'ok', time: '2025-12-18T17:04:39.000Z', tsa: 'https://timestamp.sigstore.dev/api/v1/timestamp' }]);

    // The time-stamp covers the signature: another signature makes it fail (imprint mismatch).
    const otherSig = structuredClone(stamped);
    const sig = Buffer.from(otherSig.messageSignature.signature, 'base64');
    sig[sig.length - 1] = (sig[sig.length - 1] as number) ^ 1;
    otherSig.messageSignature.signature = sig.toString('base64');
    const [o] = inspect(otherSig, [staging]) as any[];
    expect(o.ok).toBe(false);
    expect(o.timestamps[0].status).toBe('failed');
    expect(o.timestamps[0].tsa).toBeUndefined();
    expect(o.timestamps[0].reason).toMatch(/timestamp\.sigstage\.dev/);
    // A changed byte in the TSA's signature.
    const forged = structuredClone(stamped);
    const tsr = Buffer.from(forged.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0].signedTimestamp, 'base64');
    tsr[tsr.length - 10] = (tsr[tsr.length - 10] as number) ^ 1;
    forged.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0].signedTimestamp = tsr.toString('base64');
    const [f] = inspect(forged, [staging]) as any[];
    expect(f.ok).toBe(false);
    expect(f.timestamps[0].status).toBe('failed');
    // Under the prod root, whose TSA was valid then but did not sign it: failed.
    const [p] = inspect(stamped, [prod]) as any[];
    expect(p.timestamps[0]).toMatchObject({ status: 'failed', time: '2025-08-06T18:51:36.000Z' });
    // A 2022 stamp: the prod root has no TSA valid then, so nothing to judge it by (the entry's checks decide).
    const [u] = inspect(bundle('rekor-v1', 'bundles', 'email-hashedrekord-6757503.sigstore.json'), [prod]) as any[];
    expect(u.timestamps).toEqual([{ status: 'unknown', time: '2022-11-09T01:33:10.000Z', reason: 'no timestamp authority of the trusted root was valid at that time' }]);
    expect(u.ok).toBe(true);
  });

  it('must-fail entries are reported failed with a typed code, and the CLI exits 1', async () => {
    const file = testdata('rekor-v1', 'negative', 'set-invalid-signature_fail.sigstore.json');
    const { code, lines } = await cli('entry', 'inspect', file, '--trusted-root', testdata('trust', 'trusted_root.prod.json'));
    expect(code).toBe(1);
    expect(lines[0]?.ok).toBe(false);
    expect(lines[0]?.verification.set).toMatchObject({ status: 'failed', code: 'BAD_SIGNATURE' });
  });

  it('bad input: not JSON or no entries is one {ok:false} line and exit 1; bad usage exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigwatch-entry-'));
    writeFileSync(join(dir, 'junk.json'), '{"half":');
    const junk = await cli('entry', 'inspect', join(dir, 'junk.json'));
    expect(junk.code).toBe(1);
    expect(junk.lines[0]).toMatchObject({ ok: false, code: 'MALFORMED_ENTRY' });
    expect((await cli('entry', 'look', join(dir, 'junk.json'))).code).toBe(2);
  });
});

describe('entry inspect on a simulator entry', () => {
  let sim: Simulator;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sigwatch-entry-sim-'));
    sim = await startSimulator({ dir, port: 0, seed: 3 });
  });
  afterAll(async () => sim?.close());

  it('shows exactly the identity and extensions that were appended', async () => {
    const identity = 'https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v9.9.9';
    const extensions = { '1.3.6.1.4.1.57264.1.12': 'https://github.com/acme/widget', '1.3.6.1.4.1.57264.1.14': 'refs/tags/v9.9.9' };
    const [index] = await sim.append('rekor-v1', { count: 1, identity, issuer: 'https://token.actions.githubusercontent.com', extensions });
    const res = await fetch(`${sim.url}/rekor-v1/api/v1/log/entries?logIndex=${index}`);
    const file = join(dir, 'entry.json');
    writeFileSync(file, await res.text());
    const { code, lines } = await cli('entry', 'inspect', file, '--trusted-root', sim.trustedRootPath);
    expect(lines).toHaveLength(1);
    const r = lines[0] as Record<string, any>;
    expect(r.verification.set.status).toBe('ok');
    expect(r.verification.inclusionProof.status).toBe('ok');
    expect(r.verification.checkpoint.status).toBe('ok');
    expect(r.event.certificate.sans).toEqual([{ type: 'uri', value: identity }]);
    expect(r.event.certificate.issuer).toBe('https://token.actions.githubusercontent.com');
    for (const [oid, value] of Object.entries(extensions)) expect(r.event.certificate.extensions[oid]).toBe(value);
    expect(r.event.globalIndex).toBe(String(index));
    expect(code).toBe(0);
  });
});
