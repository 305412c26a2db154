/**
 * Full path: the same CertificateFields via @peculiar/x509 (RFC 5280 decoding by a general ASN.1 library).
 * Used for matched entries and as the oracle that certificate-fast.ts is tested against; it is ~100×
 * slower (bench/parse.bench.ts).
 *
 * Independence from the fast path: the ASN.1 decoding (TBS layout, extensions, names, strings, times,
 * SAN entries) is @peculiar/x509's; only the text policy in certificate-fields.ts (which extensions are
 * raw/DER/hex, DN escaping, serial form) is shared. Two gaps are bridged by hand and said so below:
 * DER-string extension values and OtherName SANs other than UPN, which @peculiar/x509 does not expose.
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { OID_ISSUER_V1, OID_ISSUER_V2, type San } from '@sigwatch/rules';
import { children, expectTlv, oidToString, readTlv, toHex } from './der.js';
import { EntryParseError, guard } from './entry-parse-error.js';
import {
  OID_OTHERNAME_USERNAME,
  formatDn,
  isDerFulcioOid,
  isRawFulcioOid,
  rawText,
  type CertificateFields,
  type DnAttribute,
} from './certificate-fields.js';
import { MAX_CERT_BYTES } from './certificate-fast.js';

const OID_SAN = '2.5.29.17';

const sha256Hex = (b: ArrayBuffer | Uint8Array): string =>
  createHash('sha256').update(b instanceof Uint8Array ? b : new Uint8Array(b)).digest('hex');

/** @peculiar/asn1-x509 model objects reached through @peculiar/x509's (protected) `asn` members. */
interface AsnAttributeValue {
  anyValue?: ArrayBuffer;
  toString(): string;
}
interface AsnExtension {
  extnID: string;
  critical: boolean;
  extnValue: { buffer: ArrayBuffer };
}
type AsnName = { type: string; value: AsnAttributeValue }[][];

/** Parse a DER certificate with @peculiar/x509. Throws EntryParseError on anything malformed. */
export function parseCertificateFull(der: Uint8Array): CertificateFields {
  if (der.length > MAX_CERT_BYTES) throw new EntryParseError('TOO_LARGE', `certificate of ${der.length} bytes`);
  return guard('BAD_DER', 'certificate (@peculiar/x509)', () => {
    const cert = new x509.X509Certificate(der);
    const asnExts = (cert as unknown as { asn: { tbsCertificate: { extensions?: AsnExtension[] } } }).asn.tbsCertificate
      .extensions ?? [];
    const extensions: Record<string, string> = {};
    let sans: San[] = [];
    for (const e of asnExts) {
      if (Object.hasOwn(extensions, e.extnID)) {
        throw new EntryParseError('DUPLICATE_EXTENSION', `extension ${e.extnID} appears twice`);
      }
      const value = new Uint8Array(e.extnValue.buffer);
      extensions[e.extnID] = extensionText(e.extnID, value);
      if (e.extnID === OID_SAN) sans = sansOneByOne(value);
    }
    const fields: CertificateFields = {
      sans,
      extensions,
      subject: dnOf(cert.subjectName),
      issuerDn: dnOf(cert.issuerName),
      serial: cert.serialNumber.toLowerCase(),
      notBefore: isoTime(cert.notBefore),
      notAfter: isoTime(cert.notAfter),
      fingerprintSha256: sha256Hex(der),
      publicKeySha256: sha256Hex(cert.publicKey.rawData),
    };
    const issuer = extensions[OID_ISSUER_V2] ?? extensions[OID_ISSUER_V1];
    if (issuer !== undefined) fields.issuer = issuer;
    return fields;
  });
}

function isoTime(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new EntryParseError('BAD_TIME', 'invalid certificate time');
  return d.toISOString();
}

function extensionText(oid: string, value: Uint8Array): string {
  if (isRawFulcioOid(oid)) return rawText(value);
  if (isDerFulcioOid(oid)) return derStringViaPeculiar(value) ?? rawText(value);
  return toHex(value);
}

/**
 * Decode `value` as one DER string with @peculiar/x509's own string decoder: wrap it as the value of a
 * one-attribute Name (`SEQUENCE { SET { SEQUENCE { 2.5.4.3, value } } }`) and read the attribute back.
 * Undefined when it is not a string (the attribute then holds `anyValue`) or does not decode.
 */
function derStringViaPeculiar(value: Uint8Array): string | undefined {
  const len = (n: number): number[] => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]);
  if (value.length > 0xfff0) return undefined;
  const atv = [0x06, 0x03, 0x55, 0x04, 0x03, ...value];
  const seq = [0x30, ...len(atv.length), ...atv];
  const set = [0x31, ...len(seq.length), ...seq];
  const name = new Uint8Array([0x30, ...len(set.length), ...set]);
  try {
    const attr = (new x509.Name(name) as unknown as { asn: AsnName }).asn[0]?.[0];
    if (!attr || attr.value.anyValue) return undefined;
    return attr.value.toString();
  } catch {
    return undefined;
  }
}

function dnOf(name: x509.Name): string {
  const asn = (name as unknown as { asn: AsnName }).asn;
  return formatDn(
    asn.map((rdn) =>
      rdn.map((a): DnAttribute =>
        a.value.anyValue ? { type: a.type, hex: toHex(new Uint8Array(a.value.anyValue)) } : { type: a.type, text: a.value.toString() },
      ),
    ),
  );
}

const SAN_TYPES: Partial<Record<string, San['type']>> = { dns: 'dns', email: 'email', url: 'uri', ip: 'ip' };

function sanOf(n: x509.GeneralName): San[] {
  const type = SAN_TYPES[n.type];
  if (type) return [{ type, value: n.value }];
  if (n.type === 'upn') return [{ type: 'other', value: `1.3.6.1.4.1.311.20.2.3:${n.value}` }];
  return [];
}

/**
 * GeneralNames one by one: @peculiar/x509's GeneralNames silently drops OtherNames other than UPN/GUID
 * (e.g. Fulcio's .1.7 username) and its GeneralName throws on them, so the SEQUENCE is split here, each
 * name is decoded by @peculiar/x509, and OtherNames are unpacked by hand (see the module comment).
 */
function sansOneByOne(value: Uint8Array): San[] {
  const seq = expectTlv(value, 0, value.length, 0x30, 'GeneralNames');
  const out: San[] = [];
  for (const gn of children(value, seq)) {
    if (gn.tag !== 0xa0) {
      // X.400, directory, EDI-party and registered-ID names are not reported (the fast path skips them too).
      if (gn.tag === 0x81 || gn.tag === 0x82 || gn.tag === 0x86 || gn.tag === 0x87) {
        out.push(...sanOf(new x509.GeneralName(value.slice(gn.start, gn.end))));
      }
      continue;
    }
    const id = expectTlv(value, gn.vstart, gn.end, 0x06, 'OtherName type-id');
    const v = expectTlv(value, id.end, gn.end, 0xa0, 'OtherName value');
    const inner = readTlv(value, v.vstart, v.end);
    const oid = oidToString(value, id);
    const text = derStringViaPeculiar(value.subarray(inner.start, inner.end)) ?? `#${toHex(value, inner.start, inner.end)}`;
    out.push({ type: 'other', value: oid === OID_OTHERNAME_USERNAME ? text : `${oid}:${text}` });
  }
  return out;
}
