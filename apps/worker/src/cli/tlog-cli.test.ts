/**
 * CLI tests for `sigwatch checkpoint verify` and `sigwatch consistency verify`, run as a user runs them
 * (`node --import tsx apps/worker/src/cli/main.ts …` from the repository root) on the real testdata.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot, testdata } from '../../../../test/harness/paths.js';

const exec = promisify(execFile);

async function sigwatch(...args: string[]): Promise<{ code: number; out: Record<string, unknown>[]; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', 'apps/worker/src/cli/main.ts', ...args], { cwd: repoRoot });
    return { code: 0, out: parseLines(stdout), stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: parseLines(e.stdout), stderr: e.stderr };
  }
}
const parseLines = (s: string) => s.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

const tmp = mkdtempSync(join(tmpdir(), 'sigwatch-tlog-cli-'));
const data = JSON.parse(readFileSync(testdata('consistency', 'rekor-v1-consistency-proofs.json'), 'utf8')) as {
  consistencyProofs: { firstSize: number; lastSize: number; hashes_hex: string[]; expectValid: boolean }[];
};
const cpFile = (size: number) => testdata('consistency', `rekor-v1-checkpoint-${size}.txt`);

describe('sigwatch checkpoint verify', () => {
  it('verifies a prod Rekor v1 checkpoint with the embedded trusted root', async () => {
    const r = await sigwatch('checkpoint', 'verify', testdata('checkpoints', 'rekor.sigstore.dev-2605736670972794746-23082684.txt'));
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toMatchObject({
      ok: true,
      origin: 'rekor.sigstore.dev - 2605736670972794746',
      size: '23082684',
      rootHash: { base64: 'sY0DimUshCKvflFaqc4Kr0PNN6BBQaYzzHL3TBTDag8=' },
      verifiedBy: [{ name: 'rekor.sigstore.dev', keyId: 'c0d23d6a', log: 'https://rekor.sigstore.dev' }],
    });
  });
  it('verifies the witnessed alpha3 checkpoint with the staging root and witness vkeys', async () => {
    const r = await sigwatch(
      'checkpoint', 'verify', testdata('checkpoints', 'log2025-alpha3.rekor.sigstage.dev-4026479.txt'),
      '--trusted-root', testdata('trust', 'trusted_root.staging.json'),
      '--witness', testdata('signed-note', 'witness-vkeys.txt'),
    );
    expect(r.code).toBe(0);
    expect((r.out[0]?.['witnesses'] as unknown[]).length).toBe(3);
  });
  it('a log2025-1 checkpoint does not verify with the root from before Rekor v2 (exit 1, UNKNOWN_KEY)', async () => {
    const r = await sigwatch('checkpoint', 'verify', testdata('checkpoints', 'log2025-1.rekor.sigstore.dev-412115.txt'), '--trusted-root', testdata('trust', 'trusted_root.prod.before-rekor-v2.json'));
    expect(r.code).toBe(1);
    expect(r.out[0]).toMatchObject({ ok: false, code: 'UNKNOWN_KEY' });
  });
  it('a tampered checkpoint fails with BAD_SIGNATURE; a bad dash with MALFORMED_NOTE', async () => {
    const text = readFileSync(cpFile(76274621), 'utf8');
    const f1 = join(tmp, 'tampered.txt');
    const f2 = join(tmp, 'dash.txt');
    writeFileSync(f1, text.replace('76274621', '76274622'));
    writeFileSync(f2, text.replace('\u2014', '-'));
    const [a, b] = await Promise.all([sigwatch('checkpoint', 'verify', f1), sigwatch('checkpoint', 'verify', f2)]);
    expect([a.code, a.out[0]?.['code']]).toEqual([1, 'BAD_SIGNATURE']);
    expect([b.code, b.out[0]?.['code']]).toEqual([1, 'MALFORMED_NOTE']);
  });
  it('every real checkpoint in testdata/checkpoints verifies with the keys checkpoints/index.json names', async () => {
    const index = JSON.parse(readFileSync(testdata('checkpoints', 'index.json'), 'utf8')) as {
      file: string;
      origin: string;
      treeSize: number;
      rootHash_b64: string;
      signatures: { name: string; keyHint: string; verifiedByTrustedRootLog: string | null; witness: { timestamp: number } | null }[];
    }[];
    const r = await sigwatch(
      'checkpoint', 'verify', ...index.map((c) => testdata(c.file)),
      '--trusted-root', testdata('trust', 'trusted_root.prod.json'),
      '--trusted-root', testdata('trust', 'trusted_root.staging.json'),
      '--trusted-root', testdata('rekor-v2', 'staging', 'trusted_root.alpha1.json'),
      '--witness', testdata('signed-note', 'witness-vkeys.txt'),
    );
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(index.length);
    index.forEach((c, i) => {
      const o = r.out[i] as Record<string, any>;
      expect(o).toMatchObject({ ok: true, origin: c.origin, size: String(c.treeSize), rootHash: { base64: c.rootHash_b64 } });
      const logSigs = c.signatures.filter((s) => s.verifiedByTrustedRootLog !== null);
      expect(o['verifiedBy'].map((v: any) => [v.name, v.keyId, v.log])).toEqual(logSigs.map((s) => [s.name, s.keyHint, s.verifiedByTrustedRootLog!.split(' ')[0]]));
      expect(o['witnesses'].map((w: any) => [w.name, w.timestamp])).toEqual(c.signatures.filter((s) => s.witness !== null).map((s) => [s.name, String(s.witness!.timestamp)]));
    });
  });
  it('bad usage exits 2', async () => {
    const [a, b] = await Promise.all([sigwatch('checkpoint', 'verify'), sigwatch('checkpoint', 'verify', 'x', '--nope')]);
    expect([a.code, b.code]).toEqual([2, 2]);
  });
});

describe('sigwatch consistency verify', () => {
  it('the three real Rekor v1 consistency proofs verify (hex array, {hashes}, base64)', async () => {
    const valid = data.consistencyProofs.filter((p) => p.expectValid);
    const results = await Promise.all(
      valid.map((p, i) => {
        const f = join(tmp, `proof-${i}.json`);
        const hashes = i === 2 ? p.hashes_hex.map((h) => Buffer.from(h, 'hex').toString('base64')) : p.hashes_hex;
        writeFileSync(f, JSON.stringify(i === 1 ? { hashes } : hashes));
        return sigwatch('consistency', 'verify', '--old', cpFile(p.firstSize), '--new', cpFile(p.lastSize), '--proof', f);
      }),
    );
    results.forEach((r, i) => {
      expect(r.code).toBe(0);
      expect(r.out[0]).toMatchObject({ ok: true, origin: 'rekor.sigstore.dev - 2605736670972794746', old: { size: String(valid[i]!.firstSize) }, new: { size: String(valid[i]!.lastSize) } });
    });
  });
  it('the tampered proofs fail with a typed code (exit 1)', async () => {
    const bad = data.consistencyProofs.filter((p) => !p.expectValid);
    const results = await Promise.all(
      bad.map((p, i) => {
        const f = join(tmp, `bad-${i}.json`);
        writeFileSync(f, JSON.stringify(p.hashes_hex));
        return sigwatch('consistency', 'verify', '--old', cpFile(p.firstSize), '--new', cpFile(p.lastSize), '--proof', f);
      }),
    );
    for (const r of results) {
      expect(r.code).toBe(1);
      expect(r.out[0]).toMatchObject({ ok: false, code: expect.stringMatching(/^(INCONSISTENT_TREE|BAD_PROOF_SIZE)$/) });
    }
  });
  it('missing --proof is bad usage (exit 2)', async () => {
    expect((await sigwatch('consistency', 'verify', '--old', cpFile(76274621), '--new', cpFile(76274624))).code).toBe(2);
  });
});
