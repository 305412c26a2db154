/**
 * Fuzzing over mutated REAL inputs: whatever is done to a checkpoint, note, proof, bundle, CT leaf, tile or
 * trusted root, the library either accepts it or throws a `TlogError` with a code from the closed union —
 * never a SyntaxError / RangeError / TypeError.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../test/harness/paths.js';
import { TLOG_ERROR_CODES, TlogError } from './errors.js';
import { parseCheckpoint, verifyCheckpoint } from './checkpoint.js';
import { parseNote } from './note.js';
import { parseVerifierKey } from './note-keys.js';
import { verifyInclusion } from './inclusion.js';
import { verifyConsistency } from './consistency.js';
import { CompactRange } from './compact-range.js';
import { inspectTlogEntries } from './rekor-verify.js';
import { decodeMerkleTreeLeaf, verifySth } from './ct.js';
import { extractEmbeddedScts, precertTbsCertificate } from './sct.js';
import { parseTilePath, splitEntryBundle, splitHashTile } from './tiles.js';
import { splitDataTile } from './static-ct.js';
import { checkpointVerifiers, parseTrustedRoot } from './trust.js';
import { trustedRootFile } from './testing/testdata-facts.js';

const RUNS = 250;

/** Runs `fn`; passes if it returns or throws a TlogError with a known code. */
function typedOrOk(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof TlogError)) throw new Error(`untyped ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
    expect(TLOG_ERROR_CODES).toContain(err.code);
  }
}

const cpDir = testdata('checkpoints');
const checkpoints = readdirSync(cpDir).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(`${cpDir}/${f}`, 'utf8'));
const logKeys = [
  ...checkpointVerifiers(trustedRootFile('trust', 'trusted_root.prod.json')),
  ...checkpointVerifiers(trustedRootFile('trust', 'trusted_root.staging.json')),
];

/** Text mutations aimed at the note/checkpoint grammar. */
const textMutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), ch: fc.constantFrom('-', '\u2013', '\n', '\r', '\t', ' ', '=', '!', '0', '\u0000', '\uFFFD', 'é', '+') }),
  fc.record({ kind: fc.constant('size' as const), size: fc.constantFrom<string>('0123', '+5', '-1', '18446744073709551616', '99999999999999999999999999', '1e3', '0x10', ' 5', '5 ', '', '00') }),
  fc.record({ kind: fc.constant('dash' as const) }),
  fc.record({ kind: fc.constant('b64' as const), junk: fc.constantFrom('!', '====', 'A', '*', '%%') }),
  fc.record({ kind: fc.constant('dup' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('huge' as const), n: fc.integer({ min: 1, max: 200 }) }),
);
type TextMutation = typeof textMutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, m: TextMutation): string {
  const lines = text.split('\n');
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, m.at % (text.length + 1));
    case 'replace': {
      const i = m.at % Math.max(1, text.length);
      return text.slice(0, i) + m.ch + text.slice(i + 1);
    }
    case 'size':
      lines[1] = m.size;
      return lines.join('\n');
    case 'dash':
      return text.replace(/\u2014/g, '-');
    case 'b64':
      return text.replace(/=\n/, `${m.junk}\n`);
    case 'dup': {
      const i = m.at % lines.length;
      lines.splice(i, 0, lines[i] ?? '');
      return lines.join('\n');
    }
    case 'huge':
      return text + `\u2014 x ${'A'.repeat(8)}\n`.repeat(m.n);
  }
}

describe('fuzz: mutated real checkpoints and notes', () => {
  it('parseNote / parseCheckpoint / verifyCheckpoint throw only TlogError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...checkpoints), textMutation, (text, m) => {
        const bad = mutate(text, m);
        typedOrOk(() => parseNote(bad));
        typedOrOk(() => parseCheckpoint(bad));
        typedOrOk(() => verifyCheckpoint(bad, { logKeys }));
        typedOrOk(() => parseCheckpoint(Buffer.from(bad, 'latin1')));
      }),
      { numRuns: RUNS * 2 },
    );
  });
  it('non-canonical sizes are MALFORMED_CHECKPOINT', () => {
    for (const size of ['0123', '+5', '-1', '18446744073709551616', '1e3', ' 5', '00']) {
      expect(() => parseCheckpoint(mutate(checkpoints[0]!, { kind: 'size', size }))).toThrow(expect.objectContaining({ code: 'MALFORMED_CHECKPOINT' }));
    }
  });
  it('random verifier-key strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 120 }), (s) => typedOrOk(() => parseVerifierKey(s))), { numRuns: RUNS });
    typedOrOk(() => parseVerifierKey('a+00000000+' + Buffer.from([1, 2, 3]).toString('base64')));
  });
});

describe('fuzz: proofs', () => {
  const hash = fc.uint8Array({ minLength: 0, maxLength: 40 });
  const size = fc.oneof(fc.bigInt({ min: -5n, max: 1n << 70n }), fc.constantFrom(Number.NaN, 1e30, -1, 0.5, Number.MAX_SAFE_INTEGER + 2));
  it('inclusion / consistency / compact range with arbitrary sizes, hashes and proof lengths', () => {
    fc.assert(
      fc.property(size, size, fc.array(hash, { maxLength: 80 }), hash, hash, (a, b, proof, h1, h2) => {
        typedOrOk(() => verifyInclusion(a as bigint, b as bigint, h1, proof, h2));
        typedOrOk(() => verifyConsistency(a as bigint, b as bigint, proof, h1, h2));
        typedOrOk(() => CompactRange.fromInclusionProof(a as bigint, b as bigint, h1, proof, h2));
        typedOrOk(() => CompactRange.fromState({ size: String(a), hashes: proof.map((p) => Buffer.from(p).toString('hex')) }));
      }),
      { numRuns: RUNS },
    );
  });
  it('huge proofs are BAD_PROOF_SIZE', () => {
    const big = Array.from({ length: 10_000 }, () => new Uint8Array(32));
    expect(() => verifyInclusion(1, 2, new Uint8Array(32), big, new Uint8Array(32))).toThrow(expect.objectContaining({ code: 'BAD_PROOF_SIZE' }));
    expect(() => verifyConsistency(1, 2, big, new Uint8Array(32), new Uint8Array(32))).toThrow(expect.objectContaining({ code: 'BAD_PROOF_SIZE' }));
  });
});

/** Replaces the value at a random JSON path with a hostile value. */
function mutateJson(v: unknown, path: number[], repl: unknown, depth = 0): unknown {
  if (depth >= path.length || v === null || typeof v !== 'object') return repl;
  const keys = Object.keys(v);
  if (keys.length === 0) return repl;
  const k = keys[(path[depth] ?? 0) % keys.length] as string;
  const copy: Record<string, unknown> = Array.isArray(v) ? ([...v] as unknown as Record<string, unknown>) : { ...(v as Record<string, unknown>) };
  copy[k] = mutateJson((v as Record<string, unknown>)[k], path, repl, depth + 1);
  return copy;
}

const hostile = fc.oneof(
  fc.constantFrom(null, undefined, '', '!!!', 'AAAA', -1, 1e300, '18446744073709551616', '0x10', [], {}, [null], true, '\u2014', 'a'.repeat(5000)),
  fc.string({ maxLength: 50 }),
  fc.integer(),
);

describe('fuzz: mutated real bundles', () => {
  const dirs = ['rekor-v1/bundles', 'rekor-v1/negative', 'rekor-v2/prod', 'rekor-v2/staging'];
  const files = dirs.flatMap((d) => readdirSync(testdata(d)).filter((f) => f.endsWith('.json') && !f.startsWith('trusted')).map((f) => JSON.parse(readFileSync(testdata(d, f), 'utf8')) as unknown));
  const root = trustedRootFile('trust', 'trusted_root.prod.json');
  it('inspectTlogEntries only throws TlogError and never reports an untyped failure', () => {
    fc.assert(
      fc.property(fc.constantFrom(...files), fc.array(fc.nat({ max: 20 }), { minLength: 1, maxLength: 7 }), hostile, (json, path, repl) => {
        typedOrOk(() => {
          for (const r of inspectTlogEntries(mutateJson(json, path, repl), { trustedRoot: root })) {
            for (const c of Object.values(r.checks)) if (c.status === 'failed') expect(c.reason).not.toMatch(/^unexpected error/);
          }
        });
      }),
      { numRuns: RUNS * 2 },
    );
  });
  it('truncated JSON text', () => {
    const text = readFileSync(testdata('rekor-v1', 'bundles', 'email-dsse-v0.3.sigstore.json'), 'utf8');
    fc.assert(fc.property(fc.nat({ max: text.length }), (n) => typedOrOk(() => inspectTlogEntries(text.slice(0, n), { trustedRoot: root }))), { numRuns: 60 });
  });
});

describe('fuzz: CT, tiles, trust roots', () => {
  const entries = (JSON.parse(readFileSync(testdata('ct', 'rfc6962-google-pilot', 'get-entries.x509-2013.json'), 'utf8')) as { entries: { leaf_input: string }[] }).entries;
  const leaf = new Uint8Array(Buffer.from(entries[0]!.leaf_input, 'base64'));
  const certPem = readFileSync(testdata('fulcio', 'certs', 'email-brian-dehamer.leaf.pem'), 'utf8');
  const certDer = new Uint8Array(Buffer.from(certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
  const flip = (b: Uint8Array, at: number, x: number) => {
    const c = b.slice();
    c[at % c.length] = (c[at % c.length] ?? 0) ^ (x | 1);
    return c;
  };
  it('mutated MerkleTreeLeaf, certificate DER, tiles, bundles', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat(), (at, x, cut) => {
        typedOrOk(() => decodeMerkleTreeLeaf(flip(leaf, at, x)));
        typedOrOk(() => decodeMerkleTreeLeaf(leaf.subarray(0, cut % leaf.length)));
        typedOrOk(() => extractEmbeddedScts(flip(certDer, at, x)));
        typedOrOk(() => precertTbsCertificate(certDer.subarray(0, cut % certDer.length)));
        typedOrOk(() => splitEntryBundle(flip(leaf, at, x)));
        typedOrOk(() => splitDataTile(flip(leaf, at, x)));
        typedOrOk(() => splitHashTile(leaf.subarray(0, cut % leaf.length)));
      }),
      { numRuns: RUNS },
    );
  });
  it('random tile paths and STHs', () => {
    const sth = JSON.parse(readFileSync(testdata('ct', 'rfc6962-google-pilot', 'get-sth.3721782.json'), 'utf8')) as unknown;
    const key = readFileSync(testdata('ct', 'rfc6962-google-pilot', 'pilot-pubkey.pem'), 'utf8');
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.array(fc.nat({ max: 5 }), { maxLength: 2 }), hostile, (p, path, repl) => {
        typedOrOk(() => parseTilePath(`tile/${p}`));
        typedOrOk(() => verifySth(mutateJson(sth, path, repl), key));
      }),
      { numRuns: RUNS },
    );
  });
  it('mutated trusted roots', () => {
    const tr = JSON.parse(readFileSync(testdata('trust', 'trusted_root.prod.json'), 'utf8')) as unknown;
    fc.assert(fc.property(fc.array(fc.nat({ max: 10 }), { minLength: 1, maxLength: 6 }), hostile, (path, repl) => typedOrOk(() => parseTrustedRoot(mutateJson(tr, path, repl)))), { numRuns: RUNS });
    typedOrOk(() => parseTrustedRoot('{not json'));
  });
});
