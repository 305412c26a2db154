/** tlog-tiles / static-ct-api paths, entry bundles, data tiles and RFC 6962 (type 0x05) checkpoint signatures. */
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeTileIndex, joinEntryBundle, parseTilePath, splitEntryBundle, splitHashTile, tilePath, tilesForSize } from './tiles.js';
import { encodeLeafIndexExtension, joinDataTile, leafIndexExtension, rfc6962NoteSigner, rfc6962NoteVerifier, splitDataTile, tileLeafHash } from './static-ct.js';
import { signCheckpoint, verifyCheckpoint } from './checkpoint.js';
import { ctLeafHash } from './ct.js';
import { sha256 } from './hash.js';

describe('tile paths', () => {
  it('encodes indexes in x-prefixed groups of three', () => {
    expect(encodeTileIndex(1234067)).toBe('x001/x234/067');
    expect(encodeTileIndex(0)).toBe('000');
    expect(encodeTileIndex(1000)).toBe('x001/000');
    expect(tilePath({ kind: 'hash', level: 0, index: 1234067n, width: 256 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ kind: 'hash', level: 2, index: 5n, width: 17 })).toBe('tile/2/005.p/17');
    expect(tilePath({ kind: 'entries', level: 0, index: 1610n, width: 256 })).toBe('tile/entries/x001/610');
    expect(tilePath({ kind: 'data', level: 0, index: 3n, width: 1 })).toBe('tile/data/003.p/1');
  });
  it('parses every path it formats (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('hash', 'entries', 'data'), fc.integer({ min: 0, max: 63 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 1, max: 256 }), (kind, level, index, width) => {
        const ref = { kind: kind as 'hash', level: kind === 'hash' ? level : 0, index, width };
        expect(parseTilePath(tilePath(ref))).toEqual(ref);
      }),
    );
  });
  it('rejects malformed paths with MALFORMED_TILE', () => {
    for (const p of ['tile/0/1234', 'tile/0/x000/001', 'tile/0/001.p/0', 'tile/0/001.p/256', 'tile/64/001', 'tile/0/001/', 'tile/entries/x1/001', '../tile/0/001', 'tile/0/001.p/017']) {
      expect(() => parseTilePath(p), p).toThrow(expect.objectContaining({ code: 'MALFORMED_TILE' }));
    }
  });
  it('tiles for a tree of 70,000 (the static-ct-api example)', () => {
    const l0 = tilesForSize(70000n, 0);
    expect(l0.length).toBe(274);
    expect(l0.at(-1)).toEqual({ kind: 'hash', level: 0, index: 273n, width: 112 });
    expect(tilesForSize(70000n, 1).map((t) => t.width)).toEqual([256, 17]);
    expect(tilesForSize(70000n, 2).map((t) => t.width)).toEqual([1]);
    expect(tilesForSize(256n, 1)).toEqual([{ kind: 'hash', level: 1, index: 0n, width: 1 }]);
  });
  it('hash tiles split into 32-byte hashes', () => {
    expect(splitHashTile(new Uint8Array(64), 2)).toHaveLength(2);
    for (const n of [0, 31, 33, 8224]) expect(() => splitHashTile(new Uint8Array(n))).toThrow(expect.objectContaining({ code: 'MALFORMED_TILE' }));
  });
});

describe('entry bundles', () => {
  it('join/split round trip (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 256 }), (entries) => {
        expect(splitEntryBundle(joinEntryBundle(entries), entries.length).map((e) => Buffer.from(e).toString('hex'))).toEqual(entries.map((e) => Buffer.from(e).toString('hex')));
      }),
      { numRuns: 100 },
    );
  });
  it('truncation, overrun, wrong count → MALFORMED_TILE', () => {
    const b = joinEntryBundle([new Uint8Array([1, 2, 3]), new Uint8Array(0)]);
    expect(() => splitEntryBundle(b.subarray(0, 1))).toThrow(expect.objectContaining({ code: 'MALFORMED_TILE' }));
    expect(() => splitEntryBundle(b.subarray(0, 4))).toThrow(expect.objectContaining({ code: 'MALFORMED_TILE' }));
    expect(() => splitEntryBundle(b, 3)).toThrow(expect.objectContaining({ code: 'MALFORMED_TILE' }));
    expect(() => joinEntryBundle([new Uint8Array(65536)])).toThrow(expect.objectContaining({ code: 'MALFORMED_TILE' }));
  });
});

describe('static CT', () => {
  it('data tiles round trip; leaf_index extension; leaf hash = MerkleTreeLeaf hash', () => {
    const leaves = [
      { timestampedEntry: { timestamp: 1n, entry: { type: 'x509' as const, certificate: new Uint8Array([0x30, 0]) }, extensions: encodeLeafIndexExtension(7n) }, chainFingerprints: [sha256(new Uint8Array([1]))] },
      {
        timestampedEntry: { timestamp: 2n, entry: { type: 'precert' as const, issuerKeyHash: sha256(new Uint8Array([2])), tbsCertificate: new Uint8Array([0x30, 0]) }, extensions: encodeLeafIndexExtension(8n) },
        preCertificate: new Uint8Array([0x30, 1, 0]),
        chainFingerprints: [],
      },
    ];
    const tile = joinDataTile(leaves);
    const back = splitDataTile(tile, 2);
    expect(back.map((l) => leafIndexExtension(l.timestampedEntry.extensions))).toEqual([7n, 8n]);
    expect(back[1]!.preCertificate).toEqual(leaves[1]!.preCertificate);
    expect(tileLeafHash(back[0]!)).toEqual(ctLeafHash(leaves[0]!.timestampedEntry));
    expect(() => splitDataTile(tile.subarray(0, tile.length - 1))).toThrow(expect.objectContaining({ code: 'MALFORMED_TILE' }));
  });
  it('checkpoint signature type 0x05 (RFC 6962 STH in a note) signs and verifies', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const name = 'ct.example/2026h1';
    const text = signCheckpoint({ origin: name, size: 1000n, rootHash: sha256(new Uint8Array([9])), extensions: [] }, [rfc6962NoteSigner(name, privateKey, () => 1700000000123n)]);
    const v = verifyCheckpoint(text, { logKeys: [rfc6962NoteVerifier(name, publicKey)] });
    expect(v.logSignatures[0]).toMatchObject({ type: 'rfc6962-sth', timestamp: 1700000000123n });
    expect(() => verifyCheckpoint(text.replace('\n1000\n', '\n1001\n'), { logKeys: [rfc6962NoteVerifier(name, publicKey)] })).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
  });
});
