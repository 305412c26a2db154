/**
 * A Fulcio-like certificate authority for the log simulator and the parser tests.
 *
 * Shapes follow real Fulcio output (sigstore/fulcio `docs/oid-info.md`, RFC 5280 profile; compare
 * `../shared/testdata/fulcio/certs/index.json`): a self-signed root and an intermediate (ECDSA P-256),
 * and short-lived (10 minute) code-signing leaves with an empty subject, a critical SAN (URI or e-mail),
 * and the Fulcio OID extensions 1.3.6.1.4.1.57264.1.*: .1.1–.1.6 as RAW UTF-8 bytes (deprecated v1
 * encoding) and .1.8+ as DER UTF8String (v2 encoding).
 *
 * Determinism: CA and leaf keys are derived from a seed (P-256 private scalar = SHA-256(seed ‖ label),
 * re-hashed until it is a valid scalar), serials are derived from the seed and a counter, and validity is
 * taken from the caller. ECDSA signatures themselves are randomised by the platform, so certificate bytes
 * differ between runs while every parsed field is the same. RSA keys (optional, for variety) are
 * generated, not derived.
 */
import 'reflect-metadata';
import { createHash, createPrivateKey, sign as nodeSign, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { FULCIO_OID_PREFIX } from '@sigwatch/rules';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[1]);

const subtle = webcrypto.subtle;
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const P384_ORDER = BigInt(
  '0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
);
const EC_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const TEN_MINUTES_MS = 10 * 60 * 1000;

export type LeafKeyType = 'p256' | 'p384' | 'ed25519' | 'rsa2048';

/** A key pair usable both by @peculiar/x509 (WebCrypto) and by node:crypto (KeyObject). */
export interface SimKeyPair {
  readonly type: LeafKeyType;
  readonly keys: webcrypto.CryptoKeyPair;
  readonly privateKey: KeyObject;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
}

export interface SimCertificate {
  readonly cert: x509.X509Certificate;
  readonly der: Uint8Array;
  readonly pem: string;
}

export interface FulcioCa {
  readonly root: SimCertificate & { readonly key: SimKeyPair };
  readonly intermediate: SimCertificate & { readonly key: SimKeyPair };
  /** Root then intermediate, PEM, as a trusted_root.json `certChain` wants them (base64 DER `rawBytes`). */
  readonly chainPem: readonly string[];
  /** Base64 DER of intermediate then root (Sigstore trusted_root.json order: leaf-most first). */
  readonly trustedRootCertChain: readonly { rawBytes: string }[];
  readonly seed: string;
}

function sha256(...parts: (string | Uint8Array)[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

function sha512(...parts: (string | Uint8Array)[]): Buffer {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Derive a valid EC private scalar of `len` bytes below `order` from a seed and label. */
function deriveScalar(seed: string, label: string, len: number, order: bigint): Buffer {
  for (let i = 0; ; i++) {
    const raw = (len <= 32 ? sha256 : sha512)(seed, '\0', label, '\0', String(i)).subarray(0, len);
    const v = BigInt(`0x${raw.toString('hex')}`);
    if (v > 0n && v < order) return Buffer.from(raw);
  }
}

/** SEC1 ECPrivateKey DER without the optional public key; OpenSSL recomputes the public point. */
function sec1(curveOid: string, d: Buffer): Buffer {
  const oid = Buffer.from(curveOid, 'hex');
  const oidTlv = Buffer.concat([Buffer.from([0x06, oid.length]), oid]);
  const params = Buffer.concat([Buffer.from([0xa0, oidTlv.length]), oidTlv]);
  const body = Buffer.concat([Buffer.from([0x02, 0x01, 0x01, 0x04, d.length]), d, params]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

async function fromKeyObject(type: LeafKeyType, privateKey: KeyObject): Promise<SimKeyPair> {
  const jwk = privateKey.export({ format: 'jwk' });
  const { d: _d, ...pubJwk } = jwk;
  let alg: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams | { name: 'Ed25519' };
  if (type === 'p256') alg = { name: 'ECDSA', namedCurve: 'P-256' };
  else if (type === 'p384') alg = { name: 'ECDSA', namedCurve: 'P-384' };
  else if (type === 'ed25519') alg = { name: 'Ed25519' };
  else alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const priv = await subtle.importKey('jwk', jwk as webcrypto.JsonWebKey, alg, true, ['sign']);
  const pub = await subtle.importKey('jwk', pubJwk as webcrypto.JsonWebKey, alg, true, ['verify']);
  const spki = new Uint8Array(await subtle.exportKey('spki', pub));
  return { type, keys: { privateKey: priv, publicKey: pub } as webcrypto.CryptoKeyPair, privateKey, spki };
}

/**
 * A key pair derived from `seed` and `label` (deterministic for EC and Ed25519; RSA is generated fresh).
 */
export async function deriveKeyPair(seed: string, label: string, type: LeafKeyType = 'p256'): Promise<SimKeyPair> {
  let key: KeyObject;
  if (type === 'p256') {
    key = createPrivateKey({ key: sec1('2a8648ce3d030107', deriveScalar(seed, label, 32, P256_ORDER)), format: 'der', type: 'sec1' });
  } else if (type === 'p384') {
    key = createPrivateKey({ key: sec1('2b81040022', deriveScalar(seed, label, 48, P384_ORDER)), format: 'der', type: 'sec1' });
  } else if (type === 'ed25519') {
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), sha256(seed, '\0', label)]);
    key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  } else {
    const { generateKeyPairSync } = await import('node:crypto');
    key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  }
  return fromKeyObject(type, key);
}

function signingAlgorithm(type: LeafKeyType): webcrypto.Algorithm | webcrypto.EcdsaParams {
  return type === 'p256' || type === 'p384' ? EC_SIGN : type === 'ed25519' ? { name: 'Ed25519' } : { name: 'RSASSA-PKCS1-v1_5' };
}

function toSimCert(cert: x509.X509Certificate): SimCertificate {
  const pem = cert.toString('pem');
  return { cert, der: new Uint8Array(cert.rawData), pem: pem.endsWith('\n') ? pem : `${pem}\n` };
}

/** A serial number (hex, 20 bytes, positive, non-zero first byte) derived from the seed and a label. */
export function deriveSerial(seed: string, label: string): string {
  const b = sha256('serial', '\0', seed, '\0', label).subarray(0, 20);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

export interface CreateCaOptions {
  readonly seed?: string;
  /** Start of the CA validity; default 2020-01-01. Both CA certs are valid for 20 years. */
  readonly notBefore?: Date;
  readonly organization?: string;
}

/** A root + intermediate CA shaped like Fulcio's (`O=sigstore.dev, CN=sigstore` / `CN=sigstore-intermediate`). */
export async function createFulcioCa(options: CreateCaOptions = {}): Promise<FulcioCa> {
  const seed = options.seed ?? 'sigwatch-sim';
  const org = options.organization ?? 'sigstore.dev';
  const notBefore = options.notBefore ?? new Date('2020-01-01T00:00:00Z');
  const notAfter = new Date(notBefore.getTime() + 20 * 365 * 24 * 3600 * 1000);
  const rootKey = await deriveKeyPair(seed, 'root');
  const intKey = await deriveKeyPair(seed, 'intermediate');
  const rootName = `O=${org}, CN=sigstore`;
  const intName = `O=${org}, CN=sigstore-intermediate`;
  const usage = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: deriveSerial(seed, 'root'),
    name: rootName,
    notBefore,
    notAfter,
    keys: rootKey.keys,
    signingAlgorithm: EC_SIGN,
    extensions: [
      new x509.KeyUsagesExtension(usage, true),
      new x509.BasicConstraintsExtension(true, 1, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKey.keys.publicKey),
    ],
  });
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: deriveSerial(seed, 'intermediate'),
    subject: intName,
    issuer: root.subjectName,
    notBefore,
    notAfter,
    publicKey: intKey.keys.publicKey,
    signingKey: rootKey.keys.privateKey,
    signingAlgorithm: EC_SIGN,
    extensions: [
      new x509.KeyUsagesExtension(usage, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning], false),
      new x509.BasicConstraintsExtension(true, 0, true),
      await x509.SubjectKeyIdentifierExtension.create(intKey.keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKey.keys.publicKey),
    ],
  });
  const r = toSimCert(root);
  const i = toSimCert(intermediate);
  return {
    root: { ...r, key: rootKey },
    intermediate: { ...i, key: intKey },
    chainPem: [r.pem, i.pem],
    trustedRootCertChain: [
      { rawBytes: Buffer.from(i.der).toString('base64') },
      { rawBytes: Buffer.from(r.der).toString('base64') },
    ],
    seed,
  };
}

/** Fulcio extension values by dotted OID. .1.1–.1.6 are written raw, everything else as DER UTF8String. */
export type FulcioExtensionValues = Readonly<Record<string, string>>;

const RAW_FULCIO_ARCS = new Set([1, 2, 3, 4, 5, 6]);
const oid = (n: number): string => `${FULCIO_OID_PREFIX}${n}`;

/** DER length octets (definite form). */
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** DER UTF8String (tag 0x0c) holding `s`. */
export function derUtf8String(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([0x0c]), derLength(body.length), body]);
}

/** The X.509 extension carrying one Fulcio value with the encoding Fulcio uses for that OID. */
export function fulcioExtension(dottedOid: string, value: string): x509.Extension {
  const arc = dottedOid.startsWith(FULCIO_OID_PREFIX) ? Number(dottedOid.slice(FULCIO_OID_PREFIX.length)) : NaN;
  const bytes = RAW_FULCIO_ARCS.has(arc) ? Buffer.from(value, 'utf8') : derUtf8String(value);
  return new x509.Extension(dottedOid, false, bytes);
}

export interface GithubIdentity {
  /** The SAN: a workflow URI (`https://github.com/o/r/.github/workflows/w.yml@refs/heads/main`) or an e-mail. */
  readonly identity: string;
  /** OIDC issuer, e.g. `https://token.actions.githubusercontent.com` or `https://accounts.google.com`. */
  readonly issuer: string;
  /** `owner/name`; when given (or derivable from a github.com workflow identity) the workflow extensions are added. */
  readonly repository?: string;
  readonly ref?: string;
  readonly sha?: string;
  /** Workflow display name (.1.4), default "CI". */
  readonly workflow?: string;
  /** Event name (.1.2 / .1.20), default "push". */
  readonly trigger?: string;
  /** Numeric repository / owner ids (.1.15 / .1.17); derived from the repository name when absent. */
  readonly repositoryId?: string;
  readonly ownerId?: string;
  readonly runId?: string;
  readonly visibility?: 'public' | 'private' | 'internal';
  readonly runner?: 'github-hosted' | 'self-hosted';
}

function pseudoNumericId(s: string): string {
  return String(sha256('id', s).readUInt32BE(0) % 900_000_000 + 100_000_000);
}

/**
 * The full Fulcio extension set of an identity, the way GitHub Actions certificates carry it
 * (see testdata fulcio/certs/index.json): e-mail/other identities get only .1.1 and .1.8; a workflow
 * identity gets .1.1–.1.6 raw and .1.8–.1.22 DER.
 */
export function fulcioExtensionsFor(id: GithubIdentity): FulcioExtensionValues {
  const out: Record<string, string> = { [oid(1)]: id.issuer, [oid(8)]: id.issuer };
  const m = /^https:\/\/github\.com\/([^/]+\/[^/]+)\/(\.github\/workflows\/[^@]+)@(.+)$/.exec(id.identity);
  const repository = id.repository ?? m?.[1];
  if (repository === undefined) return out;
  const ref = id.ref ?? m?.[3] ?? 'refs/heads/main';
  const sha = id.sha ?? sha256('sha', repository, ref).toString('hex').slice(0, 40);
  const trigger = id.trigger ?? 'push';
  const workflowName = id.workflow ?? 'CI';
  const owner = repository.split('/')[0] ?? repository;
  const workflowUri = m ? id.identity : `https://github.com/${repository}/.github/workflows/ci.yml@${ref}`;
  const runId = id.runId ?? String(sha256('run', repository, sha).readUInt32BE(0));
  Object.assign(out, {
    [oid(2)]: trigger,
    [oid(3)]: sha,
    [oid(4)]: workflowName,
    [oid(5)]: repository,
    [oid(6)]: ref,
    [oid(9)]: workflowUri,
    [oid(10)]: sha,
    [oid(11)]: id.runner ?? 'github-hosted',
    [oid(12)]: `https://github.com/${repository}`,
    [oid(13)]: sha,
    [oid(14)]: ref,
    [oid(15)]: id.repositoryId ?? pseudoNumericId(repository),
    [oid(16)]: `https://github.com/${owner}`,
    [oid(17)]: id.ownerId ?? pseudoNumericId(owner),
    [oid(18)]: workflowUri,
    [oid(19)]: sha,
    [oid(20)]: trigger,
    [oid(21)]: `https://github.com/${repository}/actions/runs/${runId}/attempts/1`,
    [oid(22)]: id.visibility ?? 'public',
  });
  return out;
}

export type SanSpec = { readonly type: 'uri' | 'email' | 'dns' | 'ip'; readonly value: string };

export interface IssueLeafOptions {
  /** The subject alternative names; Fulcio issues exactly one (URI or e-mail). */
  readonly sans: readonly SanSpec[];
  /** Fulcio extension values by OID (see `fulcioExtensionsFor`). */
  readonly fulcio?: FulcioExtensionValues;
  /** Extra arbitrary extensions (unknown OIDs, for parser tests). */
  readonly extraExtensions?: readonly x509.Extension[];
  /** Leaf key; reuse one per batch when many certificates are made (key generation dominates otherwise). */
  readonly key?: SimKeyPair;
  readonly notBefore?: Date;
  /** Default notBefore + 10 minutes. */
  readonly notAfter?: Date;
  readonly serial?: string;
  /** Subject DN; Fulcio leaves have an empty subject. */
  readonly subject?: string;
  /** Mark the SAN extension critical (Fulcio does, since the subject is empty). Default true. */
  readonly sanCritical?: boolean;
}

/** What signing an entry needs from a leaf: its DER/PEM and its key. */
export interface LeafMaterial {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly key: SimKeyPair;
}

export interface IssuedLeaf extends SimCertificate, LeafMaterial {}

let leafCounter = 0;

const SAN_TYPE: Record<SanSpec['type'], x509.GeneralNameType> = { uri: 'url', email: 'email', dns: 'dns', ip: 'ip' };

/** Issue a Fulcio-shaped code-signing leaf under the CA's intermediate. */
export async function issueLeaf(ca: FulcioCa, options: IssueLeafOptions): Promise<IssuedLeaf> {
  const n = leafCounter++;
  const key = options.key ?? (await deriveKeyPair(ca.seed, `leaf-${n}`));
  const notBefore = options.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + TEN_MINUTES_MS);
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning], false),
    await x509.SubjectKeyIdentifierExtension.create(key.keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.intermediate.key.keys.publicKey),
    new x509.SubjectAlternativeNameExtension(
      options.sans.map((s) => ({ type: SAN_TYPE[s.type], value: s.value })),
      options.sanCritical ?? true,
    ),
  ];
  for (const [o, v] of Object.entries(options.fulcio ?? {})) extensions.push(fulcioExtension(o, v));
  extensions.push(...(options.extraExtensions ?? []));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: options.serial ?? deriveSerial(ca.seed, `leaf-${n}-${notBefore.getTime()}`),
    subject: options.subject ?? '',
    issuer: ca.intermediate.cert.subjectName,
    notBefore,
    notAfter,
    publicKey: key.keys.publicKey,
    signingKey: ca.intermediate.key.keys.privateKey,
    signingAlgorithm: EC_SIGN,
    extensions,
  });
  return { ...toSimCert(cert), key };
}

/** Issue a leaf for a GitHub Actions workflow or e-mail identity with the full Fulcio extension set. */
export async function issueIdentityLeaf(
  ca: FulcioCa,
  id: GithubIdentity,
  options: Omit<IssueLeafOptions, 'sans' | 'fulcio'> = {},
): Promise<IssuedLeaf> {
  const san: SanSpec = id.identity.includes('@') && !id.identity.includes('://')
    ? { type: 'email', value: id.identity }
    : { type: 'uri', value: id.identity };
  return issueLeaf(ca, { ...options, sans: [san], fulcio: fulcioExtensionsFor(id) });
}

export { signingAlgorithm };

// ---------------------------------------------------------------------------------------------------------
// Fast issuance: the same leaf shape, DER-encoded directly (RFC 5280 §4.1) and signed with node:crypto.
// @peculiar/x509's generator costs ~14 ms a certificate here (ASN.1 re-encoding and re-parsing), which makes
// 10,000-certificate tests impossible; this path costs well under 1 ms. It is an independent encoder, so a
// parser checked against @peculiar/x509 on its output is not checked against itself.
// ---------------------------------------------------------------------------------------------------------

/** DER TLV with a definite length. */
export function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

/** DER OBJECT IDENTIFIER content+header for a dotted OID. */
export function derOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const first = arcs[0]! * 40n + arcs[1]!;
  const out: number[] = [];
  for (const arc of [first, ...arcs.slice(2)]) {
    const groups: number[] = [];
    let v = arc;
    do {
      groups.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < groups.length - 1; i++) groups[i]! |= 0x80;
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

function derTime(d: Date): Buffer {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const compact = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = d.getUTCFullYear();
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(compact.slice(2))) : tlv(0x18, Buffer.from(compact));
}

function ipBytes(ip: string): Buffer {
  if (ip.includes('.') && !ip.includes(':')) return Buffer.from(ip.split('.').map((x) => Number(x)));
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

export type FastSan = SanSpec | { readonly type: 'other'; readonly oid: string; readonly value: string };

export interface FastLeafOptions {
  readonly sans: readonly FastSan[];
  readonly fulcio?: FulcioExtensionValues;
  /** Extensions with arbitrary OIDs and raw values (the extnValue OCTET STRING content). */
  readonly extra?: readonly { readonly oid: string; readonly critical?: boolean; readonly value: Uint8Array }[];
  readonly key: SimKeyPair;
  readonly notBefore: Date;
  readonly notAfter?: Date;
  /** Serial INTEGER content bytes as hex (two's complement; a leading 00 keeps it positive). */
  readonly serial?: string;
  /** Subject RDNs, one attribute each, as [OID, value, string tag (default UTF8String 0x0c)]. */
  readonly subject?: readonly (readonly [string, string, number?])[];
  readonly sanCritical?: boolean;
  /** Omit the SAN extension entirely. */
  readonly noSan?: boolean;
}

const ALG_ECDSA_SHA256 = tlv(0x30, derOid('1.2.840.10045.4.3.2'));

function generalName(s: FastSan): Buffer {
  switch (s.type) {
    case 'email':
      return tlv(0x81, Buffer.from(s.value, 'latin1'));
    case 'dns':
      return tlv(0x82, Buffer.from(s.value, 'latin1'));
    case 'uri':
      return tlv(0x86, Buffer.from(s.value, 'latin1'));
    case 'ip':
      return tlv(0x87, ipBytes(s.value));
    case 'other':
      return tlv(0xa0, derOid(s.oid), tlv(0xa0, derUtf8String(s.value)));
  }
}

function extension(oidStr: string, critical: boolean, value: Uint8Array): Buffer {
  return tlv(0x30, derOid(oidStr), ...(critical ? [Buffer.from([0x01, 0x01, 0xff])] : []), tlv(0x04, value));
}

const caNameCache = new WeakMap<FulcioCa, { name: Buffer; aki: Buffer }>();

/** Issue a Fulcio-shaped leaf without @peculiar/x509 (see the section comment). Synchronous. */
export function issueLeafFast(ca: FulcioCa, o: FastLeafOptions): LeafMaterial {
  let cached = caNameCache.get(ca);
  if (!cached) {
    // The authority key identifier must be the issuer's own subject key identifier (RFC 5280 §4.2.1.1), or
    // OpenSSL's issuer check (X509_check_issued) refuses the pair and no chain validates.
    const ski = ca.intermediate.cert.getExtension(x509.SubjectKeyIdentifierExtension);
    const skiKeyId = ski === null ? sha1(ca.intermediate.key.spki) : Buffer.from(ski.keyId, 'hex');
    cached = {
      name: Buffer.from(ca.intermediate.cert.subjectName.toArrayBuffer()),
      aki: tlv(0x30, tlv(0x80, skiKeyId)),
    };
    caNameCache.set(ca, cached);
  }
  const notAfter = o.notAfter ?? new Date(o.notBefore.getTime() + TEN_MINUTES_MS);
  const exts: Buffer[] = [
    extension('2.5.29.15', true, tlv(0x03, Buffer.from([0x07, 0x80]))), // keyUsage digitalSignature
    extension('2.5.29.37', false, tlv(0x30, derOid('1.3.6.1.5.5.7.3.3'))), // EKU codeSigning
    extension('2.5.29.14', false, tlv(0x04, sha1(o.key.spki))),
    extension('2.5.29.35', false, cached.aki),
  ];
  if (!o.noSan) exts.push(extension('2.5.29.17', o.sanCritical ?? true, tlv(0x30, ...o.sans.map(generalName))));
  for (const [k, v] of Object.entries(o.fulcio ?? {})) {
    const arc = Number(k.slice(FULCIO_OID_PREFIX.length));
    exts.push(extension(k, false, RAW_FULCIO_ARCS.has(arc) && k.startsWith(FULCIO_OID_PREFIX) ? Buffer.from(v, 'utf8') : derUtf8String(v)));
  }
  for (const e of o.extra ?? []) exts.push(extension(e.oid, e.critical ?? false, e.value));
  const subject = tlv(
    0x30,
    ...(o.subject ?? []).map(([a, v, tag]) => tlv(0x31, tlv(0x30, derOid(a), tlv(tag ?? 0x0c, Buffer.from(v, 'utf8'))))),
  );
  const serialHex = o.serial ?? deriveSerial(ca.seed, `fast-${leafCounter++}`);
  const tbs = tlv(
    0x30,
    tlv(0xa0, Buffer.from([0x02, 0x01, 0x02])),
    tlv(0x02, Buffer.from(serialHex, 'hex')),
    ALG_ECDSA_SHA256,
    cached.name,
    tlv(0x30, derTime(o.notBefore), derTime(notAfter)),
    subject,
    Buffer.from(o.key.spki),
    tlv(0xa3, tlv(0x30, ...exts)),
  );
  const sig = nodeSign('sha256', tbs, ca.intermediate.key.privateKey);
  const der = tlv(0x30, tbs, ALG_ECDSA_SHA256, tlv(0x03, Buffer.from([0]), sig));
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return {
    der: new Uint8Array(der),
    pem: `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`,
    key: o.key,
  };
}

function sha1(b: Uint8Array): Buffer {
  return createHash('sha1').update(b).digest();
}
