/**
 * `@sigwatch/tlog` — transparency-log verification in pure TypeScript (no I/O except loading the trusted root
 * embedded in `@sigstore/tuf`). Every failure is a `TlogError` whose `code` is one of the closed
 * `TlogErrorCode` union (errors.ts documents each).
 *
 * Merkle trees (RFC 6962 §2.1 / RFC 9162 §2.1):
 *   hashLeaf(data), hashChildren(l, r), emptyRoot(), sha256(...parts)
 *   CompactRange.empty() / .fromHashes(size, hashes) / .fromState(json) / .fromInclusionProof(i, n, leaf, proof, root?)
 *     range.append(leafHash), range.root(), range.size, range.toJSON()
 *   rootFromInclusionProof(index, size, leafHash, proof) → root
 *   verifyInclusion(index, size, leafHash, proof, root)            throws ROOT_MISMATCH | BAD_PROOF_SIZE | …
 *   verifyConsistency(size1, size2, proof, root1, root2)           throws INCONSISTENT_TREE | BAD_PROOF_SIZE | …
 *
 * C2SP signed notes and checkpoints:
 *   parseNote(text), formatNote(note), verifyNote(text, verifiers), signNote(text, signers), addNoteSignatures(note, signers)
 *   ed25519NoteVerifier / ecdsaNoteVerifier (Rekor v1 key hint) / cosignatureVerifier (0x04) / parseVerifierKey(vkey)
 *   ed25519NoteSigner / ecdsaNoteSigner / cosignatureSigner, generateNoteKey(name, type), formatVerifierKey(...)
 *   parseCheckpoint(text), parseCheckpointBody(text), formatCheckpoint(body), signCheckpoint(body, signers)
 *   verifyCheckpoint(text, {logKeys, witnessKeys?, origin?, witnessQuorum?}) → {checkpoint, logSignatures, witnessSignatures, unknownSignatures}
 *
 * Trust (Sigstore trusted_root.json):
 *   parseTrustedRoot(json), embeddedTrustedRoot(), findTransparencyLog(root, logId, at?), findCtLog(root, logId, at?),
 *   checkpointVerifiers(root, at?), findCheckpointSigner(root, name, keyIdHex), verifyCertificateChain(root, leaf, at, chain?)
 *
 * Rekor entries (v1 API responses, cosign rekorBundles, Sigstore bundles v0.1–v0.3, Rekor v2 entries):
 *   normalizeTlogEntries(input) → TlogEntry[]            (body bytes, kind/apiVersion, logId, logIndex, uuid/treeId,
 *                                                         integratedTime, leafHash, inclusionProof(+checkpoint), SET,
 *                                                         verificationMaterial {certificates, publicKeyHint})
 *   verifyTlogEntry(entry, {trustedRoot?, witnessKeys?}) → {entry, log, checks: {set, inclusionProof, checkpoint, body,
 *                                                         certificate}, verified}   each check ok | failed(code, reason) | absent
 *   inspectTlogEntries(input, opts) = normalize + verify;  setPayload(entry) (canonical SET JSON)
 *
 * Certificate Transparency (RFC 6962) and static CT:
 *   verifySth(getSthJson, key), signSth(treeHead, privateKey), treeHeadSignatureInput(th)
 *   encodeMerkleTreeLeaf / decodeMerkleTreeLeaf / ctLeafHash, decodeExtraData
 *   extractEmbeddedScts(cert), decodeSctList / encodeSctList, precertTbsCertificate(cert), precertificateTbs(preCert), precertTimestampedEntry(...),
 *   verifyEmbeddedSct(...), verifyCertificateScts(root, cert), signSct(entry, key, ts) / verifySct(sct, entry, key)
 *   splitDataTile / joinDataTile / tileLeafHash, leafIndexExtension, rfc6962NoteVerifier / rfc6962NoteSigner (0x05)
 *
 * tlog-tiles:
 *   tilePath(ref), parseTilePath(path), encodeTileIndex(n), tilesForSize(size, level), splitHashTile(tile),
 *   splitEntryBundle(bundle, count?), joinEntryBundle(entries)
 */
export * from './errors.js';
export { toHex, fromHex, toBase64, fromBase64, fromHexOrBase64, bytesEqual, concatBytes, toU64, MAX_U64 } from './encoding.js';
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
