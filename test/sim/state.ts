/**
 * The simulator's persistent state directory: `sim.json` (seed, Rekor v1 shards) next to the leaf stores.
 * Every key (logs, CA, leaf key pool) is derived from the seed, so a restart with the same directory serves
 * the same logs with the same keys.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { deriveKeyPair, type SimKeyPair } from './ca.js';

const metaSchema = z.object({
  version: z.literal(1),
  seed: z.string().min(1),
  rekorV1Shards: z.array(z.object({ treeId: z.string().regex(/^[0-9]+$/) })).min(1),
});

export type SimMeta = z.infer<typeof metaSchema>;

/** A Trillian-style tree ID: a positive int64 in decimal, derived from the seed and shard number. */
export function deriveTreeId(seed: string, shard: number): string {
  const v = createHash('sha256').update(`tree-id\0${seed}\0${shard}`).digest().readBigUInt64BE(0) & 0x7fffffffffffffffn;
  return (v === 0n ? 1n : v).toString();
}

export function loadOrCreateMeta(dir: string, seed?: string): SimMeta {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'sim.json');
  if (existsSync(path)) return metaSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const s = seed ?? randomBytes(8).toString('hex');
  const meta: SimMeta = { version: 1, seed: s, rekorV1Shards: [{ treeId: deriveTreeId(s, 0) }] };
  saveMeta(dir, meta);
  return meta;
}

export function saveMeta(dir: string, meta: SimMeta): void {
  const path = join(dir, 'sim.json');
  writeFileSync(`${path}.tmp`, JSON.stringify(meta, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
}

export interface LogKeys {
  rekorV1: SimKeyPair;
  rekorV2: SimKeyPair;
  ct: SimKeyPair;
  /** Keys that are in no trusted root (the unknown-key misbehaviour). */
  rogueRekorV1: SimKeyPair;
  rogueRekorV2: SimKeyPair;
  rogueCt: SimKeyPair;
}

export async function deriveLogKeys(seed: string): Promise<LogKeys> {
  return {
    rekorV1: await deriveKeyPair(seed, 'log-key-rekor-v1', 'p256'),
    rekorV2: await deriveKeyPair(seed, 'log-key-rekor-v2', 'ed25519'),
    ct: await deriveKeyPair(seed, 'log-key-ct', 'p256'),
    rogueRekorV1: await deriveKeyPair(seed, 'rogue-key-rekor-v1', 'p256'),
    rogueRekorV2: await deriveKeyPair(seed, 'rogue-key-rekor-v2', 'ed25519'),
    rogueCt: await deriveKeyPair(seed, 'rogue-key-ct', 'p256'),
  };
}

export function publicKeyObject(k: SimKeyPair): KeyObject {
  return k.privateKey;
}
