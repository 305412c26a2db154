/** C2SP signed notes and checkpoints: real vectors (testdata/signed-note, consistency/, checkpoints/) + round trips. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../test/harness/paths.js';
import { toHex } from './encoding.js';
import { parseCheckpoint, signCheckpoint, verifyCheckpoint } from './checkpoint.js';
import { addNoteSignatures, parseNote, signNote, verifyNote } from './note.js';
import { ecdsaNoteVerifier, generateNoteKey, parseVerifierKey } from './note-keys.js';

const read = (...p: string[]) => readFileSync(testdata(...p), 'utf8');
const rekorProd = ecdsaNoteVerifier('rekor.sigstore.dev', read('trust', 'keys', 'prod', 'rekor.pub'));
const rekorStaging = ecdsaNoteVerifier('rekor.sigstage.dev', read('trust', 'keys', 'staging', 'rekor.pub'));
const witnessLines = read('signed-note', 'witness-vkeys.txt').trim().split('\n');

describe('C2SP signed-note example', () => {
  const vkey = parseVerifierKey(read('signed-note', 'c2sp-example.vkey').trim());
  const note = read('signed-note', 'c2sp-example.note');
  it('recomputes the key ID 530d903a and verifies', () => {
    expect(toHex(vkey.keyId)).toBe('530d903a');
    const res = verifyNote(note, [vkey]);
    expect(res.verified).toEqual([{ name: 'example.com/foo', keyId: '530d903a', type: 'ed25519' }]);
  });
  it('fails with BAD_SIGNATURE when one character of the text changes', () => {
    expect(() => verifyNote(note.replace('example', 'exbmple'), [vkey])).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
  });
  it('fails with UNKNOWN_KEY without the key', () => {
    expect(() => verifyNote(note, [])).toThrow(expect.objectContaining({ code: 'UNKNOWN_KEY' }));
  });
});

describe('Rekor v1 ECDSA checkpoints', () => {
  const data = JSON.parse(read('consistency', 'rekor-v1-consistency-proofs.json')) as { checkpoints: { treeSize: number; rootHash_hex: string; note: string }[] };
  for (const c of data.checkpoints) {
    it(`size ${c.treeSize} verifies with the prod Rekor key (hint c0d23d6a)`, () => {
      const v = verifyCheckpoint(c.note, { logKeys: [rekorProd] });
      expect(v.checkpoint.size).toBe(BigInt(c.treeSize));
      expect(toHex(v.checkpoint.rootHash)).toBe(c.rootHash_hex);
      expect(v.logSignatures[0]?.keyId).toBe('c0d23d6a');
      expect(read('consistency', `rekor-v1-checkpoint-${c.treeSize}.txt`)).toBe(c.note);
    });
  }
  it('staging checkpoint with no Timestamp line verifies with the staging key only', () => {
    const note = read('checkpoints', 'rekor.sigstage.dev-8050909264565447525-23003647.txt');
    expect(verifyCheckpoint(note, { logKeys: [rekorStaging] }).checkpoint.origin).toBe('rekor.sigstage.dev - 8050909264565447525');
    expect(() => verifyCheckpoint(note, { logKeys: [rekorProd] })).toThrow(expect.objectContaining({ code: 'UNKNOWN_KEY' }));
  });
  it('parses the Timestamp extension line', () => {
    const cp = parseCheckpoint(read('checkpoints', 'rekor.sigstore.dev-2605736670972794746-23082684.txt'));
    expect(cp.extensions).toEqual(['Timestamp: 1689177043498794794']);
    expect(cp.size).toBe(23082684n);
  });
});

describe('witness cosignatures (alpha3 checkpoint)', () => {
  const note = read('checkpoints', 'log2025-alpha3.rekor.sigstage.dev-4026479.txt');
  const logKey = parseVerifierKey(witnessLines.find((l) => l.startsWith('log2025-alpha3')) as string);
  const witnesses = witnessLines.filter((l) => !l.startsWith('log2025-alpha3')).map(parseVerifierKey);
  it('verifies the log signature and all three witnesses with timestamp 1778700214', () => {
    const v = verifyCheckpoint(note, { logKeys: [logKey], witnessKeys: witnesses, witnessQuorum: 3 });
    expect(v.logSignatures.map((s) => s.keyId)).toEqual(['d3d3a70c']);
    expect(v.witnessSignatures.map((s) => [s.name, s.keyId, s.timestamp])).toEqual([
      ['witness.stagemole.eu', '67f7aea0', 1778700214n],
      ['staging.witness.transparency.goog/ring-any-bells', '2e1a8dc9', 1778700214n],
      ['witness.navigli.sunlight.geomys.org', 'a3e00fe2', 1778700214n],
    ]);
  });
  it('ignores the witnesses when their keys are not given', () => {
    const v = verifyCheckpoint(note, { logKeys: [logKey] });
    expect(v.unknownSignatures).toHaveLength(3);
  });
  it('witness signatures alone never suffice', () => {
    expect(() => verifyCheckpoint(note, { logKeys: [], witnessKeys: witnesses })).toThrow(expect.objectContaining({ code: 'UNKNOWN_KEY' }));
  });
  it('parses the C2SP cosignature example (keys unpublished)', () => {
    const n = parseNote(read('signed-note', 'c2sp-tlog-cosignature-example.checkpoint'));
    expect(n.signatures.map((s) => toHex(s.keyId))[1]).toBe('8d66cf3f');
    expect(Buffer.from(n.signatures[1]?.signature.slice(0, 8) ?? []).readBigUInt64BE()).toBe(1679315147n);
  });
});

describe('signing round trips', () => {
  for (const type of ['ed25519', 'ecdsa'] as const) {
    it(`${type}: signCheckpoint → verifyCheckpoint, tamper → BAD_SIGNATURE`, () => {
      const k = generateNoteKey('sim.example/log', type);
      const root = new Uint8Array(32).fill(7);
      const text = signCheckpoint({ origin: 'sim.example/log', size: 12345678901234567n, rootHash: root, extensions: ['x: y'] }, [k.signer]);
      const v = verifyCheckpoint(text, { logKeys: [k.verifier], origin: 'sim.example/log' });
      expect(v.checkpoint.size).toBe(12345678901234567n);
      expect(v.checkpoint.extensions).toEqual(['x: y']);
      expect(() => verifyCheckpoint(text.replace('12345678901234567', '12345678901234568'), { logKeys: [k.verifier] })).toThrow(
        expect.objectContaining({ code: 'BAD_SIGNATURE' }),
      );
      expect(() => verifyCheckpoint(text, { logKeys: [k.verifier], origin: 'other' })).toThrow(expect.objectContaining({ code: 'ORIGIN_MISMATCH' }));
    });
  }
  it('cosignature: a witness adds a line, verifier reports its timestamp', () => {
    const log = generateNoteKey('log.example', 'ed25519');
    const w = generateNoteKey('witness.example', 'cosignature');
    const text = signNote('log.example\n1\n' + Buffer.alloc(32).toString('base64') + '\n', [log.signer]);
    const cosigned = addNoteSignatures(text, [w.signer]);
    const v = verifyCheckpoint(cosigned, { logKeys: [parseVerifierKey(log.vkey as string)], witnessKeys: [parseVerifierKey(w.vkey as string)], witnessQuorum: 1 });
    expect(v.witnessSignatures[0]?.type).toBe('cosignature');
    expect(typeof v.witnessSignatures[0]?.timestamp).toBe('bigint');
  });
});
