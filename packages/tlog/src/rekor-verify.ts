/**
 * Verification of normalised Rekor entries (`TlogEntry`) against a Sigstore trusted root:
 * - SET: the log's signature over the canonical JSON {body, integratedTime, logID, logIndex} (Rekor v1
 *   `pkg/api/entries.go`, sigstore-js `tlog/set.ts`);
 * - inclusion proof: RFC 9162 §2.1.3 with leaf hash SHA-256(0x00 ‖ body) and the in-shard index;
 * - checkpoint: a C2SP signed note by THIS entry's log (key ID = log ID prefix), whose size and root equal the
 *   inclusion proof's;
 * - body: the declared kind/version (bundles) agree with the body, the UUID (v1 API) names this leaf;
 * - certificate: the bundle's signing certificate chains to a trusted Fulcio CA at the integrated time.
 * Each check reports `ok`, `failed` (typed code + reason) or `absent`; nothing throws for bad entries.
 */
import { isTlogError, TlogError, wrapErrors, type TlogErrorCode } from './errors.js';
import { bytesEqual, toBase64, toHex } from './encoding.js';
import { verifyInclusion } from './inclusion.js';
import { verifyCheckpoint } from './checkpoint.js';
import { verifySignature } from './keys.js';
import type { NoteVerifier } from './note-keys.js';
import { normalizeTlogEntries, setPayload, uuidLeafHash, type TlogEntry } from './rekor-entry.js';
import { X509Certificate } from 'node:crypto';
import { certificateLogging } from './sct.js';
import { checkpointVerifiers, embeddedTrustedRoot, findTransparencyLog, verifyCertificateChain, type TrustedLog, type TrustedRoot } from './trust.js';

export type CheckResult =
  | { status: 'ok'; detail?: string }
  | { status: 'failed'; code: TlogErrorCode; reason: string }
  | { status: 'absent' };

export interface TlogEntryChecks {
  /** Signed entry timestamp (inclusion promise). Absent for Rekor v2 and proof-only bundles. */
  set: CheckResult;
  /** Inclusion proof recomputes the proof's root hash. */
  inclusionProof: CheckResult;
  /** Checkpoint signed by the entry's log and matching the inclusion proof's size and root. */
  checkpoint: CheckResult;
  /** Body consistent with its declared kind/version and UUID. */
  body: CheckResult;
  /**
   * The bundle's signing certificate chains to a trusted Fulcio CA at the entry's integrated time (or, with no
   * integrated time, at the certificate's own notBefore). Identity, not log evidence: not part of `verified`.
   */
  certificate: CheckResult;
  /**
   * The certificate carries an embedded SCT that verifies against a CT log of the trusted root
   * (`certificateLogging`): `failed` (NOT_LOGGED) when it has none although a CT log ran at its notBefore, or
   * only SCTs that fail; `absent` without a certificate that chains, or when no CT log ran then. Identity, not
   * log evidence: not part of `verified`.
   */
  sct: CheckResult;
}

export interface TlogEntryVerification {
  entry: TlogEntry;
  /** The trusted log the entry's log ID resolves to, if any. */
  log?: { baseUrl: string; logId: string; keyDetails: string };
  checks: TlogEntryChecks;
  /**
   * Overall: no check failed, and either the SET verified or both the inclusion proof and the checkpoint did
   * (Rekor v2 entries, which have no SET, always need the proof and the checkpoint).
   */
  verified: boolean;
}

export interface VerifyEntryOptions {
  /** Trust material; defaults to the production root embedded in @sigstore/tuf. */
  trustedRoot?: TrustedRoot;
  /** Witness keys whose cosignatures on entry checkpoints are checked (unknown ones are ignored). */
  witnessKeys?: readonly NoteVerifier[];
}

const ok = (detail?: string): CheckResult => (detail === undefined ? { status: 'ok' } : { status: 'ok', detail });
const absent: CheckResult = { status: 'absent' };

function failed(err: unknown, fallback: TlogErrorCode = 'MALFORMED_ENTRY'): CheckResult {
  if (isTlogError(err)) return { status: 'failed', code: err.code, reason: err.message };
  // Not expected: every decoder throws TlogError. Kept visible (the fuzz test asserts it never happens).
  return { status: 'failed', code: fallback, reason: `unexpected error: ${err instanceof Error ? err.message : String(err)}` };
}

function attempt(fn: () => CheckResult): CheckResult {
  try {
    return fn();
  } catch (err) {
    return failed(err);
  }
}

/** Verifies one normalised entry. Never throws for bad entries: failures are in `checks`. */
export function verifyTlogEntry(entry: TlogEntry, opts: VerifyEntryOptions = {}): TlogEntryVerification {
  const root = opts.trustedRoot ?? embeddedTrustedRoot();
  let log: TrustedLog | undefined;
  let logError: unknown;
  try {
    log = findTransparencyLog(root, entry.logId);
  } catch (err) {
    logError = err;
  }

  const set = entry.signedEntryTimestamp === undefined
    ? absent
    : attempt(() => {
        if (log === undefined) throw logError;
        // The log's key must have been valid when it promised inclusion.
        if (entry.integratedTime !== undefined && entry.integratedTime > 0n) {
          findTransparencyLog(root, entry.logId, new Date(Number(entry.integratedTime) * 1000));
        }
        if (!verifySignature(log.key, setPayload(entry), entry.signedEntryTimestamp as Uint8Array)) {
          throw new TlogError('BAD_SIGNATURE', `signed entry timestamp does not verify with the key of ${log.baseUrl}`);
        }
        return ok();
      });

  const proof = entry.inclusionProof;
  const inclusionProof = proof === undefined
    ? absent
    : attempt(() => {
        verifyInclusion(proof.logIndex, proof.treeSize, entry.leafHash, proof.hashes, proof.rootHash);
        return ok(`leaf ${proof.logIndex} of ${proof.treeSize}`);
      });

  const checkpoint = proof?.checkpoint === undefined
    ? absent
    : attempt(() => {
        if (log === undefined) throw logError;
        const v = verifyCheckpoint(proof.checkpoint as string, { logKeys: checkpointVerifiers(root), witnessKeys: opts.witnessKeys ?? [] });
        // The checkpoint must be signed by the log that holds the entry, not merely by some trusted log.
        const own = v.logSignatures.filter((s) => s.name === log.hostname && s.keyId === toHex(log.logId.slice(0, 4)));
        if (own.length === 0) {
          throw new TlogError('UNKNOWN_KEY', `checkpoint is not signed by the entry's log ${log.baseUrl} (signed by ${v.logSignatures.map((s) => s.name).join(', ')})`);
        }
        const cp = v.checkpoint;
        // Origin: Rekor v2 (tlog-tiles) uses the host; Rekor v1 uses "<host> - <tree ID>", and the tree ID
        // must be the one the entry's UUID names.
        const v1Origin = cp.origin.startsWith(`${log.hostname} - `);
        if (cp.origin !== log.hostname && !v1Origin) {
          throw new TlogError('ORIGIN_MISMATCH', `checkpoint origin "${cp.origin}" does not belong to ${log.baseUrl}`);
        }
        if (v1Origin && entry.treeId !== undefined && cp.origin !== `${log.hostname} - ${entry.treeId}`) {
          throw new TlogError('ORIGIN_MISMATCH', `checkpoint origin "${cp.origin}" is not the tree ${entry.treeId} named by UUID ${entry.uuid ?? ''}`);
        }
        if (cp.size !== proof.treeSize || !bytesEqual(cp.rootHash, proof.rootHash)) {
          throw new TlogError(
            'ENTRY_MISMATCH',
            `checkpoint (size ${cp.size}, root ${toBase64(cp.rootHash)}) does not match the inclusion proof (size ${proof.treeSize}, root ${toBase64(proof.rootHash)})`,
          );
        }
        const witnesses = v.witnessSignatures.length > 0 ? `, cosigned by ${v.witnessSignatures.map((w) => w.name).join(', ')}` : '';
        return ok(`${cp.origin} @ ${cp.size}${witnesses}`);
      });

  const body = attempt(() => {
    const d = entry.declaredKindVersion;
    if (d !== undefined && (d.kind !== entry.kind || d.version !== entry.apiVersion)) {
      throw new TlogError('ENTRY_MISMATCH', `declared ${d.kind} ${d.version} but the body says ${entry.kind ?? '?'} ${entry.apiVersion ?? '?'}`);
    }
    if (entry.uuid !== undefined && uuidLeafHash(entry.uuid) !== toHex(entry.leafHash)) {
      throw new TlogError('ENTRY_MISMATCH', `UUID ${entry.uuid} does not name this body's leaf hash ${toHex(entry.leafHash)}`);
    }
    if (entry.kind === undefined || entry.apiVersion === undefined) throw new TlogError('MALFORMED_ENTRY', 'body is not JSON with kind and apiVersion');
    return ok(`${entry.kind} ${entry.apiVersion}`);
  });

  const certs = entry.verificationMaterial?.certificates;
  let chainIssuer: X509Certificate | undefined;
  const certificate = certs === undefined || certs.length === 0
    ? absent
    : attempt(() => {
        const leaf = certs[0] as Uint8Array;
        const it = entry.integratedTime !== undefined && entry.integratedTime > 0n ? entry.integratedTime : undefined;
        const at = it !== undefined
          ? new Date(Number(it) * 1000)
          : new Date(wrapErrors('MALFORMED_ENTRY', 'certificate does not parse', () => new X509Certificate(Buffer.from(leaf))).validFrom);
        const res = verifyCertificateChain(root, leaf, at, certs.slice(1));
        chainIssuer = res.path[1];
        return ok(`${res.authority.uri} (${res.authority.subject}) at ${at.toISOString()}${it === undefined ? ' (certificate notBefore: no trusted time)' : ''}`);
      });

  const leafCert = certs?.[0];
  const sct = certificate.status !== 'ok' || leafCert === undefined
    ? absent
    : attempt(() => {
        const notBefore = new Date(new X509Certificate(Buffer.from(leafCert)).validFrom);
        const logging = certificateLogging(root, leafCert, notBefore, chainIssuer);
        if (logging.status === 'logged') return ok(`${logging.log} at ${new Date(Number(logging.timestamp)).toISOString()}`);
        if (logging.status === 'no-ct-log') return absent;
        throw new TlogError('NOT_LOGGED', logging.reason);
      });

  const checks: TlogEntryChecks = { set, inclusionProof, checkpoint, body, certificate, sct };
  const anyFailed = [set, inclusionProof, checkpoint, body].some((c) => c.status === 'failed');
  const proven = inclusionProof.status === 'ok' && checkpoint.status === 'ok';
  const verified = !anyFailed && (set.status === 'ok' || proven);
  const result: TlogEntryVerification = { entry, checks, verified };
  if (log !== undefined) result.log = { baseUrl: log.baseUrl, logId: toBase64(log.logId), keyDetails: log.keyDetails };
  return result;
}

/**
 * Normalises any supported input (see `normalizeTlogEntries`) and verifies each entry. Throws
 * `MALFORMED_ENTRY` only if the input as a whole is not recognisable; per-entry problems are in the results.
 */
export function inspectTlogEntries(input: unknown, opts: VerifyEntryOptions = {}): TlogEntryVerification[] {
  return normalizeTlogEntries(input).map((e) => verifyTlogEntry(e, opts));
}
