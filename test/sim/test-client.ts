/**
 * What a monitoring client does with the simulator, for the simulator's tests: read the trusted root it
 * wrote, fetch and verify checkpoints/STHs, read tiles and entry bundles. Verification is `@sigwatch/tlog`'s;
 * the small CT/tile decoders here throw `TlogError` like the real ones will.
 */
import { readFileSync } from 'node:fs';
import {
  TlogError,
  ecdsaNoteVerifier,
  ed25519NoteVerifier,
  importPublicKey,
  parseTrustedRoot,
  verifyCheckpoint,
  type NoteVerifier,
  type TrustedRoot,
  type VerifiedCheckpoint,
} from '@sigwatch/tlog';
import type { KeyObject } from 'node:crypto';
import type { Simulator } from './server.js';
import { verifySth } from './signing.js';

export interface ClientTrust {
  root: TrustedRoot;
  v1: NoteVerifier;
  v2: NoteVerifier;
  ctKey: KeyObject;
  json: { tlogs: { baseUrl: string; publicKey: { rawBytes: string }; logId: { keyId: string } }[]; ctlogs: { publicKey: { rawBytes: string } }[] };
}

export function clientTrust(sim: Simulator): ClientTrust {
  const json = JSON.parse(readFileSync(sim.trustedRootPath, 'utf8')) as ClientTrust['json'];
  const key = (b64: string) => importPublicKey(new Uint8Array(Buffer.from(b64, 'base64')));
  const host = new URL(sim.url).hostname;
  return {
    root: parseTrustedRoot(json),
    v1: ecdsaNoteVerifier(host, key(json.tlogs[0]!.publicKey.rawBytes)),
    v2: ed25519NoteVerifier(host, key(json.tlogs[1]!.publicKey.rawBytes)),
    ctKey: key(json.ctlogs[0]!.publicKey.rawBytes),
    json,
  };
}

export async function getJson<T = any>(sim: Simulator, path: string, init?: RequestInit): Promise<T> {
  const r = await fetch(sim.url + path, init);
  if (r.status !== 200 && r.status !== 201) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

export async function postJson<T = any>(sim: Simulator, path: string, body: unknown): Promise<T> {
  return getJson<T>(sim, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

export async function getBytes(sim: Simulator, path: string): Promise<Buffer> {
  const r = await fetch(sim.url + path);
  if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`);
  return Buffer.from(await r.arrayBuffer());
}

export async function v1Checkpoint(sim: Simulator, trust: ClientTrust): Promise<VerifiedCheckpoint> {
  const info = await getJson<{ signedTreeHead: string }>(sim, '/rekor-v1/api/v1/log');
  return verifyCheckpoint(info.signedTreeHead, { logKeys: [trust.v1] });
}

export async function v2Checkpoint(sim: Simulator, trust: ClientTrust): Promise<VerifiedCheckpoint> {
  const text = await (await fetch(`${sim.url}/rekor-v2/checkpoint`)).text();
  return verifyCheckpoint(text, { logKeys: [trust.v2], origin: new URL(sim.url).hostname });
}

export interface Sth {
  tree_size: number;
  timestamp: number;
  sha256_root_hash: string;
  tree_head_signature: string;
}

/** Fetches and verifies the CT STH; a bad signature is `BAD_SIGNATURE`. */
export async function ctSth(sim: Simulator, trust: ClientTrust): Promise<Sth> {
  const sth = await getJson<Sth>(sim, '/ct/ct/v1/get-sth');
  if (!verifySth(trust.ctKey, sth)) throw new TlogError('BAD_SIGNATURE', 'STH signature does not verify');
  return sth;
}

/** Splits a hash tile into 32-byte hashes (`MALFORMED_TILE` unless a whole number of hashes). */
export function tileHashes(tile: Buffer): Buffer[] {
  if (tile.length === 0 || tile.length % 32 !== 0 || tile.length > 256 * 32) throw new TlogError('MALFORMED_TILE', `tile of ${tile.length} bytes`);
  return Array.from({ length: tile.length / 32 }, (_, i) => tile.subarray(i * 32, i * 32 + 32));
}

/** Splits an entry bundle (`MALFORMED_TILE` on a truncated entry or a count other than `want`). */
export function bundleEntries(bundle: Buffer, want: number): Buffer[] {
  const out: Buffer[] = [];
  let p = 0;
  while (p < bundle.length) {
    if (p + 2 > bundle.length) throw new TlogError('MALFORMED_TILE', 'truncated entry length');
    const n = bundle.readUInt16BE(p);
    if (p + 2 + n > bundle.length) throw new TlogError('MALFORMED_TILE', 'truncated entry');
    out.push(bundle.subarray(p + 2, p + 2 + n));
    p += 2 + n;
  }
  if (out.length !== want) throw new TlogError('MALFORMED_TILE', `bundle has ${out.length} entries, want ${want}`);
  return out;
}

export interface CtLeaf {
  timestamp: bigint;
  entryType: number;
  /** x509: the certificate DER; precert: the TBS DER. */
  der: Buffer;
  issuerKeyHash?: Buffer;
}

/** Decodes a MerkleTreeLeaf (`MALFORMED_CT` on any defect). */
export function decodeCtLeaf(b: Buffer): CtLeaf {
  const fail = (why: string): never => {
    throw new TlogError('MALFORMED_CT', `MerkleTreeLeaf: ${why}`);
  };
  if (b.length < 12 || b[0] !== 0 || b[1] !== 0) fail('bad version/leaf type');
  const timestamp = b.readBigUInt64BE(2);
  const entryType = b.readUInt16BE(10);
  let p = 12;
  let issuerKeyHash: Buffer | undefined;
  if (entryType === 1) {
    if (b.length < p + 32) fail('truncated issuer_key_hash');
    issuerKeyHash = b.subarray(p, p + 32);
    p += 32;
  } else if (entryType !== 0) fail(`entry type ${entryType}`);
  if (b.length < p + 3) fail('truncated length');
  const n = (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  p += 3;
  if (b.length < p + n + 2) fail('truncated certificate');
  const der = b.subarray(p, p + n);
  p += n;
  const ext = b.readUInt16BE(p);
  if (p + 2 + ext !== b.length) fail('trailing bytes');
  return issuerKeyHash === undefined ? { timestamp, entryType, der } : { timestamp, entryType, der, issuerKeyHash };
}
