/**
 * `@sigwatch/tlog` — transparency-log verification, pure TypeScript, no I/O (except loading the trusted root
 * embedded in `@sigstore/tuf`).
 *
 * - Merkle trees (RFC 6962 / RFC 9162): `hashLeaf`, `hashChildren`, `emptyRoot`, `CompactRange`,
 *   `verifyInclusion`, `rootFromInclusionProof`, `verifyConsistency`.
 * - C2SP signed notes and checkpoints: `parseNote`, `verifyNote`, `signNote`, key constructors,
 *   `parseCheckpoint`, `verifyCheckpoint`, `signCheckpoint`.
 * Every failure is a `TlogError` with a code from the closed `TlogErrorCode` union.
 */
export * from './errors.js';
export { toHex, fromHex, toBase64, fromBase64, fromHexOrBase64, bytesEqual, toU64, MAX_U64 } from './encoding.js';
export * from './hash.js';
export * from './compact-range.js';
export * from './inclusion.js';
export * from './consistency.js';
export * from './keys.js';
export * from './note.js';
export * from './note-keys.js';
export * from './checkpoint.js';
export * from './trust.js';
export * from './rekor-entry.js';
export * from './rekor-verify.js';
export * from './ct.js';
export * from './sct.js';
export * from './tiles.js';
export * from './static-ct.js';
