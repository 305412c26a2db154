/**
 * RFC 6962 §2.1 / RFC 9162 §2.1.1 Merkle tree hashing with SHA-256:
 * leaf = SHA-256(0x00 ‖ data), interior node = SHA-256(0x01 ‖ left ‖ right), empty tree = SHA-256("").
 */
import { createHash } from 'node:crypto';
import { TlogError } from './errors.js';

export const HASH_SIZE = 32;
const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** Hash of a leaf's bytes (Rekor v1: canonical JSON body; Rekor v2: entry-bundle entry; CT: MerkleTreeLeaf). */
export function hashLeaf(data: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, data);
}

/** Hash of an interior node from its two 32-byte children. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

const EMPTY_ROOT = sha256();

/** Root hash of the empty tree, SHA-256(""). */
export function emptyRoot(): Uint8Array {
  return EMPTY_ROOT.slice();
}

/** Throws `BAD_HASH_SIZE` unless `h` is a 32-byte hash. */
export function assertHash(h: Uint8Array, what: string): void {
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
    throw new TlogError('BAD_HASH_SIZE', `${what} must be ${HASH_SIZE} bytes, got ${h instanceof Uint8Array ? h.length : typeof h}`);
  }
}
