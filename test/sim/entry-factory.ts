/**
 * Makes the leaves each simulated log stores, all real: Fulcio-shaped certificates from `ca.ts` (SAN URI or
 * e-mail, issuer .1.1/.1.8, GitHub workflow extensions) or bare keys, and signed entry bodies from
 * `entries.ts`. Certificates are pooled per identity (a cert is reused while it has > 5 minutes of its
 * 10-minute validity left) and leaf keys come from a small seeded pool, so bulk appends cost about one
 * ECDSA signature per entry (two more per CT certificate).
 * Given the CT log's key, certificates for Rekor entries carry an embedded SCT from it, as Fulcio's do
 * (RFC 6962 §3.3): the SCT signs the precertificate entry (the certificate's TBS without the SCT list) and
 * the certificate is then issued with the list, same serial and validity.
 */
import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { encodeSctList, precertTimestampedEntry, signSct } from '@sigwatch/tlog';
import { deriveKeyPair, fulcioExtensionsFor, issueLeafFast, type FulcioCa, type LeafMaterial, type SimKeyPair } from './ca.js';
import {
  dsseV001,
  hashedRekordV001,
  hashedRekordV002,
  dsseV002,
  intotoV002,
  inTotoStatement,
  type EntrySigner,
} from './entries.js';
import { ctRecord, precertExtraData, precertLeafInput, tbsOf, x509LeafInput, chainBytes } from './ct-leaf.js';
import { defaultIssuer, isEmailIdentity, normalizeExtensions, type EntryKind, type IdentitySpec } from './identities.js';
import type { NewLeaf } from './leaf-store.js';
import { createHash } from 'node:crypto';

export type LogKind = 'rekor-v1' | 'rekor-v2' | 'ct';
export type CtEntryType = 'precert' | 'x509' | 'both';

const KEY_POOL = 16;
const CERT_REUSE_MS = 5 * 60 * 1000;
const POISON_OID = '1.3.6.1.4.1.11129.2.4.3';
const SCT_LIST_OID = '1.3.6.1.4.1.11129.2.4.2';

/** DER OCTET STRING around `content` (the X.509 SCT extension's value wraps the TLS list in one). */
function derOctetString(content: Uint8Array): Buffer {
  const n = content.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([0x04]), len, content]);
}

export class EntryFactory {
  readonly ca: FulcioCa;
  readonly #keys: SimKeyPair[];
  readonly #certs = new Map<string, { leaf: LeafMaterial; notBefore: number }>();
  readonly #ctCerts = new Map<string, { final: LeafMaterial; pre: LeafMaterial; notBefore: number }>();
  #counter = 0;
  readonly #issuerKeyHash: Buffer;
  readonly #issuerKey: KeyObject;
  /** The CT log whose SCTs Rekor entries' certificates embed (none: certificates without SCTs). */
  readonly #ctLog: SimKeyPair | undefined;

  private constructor(ca: FulcioCa, keys: SimKeyPair[], ctLog: SimKeyPair | undefined) {
    this.ca = ca;
    this.#keys = keys;
    this.#issuerKeyHash = createHash('sha256').update(ca.intermediate.key.spki).digest();
    this.#issuerKey = createPublicKey({ key: Buffer.from(ca.intermediate.key.spki), format: 'der', type: 'spki' });
    this.#ctLog = ctLog;
  }

  static async create(ca: FulcioCa, seed: string, ctLog?: SimKeyPair): Promise<EntryFactory> {
    const keys: SimKeyPair[] = [];
    for (let i = 0; i < KEY_POOL; i++) keys.push(await deriveKeyPair(seed, `sim-leaf-key-${i}`));
    return new EntryFactory(ca, keys, ctLog);
  }

  /** A certificate with an SCT from the CT log embedded, as Fulcio issues them (see the file's comment). */
  #issueWithSct(identity: string, ext: Record<string, string>, notBefore: Date, ctLog: SimKeyPair): LeafMaterial {
    const serial = createHash('sha256').update(`sct-serial-${this.#counter++}-${notBefore.getTime()}`).update(randomBytes(8)).digest().subarray(0, 20);
    serial[0] = (serial[0]! & 0x7f) | 0x01;
    const serialHex = serial.toString('hex');
    const withoutSct = this.#issue(identity, ext, notBefore, undefined, serialHex);
    const timestamp = BigInt(notBefore.getTime());
    const sct = signSct(precertTimestampedEntry(withoutSct.der, this.#issuerKey, { timestamp, extensions: new Uint8Array(0) }), ctLog.privateKey, timestamp);
    return this.#issue(identity, ext, notBefore, [{ oid: SCT_LIST_OID, critical: false, value: derOctetString(encodeSctList([sct])) }], serialHex);
  }

  #keyFor(label: string): SimKeyPair {
    const h = createHash('sha256').update(label).digest().readUInt32BE(0);
    return this.#keys[h % this.#keys.length]!;
  }

  #fulcio(spec: IdentitySpec, identity: string): { issuer: string; ext: Record<string, string> } {
    const issuer = spec.issuer ?? defaultIssuer(identity);
    const ext = { ...fulcioExtensionsFor({ identity, issuer }), ...normalizeExtensions(spec.extensions) };
    return { issuer, ext };
  }

  #issue(identity: string, ext: Record<string, string>, notBefore: Date, extra?: { oid: string; critical: boolean; value: Uint8Array }[], serial?: string): LeafMaterial {
    const san = isEmailIdentity(identity) ? ({ type: 'email', value: identity } as const) : ({ type: 'uri', value: identity } as const);
    return issueLeafFast(this.ca, {
      sans: [san],
      fulcio: ext,
      key: this.#keyFor(identity),
      notBefore,
      ...(extra === undefined ? {} : { extra }),
      ...(serial === undefined ? {} : { serial }),
    });
  }

  /** A signer for the identity: a pooled certificate, or a bare key. */
  signer(spec: IdentitySpec, now = Date.now()): EntrySigner {
    if (spec.keyOnly === true || spec.identity === undefined) return { key: this.#keyFor(spec.identity ?? `key-${this.#counter % 4}`) };
    const cacheKey = `${spec.identity}\n${spec.issuer ?? ''}\n${spec.extensions === undefined ? '' : JSON.stringify(spec.extensions)}`;
    const hit = this.#certs.get(cacheKey);
    if (hit !== undefined && now - hit.notBefore < CERT_REUSE_MS) return { leaf: hit.leaf };
    const { ext } = this.#fulcio(spec, spec.identity);
    const notBefore = Math.floor(now / 1000) * 1000 - 1000;
    const leaf = this.#ctLog === undefined ? this.#issue(spec.identity, ext, new Date(notBefore)) : this.#issueWithSct(spec.identity, ext, new Date(notBefore), this.#ctLog);
    if (this.#certs.size > 10_000) this.#certs.clear();
    this.#certs.set(cacheKey, { leaf, notBefore });
    return { leaf };
  }

  #artifact(): Buffer {
    return Buffer.concat([Buffer.from(`sigwatch-sim artifact ${this.#counter++} `), randomBytes(8)]);
  }

  /** One Rekor v1 leaf: canonical body of the requested kind; integrated time in seconds. */
  rekorV1(spec: IdentitySpec, now = Date.now()): NewLeaf & { body: Uint8Array } {
    const signer = this.signer(spec, now);
    const kind: EntryKind = spec.kind ?? 'hashedrekord';
    const artifact = this.#artifact();
    let canonical: Uint8Array;
    if (kind === 'hashedrekord') canonical = hashedRekordV001(artifact, signer).canonical;
    else {
      const digest = createHash('sha256').update(artifact).digest('hex');
      const statement = inTotoStatement(`sim-artifact-${this.#counter}.tgz`, digest);
      canonical = kind === 'dsse' ? dsseV001('application/vnd.in-toto+json', statement, signer).canonical : intotoV002(statement, signer).canonical;
    }
    return { record: canonical, leaf: canonical, body: canonical, time: Math.floor(now / 1000) };
  }

  /** One Rekor v2 leaf: hashedrekord 0.0.2 (or dsse 0.0.2) protojson entry bytes. */
  rekorV2(spec: IdentitySpec, now = Date.now()): NewLeaf {
    const signer = this.signer(spec, now);
    const artifact = this.#artifact();
    let canonical: Uint8Array;
    if (spec.kind === 'dsse' || spec.kind === 'intoto') {
      const digest = createHash('sha256').update(artifact).digest('hex');
      canonical = dsseV002('application/vnd.in-toto+json', inTotoStatement('sim-artifact.tgz', digest), signer).canonical;
    } else {
      canonical = hashedRekordV002(artifact, signer).canonical;
    }
    return { record: canonical, leaf: canonical, time: 0 };
  }

  /**
   * CT leaves for one certificate: a precert entry (TBS without the poison extension = the final
   * certificate's TBS) and/or an x509 entry of the final certificate, both timestamped `now` (ms).
   */
  ct(spec: IdentitySpec, type: CtEntryType, now = Date.now()): NewLeaf[] {
    if (spec.keyOnly === true || spec.identity === undefined) throw new Error('CT entries need a certificate identity (keyOnly is not possible)');
    const { final, pre } = this.#ctPair({ ...spec, identity: spec.identity }, now);
    const chain = [this.ca.intermediate.der, this.ca.root.der];
    const out: NewLeaf[] = [];
    if (type === 'precert' || type === 'both') {
      const leaf = precertLeafInput(now, this.#issuerKeyHash, tbsOf(final.der));
      out.push({ leaf, record: ctRecord(leaf, precertExtraData(pre.der, chain)), time: now });
    }
    if (type === 'x509' || type === 'both') {
      const leaf = x509LeafInput(now, final.der);
      out.push({ leaf, record: ctRecord(leaf, chainBytes(chain)), time: now });
    }
    return out;
  }

  /**
   * A precertificate (with the critical poison extension) and its final certificate: same serial, same TBS
   * otherwise. Pooled per identity like `signer` (bulk appends log the same certificate at new timestamps).
   */
  #ctPair(spec: IdentitySpec & { identity: string }, now: number): { final: LeafMaterial; pre: LeafMaterial } {
    const cacheKey = `${spec.identity}\n${spec.issuer ?? ''}\n${spec.extensions === undefined ? '' : JSON.stringify(spec.extensions)}`;
    const hit = this.#ctCerts.get(cacheKey);
    if (hit !== undefined && now - hit.notBefore < CERT_REUSE_MS) return hit;
    const { ext } = this.#fulcio(spec, spec.identity);
    const notBefore = Math.floor(now / 1000) * 1000 - 1000;
    const serial = createHash('sha256').update(`ct-serial-${this.#counter++}-${now}`).update(randomBytes(8)).digest().subarray(0, 20);
    serial[0] = (serial[0]! & 0x7f) | 0x01;
    const serialHex = serial.toString('hex');
    const final = this.#issue(spec.identity, ext, new Date(notBefore), undefined, serialHex);
    const pre = this.#issue(spec.identity, ext, new Date(notBefore), [{ oid: POISON_OID, critical: true, value: Buffer.from([5, 0]) }], serialHex);
    const pair = { final, pre, notBefore };
    if (this.#ctCerts.size > 10_000) this.#ctCerts.clear();
    this.#ctCerts.set(cacheKey, pair);
    return pair;
  }

  /** A leaf whose bytes are garbage (not JSON / not a MerkleTreeLeaf) — but it is hashed into the tree. */
  garbage(log: LogKind, now = Date.now()): NewLeaf {
    const junk = Buffer.concat([Buffer.from('\u0000GARBAGE{"kind":'), randomBytes(40)]);
    if (log === 'ct') {
      const leaf = Buffer.concat([Buffer.from([7, 9]), junk]);
      return { leaf, record: ctRecord(leaf, Buffer.alloc(0)), time: now };
    }
    return { leaf: junk, record: junk, time: log === 'rekor-v1' ? Math.floor(now / 1000) : 0 };
  }
}
