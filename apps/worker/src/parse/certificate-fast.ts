/**
 * Fast path: the fields rules need from an X.509 certificate (RFC 5280 §4.1) by a single DER walk.
 *
 * Why not @peculiar/x509 on the hot path: it decodes every element into objects and re-encodes each
 * extension, ~5 ms a certificate on this machine (bench/parse.bench.ts), while the public logs add
 * ~100 entries/s. This walker reads only the TBS fields below, and is proven equal to
 * certificate-full.ts (@peculiar/x509) on every real certificate in testdata and 10,000 generated ones.
 *
 * Log data is hostile: bounds are checked on every read (der.ts), and any failure is an
 * EntryParseError; a certificate with the same extension twice is rejected (RFC 5280 §4.2) because two
 * readers could then disagree about, e.g., the issuer.
 *
 * `parseTbsFast` handles a TBSCertificate alone (CT precert entries, RFC 6962 §3.2): the fingerprint is
 * then the SHA-256 of the TBS DER.
 */
import { hash } from 'node:crypto';
import type { San } from '@sigwatch/rules';
import { OID_ISSUER_V1, OID_ISSUER_V2 } from '@sigwatch/rules';
import { BytesMemo, asBuffer, children, derFail, expectTlv, oidText, readTlv, readTlvInto, tlvSlot, toHex, type Tlv } from './der.js';
import { EntryParseError } from './entry-parse-error.js';
import {
  OID_OTHERNAME_USERNAME,
  STRING_TAGS,
  decodeDerString,
  formatDn,
  formatIp,
  formatSerial,
  isDerFulcioOid,
  isRawFulcioOid,
  rawText,
  type CertificateFields,
  type DnAttribute,
} from './certificate-fields.js';

const OID_SAN = '2.5.29.17';
/** Largest certificate we accept; real Fulcio leaves are ~1–4 KB. */
export const MAX_CERT_BYTES = 64 * 1024;

// One-shot `crypto.hash` (Node ≥ 20.12): no Hash object per call.
export const sha256Hex = (b: Uint8Array): string => hash('sha256', b, 'hex');

/** Parse a DER certificate. Throws EntryParseError on anything malformed. */
export function parseCertificateFast(bytes: Uint8Array): CertificateFields {
  const der = asBuffer(bytes);
  if (der.length > MAX_CERT_BYTES) throw new EntryParseError('TOO_LARGE', `certificate of ${der.length} bytes`);
  const cert = expectTlv(der, 0, der.length, 0x30, 'Certificate');
  if (cert.end !== der.length) derFail('trailing bytes after Certificate');
  const tbs = expectTlv(der, cert.vstart, cert.end, 0x30, 'TBSCertificate');
  const alg = expectTlv(der, tbs.end, cert.end, 0x30, 'signatureAlgorithm');
  const sig = expectTlv(der, alg.end, cert.end, 0x03, 'signatureValue');
  if (sig.end !== cert.end) derFail('trailing bytes in Certificate');
  return walkTbs(der, tbs, sha256Hex(der));
}

/** Parse a DER TBSCertificate alone (a CT precert leaf). `fingerprintSha256` is over the TBS bytes. */
export function parseTbsFast(bytes: Uint8Array): CertificateFields {
  const der = asBuffer(bytes);
  if (der.length > MAX_CERT_BYTES) throw new EntryParseError('TOO_LARGE', `TBSCertificate of ${der.length} bytes`);
  const tbs = expectTlv(der, 0, der.length, 0x30, 'TBSCertificate');
  if (tbs.end !== der.length) derFail('trailing bytes after TBSCertificate');
  return walkTbs(der, tbs, sha256Hex(der));
}

function walkTbs(buf: Uint8Array, tbs: Tlv, fingerprint: string): CertificateFields {
  let p = tbs.vstart;
  let t = readTlv(buf, p, tbs.end);
  if (t.tag === 0xa0) {
    // [0] EXPLICIT Version: INTEGER inside.
    const v = expectTlv(buf, t.vstart, t.end, 0x02, 'version');
    if (v.end !== t.end) derFail('trailing bytes in version');
    p = t.end;
    t = readTlv(buf, p, tbs.end);
  }
  if (t.tag !== 0x02) derFail('serialNumber: not an INTEGER');
  if (t.end === t.vstart) derFail('serialNumber: empty INTEGER');
  const serial = formatSerial(buf.subarray(t.vstart, t.end));
  const sigAlg = expectTlv(buf, t.end, tbs.end, 0x30, 'signature');
  const issuer = expectTlv(buf, sigAlg.end, tbs.end, 0x30, 'issuer');
  const validity = expectTlv(buf, issuer.end, tbs.end, 0x30, 'validity');
  const subject = expectTlv(buf, validity.end, tbs.end, 0x30, 'subject');
  const spki = expectTlv(buf, subject.end, tbs.end, 0x30, 'subjectPublicKeyInfo');
  const nb = readTlv(buf, validity.vstart, validity.end);
  const na = readTlv(buf, nb.end, validity.end);
  if (na.end !== validity.end) derFail('trailing bytes in validity');

  const extensions: Record<string, string> = {};
  let sans: San[] = [];
  for (p = spki.end; p < tbs.end; ) {
    const opt = readTlv(buf, p, tbs.end);
    p = opt.end;
    if (opt.tag === 0x81 || opt.tag === 0x82 || opt.tag === 0xa1 || opt.tag === 0xa2) continue; // unique IDs
    if (opt.tag !== 0xa3) derFail(`unexpected TBSCertificate field tag 0x${opt.tag.toString(16)}`);
    if (p !== tbs.end) derFail('fields after extensions');
    const list = expectTlv(buf, opt.vstart, opt.end, 0x30, 'Extensions');
    if (list.end !== opt.end) derFail('trailing bytes after Extensions');
    // Walked in place, reading each element into the same three slots: no array and no Tlv objects per
    // extension (a Fulcio certificate has ~19; together a third of what parsing one allocated).
    const ext = tlvSlot();
    const id = tlvSlot();
    const vt = tlvSlot();
    for (let q = list.vstart; q < list.end; ) {
      readTlvInto(buf, q, list.end, ext);
      q = ext.end;
      if (ext.tag !== 0x30) derFail('Extension: not a SEQUENCE');
      readTlvInto(buf, ext.vstart, ext.end, id);
      if (id.tag !== 0x06) derFail(`extnID: tag 0x${id.tag.toString(16)} where 0x6 expected`);
      readTlvInto(buf, id.end, ext.end, vt);
      if (vt.tag === 0x01) {
        if (vt.end - vt.vstart !== 1) derFail('critical: bad BOOLEAN');
        readTlvInto(buf, vt.end, ext.end, vt);
      }
      if (vt.tag !== 0x04) derFail('extnValue: not an OCTET STRING');
      if (vt.end !== ext.end) derFail('trailing bytes in Extension');
      const oid = oidText(buf, id);
      if (Object.hasOwn(extensions, oid)) throw new EntryParseError('DUPLICATE_EXTENSION', `extension ${oid} appears twice`);
      extensions[oid] = extensionText(oid, buf, vt.vstart, vt.end);
      if (oid === OID_SAN) sans = readSans(buf, vt);
    }
  }

  const fields: CertificateFields = {
    sans,
    extensions,
    subject: readDn(buf, subject),
    issuerDn: readDn(buf, issuer),
    serial,
    notBefore: readTime(buf, nb),
    notAfter: readTime(buf, na),
    fingerprintSha256: fingerprint,
    publicKeySha256: sha256Hex(buf.subarray(spki.start, spki.end)),
  };
  const oidcIssuer = extensions[OID_ISSUER_V2] ?? extensions[OID_ISSUER_V1];
  if (oidcIssuer !== undefined) fields.issuer = oidcIssuer;
  return fields;
}

/** How an extension's value is rendered: Fulcio raw bytes, Fulcio DER string, or hex. */
const EXT_RAW = 0;
const EXT_DER = 1;
const EXT_HEX = 2;
type ExtKind = typeof EXT_RAW | typeof EXT_DER | typeof EXT_HEX;
const extKinds = new Map<string, ExtKind>();

/** `isRawFulcioOid` / `isDerFulcioOid` memoised per OID string (bounded: attacker OIDs are not all kept). */
function extKind(oid: string): ExtKind {
  let k = extKinds.get(oid);
  if (k === undefined) {
    k = isRawFulcioOid(oid) ? EXT_RAW : isDerFulcioOid(oid) ? EXT_DER : EXT_HEX;
    if (extKinds.size < 4096) extKinds.set(oid, k);
  }
  return k;
}

function extensionText(oid: string, buf: Uint8Array, start: number, end: number): string {
  const kind = extKind(oid);
  if (kind === EXT_RAW) return rawText(buf, start, end);
  if (kind === EXT_DER) {
    const s = singleDerString(buf, start, end);
    return s ?? rawText(buf, start, end);
  }
  return toHex(buf, start, end);
}

/** The text of `buf[start,end)` when it is exactly one DER string element, else undefined. */
function singleDerString(buf: Uint8Array, start: number, end: number): string | undefined {
  if (end - start < 2 || !STRING_TAGS.has(buf[start]!)) return undefined;
  let t: Tlv;
  try {
    t = readTlv(buf, start, end);
  } catch {
    return undefined;
  }
  if (t.end !== end) return undefined;
  return decodeDerString(t.tag, buf, t.vstart, t.end);
}

/** GeneralNames (RFC 5280 §4.2.1.6). X.400, directory, EDI-party and registered-ID names are skipped. */
function readSans(buf: Uint8Array, octets: Tlv): San[] {
  const seq = expectTlv(buf, octets.vstart, octets.end, 0x30, 'GeneralNames');
  if (seq.end !== octets.end) derFail('trailing bytes after GeneralNames');
  const out: San[] = [];
  for (const gn of children(buf, seq)) {
    switch (gn.tag) {
      case 0x81:
        out.push({ type: 'email', value: decodeDerString(0x16, buf, gn.vstart, gn.end) });
        break;
      case 0x82:
        out.push({ type: 'dns', value: decodeDerString(0x16, buf, gn.vstart, gn.end) });
        break;
      case 0x86:
        out.push({ type: 'uri', value: decodeDerString(0x16, buf, gn.vstart, gn.end) });
        break;
      case 0x87:
        out.push({ type: 'ip', value: formatIp(buf.subarray(gn.vstart, gn.end)) });
        break;
      case 0xa0: {
        // OtherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }
        const id = expectTlv(buf, gn.vstart, gn.end, 0x06, 'OtherName type-id');
        const v = expectTlv(buf, id.end, gn.end, 0xa0, 'OtherName value');
        if (v.end !== gn.end) derFail('trailing bytes in OtherName');
        const inner = readTlv(buf, v.vstart, v.end);
        if (inner.end !== v.end) derFail('trailing bytes in OtherName value');
        const oid = oidText(buf, id);
        const text = STRING_TAGS.has(inner.tag)
          ? decodeDerString(inner.tag, buf, inner.vstart, inner.end)
          : `#${toHex(buf, inner.start, inner.end)}`;
        out.push({ type: 'other', value: oid === OID_OTHERNAME_USERNAME ? text : `${oid}:${text}` });
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/**
 * Names repeat: every Fulcio leaf has its intermediate's issuer name. Memoised by the Name's DER (bounded),
 * which saved walking and formatting it again for each entry.
 */
const dnMemo = new BytesMemo(1024, 512);

/** Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue). */
function readDn(buf: Uint8Array, name: Tlv): string {
  return dnMemo.text(buf, name.start, name.end, formatName);
}

/** The Name whose DER is exactly `buf[start, end)` (a Tlv `readDn` has read already), as text. */
function formatName(buf: Uint8Array, start: number, end: number): string {
  const name = readTlv(buf, start, end);
  const rdns: DnAttribute[][] = [];
  for (const rdn of children(buf, name)) {
    if (rdn.tag !== 0x31) derFail('RelativeDistinguishedName: not a SET');
    const attrs: DnAttribute[] = [];
    for (const atv of children(buf, rdn)) {
      if (atv.tag !== 0x30) derFail('AttributeTypeAndValue: not a SEQUENCE');
      const id = expectTlv(buf, atv.vstart, atv.end, 0x06, 'attribute type');
      const v = readTlv(buf, id.end, atv.end);
      if (v.end !== atv.end) derFail('trailing bytes in AttributeTypeAndValue');
      const type = oidText(buf, id);
      attrs.push(
        STRING_TAGS.has(v.tag)
          ? { type, text: decodeDerString(v.tag, buf, v.vstart, v.end) }
          : { type, hex: toHex(buf, v.start, v.end) },
      );
    }
    rdns.push(attrs);
  }
  return formatDn(rdns);
}

function digits(buf: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = buf[i]! - 0x30;
    if (c < 0 || c > 9) throw new EntryParseError('BAD_TIME', 'non-digit in time');
    v = v * 10 + c;
  }
  return v;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** UTCTime `YYMMDDHHMMSSZ` (RFC 5280 §4.1.2.5.1) or GeneralizedTime `YYYYMMDDHHMMSSZ` (§4.1.2.5.2). */
function readTime(buf: Uint8Array, t: Tlv): string {
  const len = t.end - t.vstart;
  let year: number;
  let at: number;
  if (t.tag === 0x17 && len === 13) {
    const yy = digits(buf, t.vstart, 2);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
    at = t.vstart + 2;
  } else if (t.tag === 0x18 && len === 15) {
    year = digits(buf, t.vstart, 4);
    at = t.vstart + 4;
  } else {
    throw new EntryParseError('BAD_TIME', `time: tag 0x${t.tag.toString(16)} with ${len} bytes`);
  }
  if (buf[t.end - 1] !== 0x5a) throw new EntryParseError('BAD_TIME', 'time does not end in Z');
  const mo = digits(buf, at, 2);
  const d = digits(buf, at + 2, 2);
  const h = digits(buf, at + 4, 2);
  const mi = digits(buf, at + 6, 2);
  const s = digits(buf, at + 8, 2);
  // Common case formatted directly (Date + toISOString cost ~4% of a Rekor v2 entry); anything unusual
  // (years outside 1000–9999, out-of-range fields) takes the Date path below, which also rejects.
  if (year >= 1000 && year <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && s <= 59) {
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    if (d <= (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!)) return `${year}-${pad2(mo)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(s)}.000Z`;
  }
  const ms = Date.UTC(year, mo - 1, d, h, mi, s);
  const date = new Date(ms);
  // Reject values Date.UTC would silently roll over (month 13, 31 February, 24:00, leap seconds).
  if (mo < 1 || mo > 12 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59 || year < 1) {
    throw new EntryParseError('BAD_TIME', 'time out of range');
  }
  return date.toISOString();
}
