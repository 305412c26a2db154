/** transparency-dev/merkle proof vectors (testdata/merkle): each file passes or fails exactly as it says. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../test/harness/paths.js';
import { fromHex, toHex } from './encoding.js';
import { TlogError } from './errors.js';
import { emptyRoot, hashLeaf } from './hash.js';
import { CompactRange } from './compact-range.js';
import { verifyConsistency } from './consistency.js';
import { verifyInclusion } from './inclusion.js';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.json') ? [p] : [];
  });
}
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

interface InclusionProbe { leafIdx: number; treeSize: number; root: string; leafHash: string; proof: string[] | null; desc: string; wantErr: boolean }
interface ConsistencyProbe { size1: number; size2: number; root1: string; root2: string; proof: string[] | null; desc: string; wantErr: boolean }

const base = testdata('merkle', 'transparency-dev');
const inclusionFiles = walk(join(base, 'inclusion'));
const consistencyFiles = walk(join(base, 'consistency'));

describe('transparency-dev inclusion vectors', () => {
  it('has vectors', () => expect(inclusionFiles.length).toBeGreaterThan(50));
  for (const f of inclusionFiles) {
    const v = JSON.parse(readFileSync(f, 'utf8')) as InclusionProbe;
    it(`${f.slice(base.length + 1)}: ${v.desc} → ${v.wantErr ? 'fails' : 'verifies'}`, () => {
      const run = () => verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root));
      if (v.wantErr) expect(run).toThrow(TlogError);
      else expect(run).not.toThrow();
    });
  }
});

describe('transparency-dev consistency vectors', () => {
  it('has vectors', () => expect(consistencyFiles.length).toBeGreaterThan(50));
  for (const f of consistencyFiles) {
    const v = JSON.parse(readFileSync(f, 'utf8')) as ConsistencyProbe;
    it(`${f.slice(base.length + 1)}: ${v.desc} → ${v.wantErr ? 'fails' : 'verifies'}`, () => {
      const run = () => verifyConsistency(v.size1, v.size2, (v.proof ?? []).map(b64), b64(v.root1), b64(v.root2));
      if (v.wantErr) expect(run).toThrow(TlogError);
      else expect(run).not.toThrow();
    });
  }
});

describe('RFC 6962 reference tree', () => {
  const ref = JSON.parse(readFileSync(testdata('merkle', 'rfc6962-reference-tree.json'), 'utf8')) as Record<string, unknown>;
  const inputs = (ref['leafInputs_hex'] as string[]).map((h) => fromHex(h));
  const leafHashes = ref['leafHashes_hex'] as string[];
  const roots = ref['rootHashesBySize_hex'] as string[];

  it('leaf hashes', () => {
    expect(inputs.map((i) => toHex(hashLeaf(i)))).toEqual(leafHashes);
  });
  it('empty root', () => expect(toHex(emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'));
  it('compact range root at every size 0..8', () => {
    expect(roots.length).toBe(9);
    const r = CompactRange.empty();
    expect(toHex(r.root())).toBe(roots[0]);
    inputs.forEach((input, i) => {
      r.append(hashLeaf(input));
      expect(toHex(r.root())).toBe(roots[i + 1]);
    });
  });
});
