/**
 * Normalising Rekor log entries from every shape they reach us in:
 * - Rekor v1 API responses (`GET /api/v1/log/entries…`: `{<uuid>: LogEntryAnon}`, an array of such maps from
 *   `POST /entries/retrieve`, or a bare LogEntryAnon) — rekor `openapi.yaml`;
 * - cosign `rekorBundle`s (`{SignedEntryTimestamp, Payload{body, integratedTime, logIndex, logID}}`), alone or
 *   inside a cosign `--bundle` file;
 * - Sigstore bundles v0.1–v0.3 (`verificationMaterial.tlogEntries[]`, protobuf-specs `TransparencyLogEntry`), for
 *   Rekor v1 and v2 entries, and a bare `TransparencyLogEntry` (Rekor v2 `POST /api/v2/log/entries` response).
 *
 * Everything here is untrusted input: shape errors throw `MALFORMED_ENTRY`; nothing is verified (see
 * `verifyTlogEntry`).
 */
import { TlogError, wrapErrors } from './errors.js';
import { fromBase64, fromHex, fromHexOrBase64, toHex, toU64 } from './encoding.js';
import { hashLeaf } from './hash.js';

export type TlogEntryFormat = 'rekor-v1-api' | 'cosign-rekor-bundle' | 'sigstore-bundle' | 'transparency-log-entry';

export interface TlogInclusionProof {
  /** Index of the leaf inside its shard / tree (NOT the Rekor v1 global index). */
  logIndex: bigint;
  treeSize: bigint;
  rootHash: Uint8Array;
  /** Audit path, leaf upwards. */
  hashes: Uint8Array[];
  /** The signed checkpoint (note text) the proof is for, when present. */
  checkpoint?: string;
}

/** One log entry, normalised. All byte fields are decoded; numbers are bigint. */
export interface TlogEntry {
  /** Which input shape it came from. */
  format: TlogEntryFormat;
  /** Position of this entry in the input (0-based). */
  position: number;
  /** Bundle media type, for Sigstore bundles. */
  mediaType?: string;
  /** The canonicalized entry body: the exact Merkle leaf bytes (canonical JSON for Rekor v1 and v2). */
  body: Uint8Array;
  /** `kind` / `apiVersion` read from the body JSON, when it is JSON with those fields. */
  kind?: string;
  apiVersion?: string;
  /** `kindVersion` declared next to the body (bundles, v2 responses), to be checked against the body. */
  declaredKindVersion?: { kind: string; version: string };
  /** 32-byte log ID: SHA-256 of the log's SPKI (v1, CT) or the checkpoint key ID (Rekor v2). */
  logId: Uint8Array;
  /** Log index: global across shards for Rekor v1, per shard for Rekor v2. */
  logIndex: bigint;
  /** Entry UUID (Rekor v1 API responses): 16-hex tree ID + 64-hex leaf hash, or just the leaf hash. */
  uuid?: string;
  /** Rekor v1 shard (Trillian tree) ID in decimal, from an 80-hex UUID — as in the checkpoint origin. */
  treeId?: string;
  /** Seconds since the epoch. Absent (or 0) for Rekor v2, which has no integrated time. */
  integratedTime?: bigint;
  /** SHA-256(0x00 ‖ body). */
  leafHash: Uint8Array;
  inclusionProof?: TlogInclusionProof;
  /** Signed entry timestamp (inclusion promise): DER ECDSA signature over the canonical SET payload. */
  signedEntryTimestamp?: Uint8Array;
  /** From the enclosing bundle: the signing certificate chain (DER, leaf first) or the public-key hint. */
  verificationMaterial?: { certificates?: Uint8Array[]; publicKeyHint?: string };
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function field(o: Json, key: string, what: string): unknown {
  const v = o[key];
  if (v === undefined || v === null) throw new TlogError('MALFORMED_ENTRY', `${what}: missing "${key}"`);
  return v;
}
function str(o: Json, key: string, what: string): string {
  const v = field(o, key, what);
  if (typeof v !== 'string') throw new TlogError('MALFORMED_ENTRY', `${what}: "${key}" must be a string`);
  return v;
}
/** Integers arrive as JSON numbers (v1 API) or decimal strings (protobuf JSON int64). */
function int(o: Json, key: string, what: string): bigint {
  const v = field(o, key, what);
  if (typeof v !== 'number' && typeof v !== 'string') throw new TlogError('MALFORMED_ENTRY', `${what}: "${key}" must be an integer`);
  return toU64(v, `${what}: ${key}`, 'MALFORMED_ENTRY');
}
function optInt(o: Json, key: string, what: string): bigint | undefined {
  return o[key] === undefined || o[key] === null ? undefined : int(o, key, what);
}

/** Reads `kind`/`apiVersion` from a body if it is a JSON object with them (never throws). */
function bodyKind(body: Uint8Array): { kind?: string; apiVersion?: string } {
  try {
    const j = JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
    if (!isObject(j)) return {};
    const out: { kind?: string; apiVersion?: string } = {};
    if (typeof j['kind'] === 'string') out.kind = j['kind'];
    if (typeof j['apiVersion'] === 'string') out.apiVersion = j['apiVersion'];
    return out;
  } catch {
    return {};
  }
}

function baseEntry(format: TlogEntryFormat, position: number, body: Uint8Array, logId: Uint8Array, logIndex: bigint): TlogEntry {
  if (logId.length !== 32) throw new TlogError('MALFORMED_ENTRY', `log ID must be 32 bytes, got ${logId.length}`);
  return { format, position, body, ...bodyKind(body), logId, logIndex, leafHash: hashLeaf(body) };
}

/** Rekor v1 LogEntryAnon (`body`, `integratedTime`, `logID` hex, `logIndex`, `verification`). */
function fromLogEntryAnon(e: unknown, position: number, uuid: string | undefined): TlogEntry {
  const what = `entry ${uuid ?? position}`;
  if (!isObject(e)) throw new TlogError('MALFORMED_ENTRY', `${what} is not an object`);
  const entry = baseEntry(
    'rekor-v1-api',
    position,
    fromBase64(str(e, 'body', what), 'MALFORMED_ENTRY', `${what} body`),
    fromHex(str(e, 'logID', what), 'MALFORMED_ENTRY', `${what} logID`),
    int(e, 'logIndex', what),
  );
  if (uuid !== undefined) {
    if (!/^([0-9a-fA-F]{64}|[0-9a-fA-F]{80})$/.test(uuid)) throw new TlogError('MALFORMED_ENTRY', `entry UUID "${uuid.slice(0, 100)}" is malformed`);
    entry.uuid = uuid.toLowerCase();
    if (uuid.length === 80) entry.treeId = BigInt(`0x${uuid.slice(0, 16)}`).toString();
  }
  const it = optInt(e, 'integratedTime', what);
  if (it !== undefined) entry.integratedTime = it;
  const ver = e['verification'];
  if (ver !== undefined && ver !== null) {
    if (!isObject(ver)) throw new TlogError('MALFORMED_ENTRY', `${what}: verification must be an object`);
    if (typeof ver['signedEntryTimestamp'] === 'string') {
      entry.signedEntryTimestamp = fromBase64(ver['signedEntryTimestamp'], 'MALFORMED_ENTRY', `${what} signedEntryTimestamp`);
    }
    if (isObject(ver['inclusionProof'])) entry.inclusionProof = inclusionProofFrom(ver['inclusionProof'], what, false);
  }
  return entry;
}

function inclusionProofFrom(p: Json, what: string, protoJson: boolean): TlogInclusionProof {
  const hashes = field(p, 'hashes', `${what} inclusionProof`);
  if (!Array.isArray(hashes)) throw new TlogError('MALFORMED_ENTRY', `${what}: inclusionProof.hashes must be an array`);
  if (hashes.length > 64) throw new TlogError('MALFORMED_ENTRY', `${what}: inclusion proof has ${hashes.length} hashes`);
  const decode = (h: unknown, i: number) => {
    if (typeof h !== 'string') throw new TlogError('MALFORMED_ENTRY', `${what}: inclusionProof.hashes[${i}] must be a string`);
    return protoJson ? fromBase64(h, 'MALFORMED_ENTRY', `${what} proof hash ${i}`) : fromHexOrBase64(h, 'MALFORMED_ENTRY', `${what} proof hash ${i}`);
  };
  const rootStr = str(p, 'rootHash', `${what} inclusionProof`);
  const proof: TlogInclusionProof = {
    logIndex: int(p, 'logIndex', `${what} inclusionProof`),
    treeSize: int(p, 'treeSize', `${what} inclusionProof`),
    rootHash: protoJson ? fromBase64(rootStr, 'MALFORMED_ENTRY', `${what} rootHash`) : fromHexOrBase64(rootStr, 'MALFORMED_ENTRY', `${what} rootHash`),
    hashes: hashes.map(decode),
  };
  const cp = p['checkpoint'];
  if (typeof cp === 'string' && cp !== '') proof.checkpoint = cp;
  else if (isObject(cp) && typeof cp['envelope'] === 'string' && cp['envelope'] !== '') proof.checkpoint = cp['envelope'];
  return proof;
}

/** protobuf-specs TransparencyLogEntry (bundle `tlogEntries[]` item, Rekor v2 create response). */
function fromTransparencyLogEntry(e: unknown, position: number, format: TlogEntryFormat): TlogEntry {
  const what = `tlog entry ${position}`;
  if (!isObject(e)) throw new TlogError('MALFORMED_ENTRY', `${what} is not an object`);
  const logIdObj = field(e, 'logId', what);
  if (!isObject(logIdObj)) throw new TlogError('MALFORMED_ENTRY', `${what}: logId must be an object`);
  const entry = baseEntry(
    format,
    position,
    fromBase64(str(e, 'canonicalizedBody', what), 'MALFORMED_ENTRY', `${what} canonicalizedBody`),
    fromBase64(str(logIdObj, 'keyId', `${what} logId`), 'MALFORMED_ENTRY', `${what} logId.keyId`),
    int(e, 'logIndex', what),
  );
  const it = optInt(e, 'integratedTime', what);
  if (it !== undefined) entry.integratedTime = it;
  const kv = e['kindVersion'];
  if (isObject(kv) && typeof kv['kind'] === 'string' && typeof kv['version'] === 'string') {
    entry.declaredKindVersion = { kind: kv['kind'], version: kv['version'] };
  }
  const promise = e['inclusionPromise'];
  if (isObject(promise) && typeof promise['signedEntryTimestamp'] === 'string') {
    entry.signedEntryTimestamp = fromBase64(promise['signedEntryTimestamp'], 'MALFORMED_ENTRY', `${what} signedEntryTimestamp`);
  }
  if (isObject(e['inclusionProof'])) entry.inclusionProof = inclusionProofFrom(e['inclusionProof'], what, true);
  return entry;
}

/** cosign rekorBundle: {SignedEntryTimestamp, Payload{body, integratedTime, logIndex, logID}}. */
function fromCosignRekorBundle(b: Json, position: number): TlogEntry {
  const what = 'rekorBundle';
  const payload = field(b, 'Payload', what);
  if (!isObject(payload)) throw new TlogError('MALFORMED_ENTRY', 'rekorBundle.Payload must be an object');
  const entry = baseEntry(
    'cosign-rekor-bundle',
    position,
    fromBase64(str(payload, 'body', what), 'MALFORMED_ENTRY', 'rekorBundle body'),
    fromHex(str(payload, 'logID', what), 'MALFORMED_ENTRY', 'rekorBundle logID'),
    int(payload, 'logIndex', what),
  );
  const it = optInt(payload, 'integratedTime', what);
  if (it !== undefined) entry.integratedTime = it;
  if (typeof b['SignedEntryTimestamp'] === 'string') {
    entry.signedEntryTimestamp = fromBase64(b['SignedEntryTimestamp'], 'MALFORMED_ENTRY', 'rekorBundle SignedEntryTimestamp');
  }
  return entry;
}

function bundleMaterial(vm: Json): TlogEntry['verificationMaterial'] {
  const out: NonNullable<TlogEntry['verificationMaterial']> = {};
  const raw = (c: unknown, i: number) => {
    if (!isObject(c) || typeof c['rawBytes'] !== 'string') throw new TlogError('MALFORMED_ENTRY', `bundle certificate ${i} has no rawBytes`);
    return fromBase64(c['rawBytes'], 'MALFORMED_ENTRY', `bundle certificate ${i}`);
  };
  const chain = vm['x509CertificateChain'];
  if (isObject(chain) && Array.isArray(chain['certificates'])) out.certificates = chain['certificates'].map(raw);
  else if (isObject(vm['certificate'])) out.certificates = [raw(vm['certificate'], 0)];
  const pk = vm['publicKey'];
  if (isObject(pk) && typeof pk['hint'] === 'string') out.publicKeyHint = pk['hint'];
  return out;
}

function fromSigstoreBundle(b: Json): TlogEntry[] {
  const vm = field(b, 'verificationMaterial', 'bundle');
  if (!isObject(vm)) throw new TlogError('MALFORMED_ENTRY', 'bundle.verificationMaterial must be an object');
  const entries = vm['tlogEntries'] ?? [];
  if (!Array.isArray(entries)) throw new TlogError('MALFORMED_ENTRY', 'bundle tlogEntries must be an array');
  const material = bundleMaterial(vm);
  return entries.map((e, i) => {
    const entry = fromTransparencyLogEntry(e, i, 'sigstore-bundle');
    entry.mediaType = String(b['mediaType']);
    if (material !== undefined && (material.certificates !== undefined || material.publicKeyHint !== undefined)) entry.verificationMaterial = material;
    return entry;
  });
}

function fromCosignBundle(b: Json): TlogEntry[] {
  const rb = b['rekorBundle'];
  if (!isObject(rb)) throw new TlogError('MALFORMED_ENTRY', 'cosign bundle rekorBundle must be an object');
  const entry = fromCosignRekorBundle(rb, 0);
  if (typeof b['cert'] === 'string') {
    // cosign stores the certificate as base64 of its PEM text.
    const pem = Buffer.from(fromBase64(b['cert'], 'MALFORMED_ENTRY', 'cosign bundle cert')).toString('utf8');
    const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
    if (m?.[1] !== undefined) entry.verificationMaterial = { certificates: [new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'))] };
  }
  return [entry];
}

/** Upper bound on entries accepted from one input (the v1 retrieve API returns at most 10 per query). */
export const MAX_ENTRIES_PER_INPUT = 10_000;

/**
 * Recognises any supported input (parsed JSON or JSON text) and returns its log entries, normalised, in input
 * order. Throws `MALFORMED_ENTRY` for unrecognised or malformed input. Does not verify anything.
 */
export function normalizeTlogEntries(input: unknown): TlogEntry[] {
  const json = typeof input === 'string' || input instanceof Uint8Array
    ? wrapErrors('MALFORMED_ENTRY', 'input is not JSON', () => JSON.parse(typeof input === 'string' ? input : Buffer.from(input).toString('utf8')) as unknown)
    : input;
  const out = wrapErrors('MALFORMED_ENTRY', 'malformed entry', () => dispatch(json));
  if (out.length > MAX_ENTRIES_PER_INPUT) throw new TlogError('MALFORMED_ENTRY', `more than ${MAX_ENTRIES_PER_INPUT} entries`);
  return out.map((e, i) => ({ ...e, position: i }));
}

function dispatch(json: unknown): TlogEntry[] {
  if (Array.isArray(json)) {
    if (json.length > MAX_ENTRIES_PER_INPUT) throw new TlogError('MALFORMED_ENTRY', `more than ${MAX_ENTRIES_PER_INPUT} entries`);
    return json.flatMap((item) => dispatch(item));
  }
  if (!isObject(json)) throw new TlogError('MALFORMED_ENTRY', 'input is not a JSON object or array');
  if (typeof json['mediaType'] === 'string' && json['mediaType'].startsWith('application/vnd.dev.sigstore.bundle')) return fromSigstoreBundle(json);
  if ('rekorBundle' in json) return fromCosignBundle(json);
  if ('Payload' in json && 'SignedEntryTimestamp' in json) return [fromCosignRekorBundle(json, 0)];
  if ('canonicalizedBody' in json) return [fromTransparencyLogEntry(json, 0, 'transparency-log-entry')];
  if ('body' in json && 'logID' in json) return [fromLogEntryAnon(json, 0, undefined)];
  const keys = Object.keys(json);
  if (keys.length > 0 && keys.every((k) => /^[0-9a-fA-F]{64}([0-9a-fA-F]{16})?$/.test(k) && isObject(json[k]))) {
    return keys.map((uuid, i) => fromLogEntryAnon(json[uuid], i, uuid));
  }
  throw new TlogError('MALFORMED_ENTRY', 'unrecognised input: expected a Rekor v1 entries response, a cosign rekorBundle, a Sigstore bundle or a TransparencyLogEntry');
}

/** Leaf hash hex of an entry UUID (its last 64 hex digits). */
export function uuidLeafHash(uuid: string): string {
  return uuid.slice(-64).toLowerCase();
}

/** The canonical JSON the SET signs: {"body","integratedTime","logID"(hex),"logIndex"} (sorted keys, no spaces). */
export function setPayload(entry: Pick<TlogEntry, 'body' | 'integratedTime' | 'logId' | 'logIndex'>): Uint8Array {
  const body = Buffer.from(entry.body).toString('base64');
  const text = `{"body":${JSON.stringify(body)},"integratedTime":${entry.integratedTime ?? 0n},"logID":${JSON.stringify(toHex(entry.logId))},"logIndex":${entry.logIndex}}`;
  return new TextEncoder().encode(text);
}
