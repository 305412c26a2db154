/**
 * What the parser extracts from an X.509 certificate (RFC 5280 §4.1) for the rules, and the text forms
 * both the fast DER walk and the @peculiar/x509 path must agree on.
 *
 * Extension values (`extensions`, keyed by dotted OID), per the Fulcio OID doc (sigstore/fulcio
 * docs/oid-info.md):
 * - Fulcio .1.1–.1.6 hold RAW bytes: the value is their UTF-8 text (hex when not valid UTF-8).
 * - every other Fulcio OID (.1.7+) holds a DER string: its decoded text; when it is not a DER string,
 *   fall back as rekor-monitor does to the raw UTF-8 text, else hex.
 * - any other extension: lower-case hex of the extnValue OCTET STRING content.
 * DER strings decode as asn1js does (UTF8String: UTF-8, or ISO-8859-1 when invalid; IA5/Printable/
 * Teletex: ISO-8859-1; BMPString: UTF-16BE; UniversalString: UTF-32BE code units).
 */
import { FULCIO_OID_PREFIX, type CertificateInfo } from '@sigwatch/rules';
import { latin1Text, strictUtf8, toHex } from './der.js';

/** Everything but `chain` (chain validation happens in the worker, against the trusted root). */
export type CertificateFields = Omit<CertificateInfo, 'chain'>;

const RAW_FULCIO = new Set(['1', '2', '3', '4', '5', '6'].map((n) => `${FULCIO_OID_PREFIX}${n}`));

export function isRawFulcioOid(oid: string): boolean {
  return RAW_FULCIO.has(oid);
}

export function isDerFulcioOid(oid: string): boolean {
  return oid.startsWith(FULCIO_OID_PREFIX) && !RAW_FULCIO.has(oid) && /^\d+$/.test(oid.slice(FULCIO_OID_PREFIX.length));
}

/** Raw bytes (`bytes[start, end)`) as text: UTF-8 when valid, else lower-case hex. */
export function rawText(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return strictUtf8(bytes, start, end) ?? toHex(bytes, start, end);
}

/** Universal tags of the string types decoded to text (X.680 §41). */
export const STRING_TAGS: ReadonlySet<number> = new Set([0x0c, 0x13, 0x14, 0x16, 0x1c, 0x1e]);

/** Decode the content of a DER string of universal `tag` (one of STRING_TAGS) the way asn1js does. */
export function decodeDerString(tag: number, buf: Uint8Array, start: number, end: number): string {
  switch (tag) {
    case 0x0c:
      return strictUtf8(buf, start, end) ?? latin1Text(buf, start, end);
    case 0x1e: {
      let s = '';
      for (let i = start; i + 1 < end; i += 2) s += String.fromCharCode((buf[i]! << 8) | buf[i + 1]!);
      return s;
    }
    case 0x1c: {
      let s = '';
      for (let i = start; i + 3 < end; i += 4) s += String.fromCharCode(((buf[i + 2]! << 8) | buf[i + 3]!) & 0xffff);
      return s;
    }
    default:
      return latin1Text(buf, start, end);
  }
}

const DN_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'E',
  '2.5.4.42': 'G',
  '2.5.4.43': 'I',
  '2.5.4.4': 'SN',
  '2.5.4.12': 'T',
};

/** One attribute of a distinguished name: a decoded string, or the hex of a non-string value's TLV. */
export type DnAttribute = { readonly type: string; readonly text: string } | { readonly type: string; readonly hex: string };

/**
 * RFC 4514-style string in certificate order (as @peculiar/x509 prints it: `O=sigstore.dev,
 * CN=sigstore-intermediate`): short names for common types else the dotted OID, `+` within an RDN,
 * special characters backslash-escaped, control characters as `\XX`, non-string values as `#hex`.
 */
export function formatDn(rdns: readonly (readonly DnAttribute[])[]): string {
  return rdns
    .map((rdn) => rdn.map((a) => `${DN_NAMES[a.type] ?? a.type}=${'hex' in a ? `#${a.hex}` : escapeDnValue(a.text)}`).join('+'))
    .join(', ');
}

// eslint-disable-next-line no-control-regex
const DN_SPECIAL = /[,+"\\<>;\u0000-\u001f\u007f]/;

function escapeDnValue(v: string): string {
  // Most values need no escaping: one scan instead of four replaces.
  if (!DN_SPECIAL.test(v) && v[0] !== ' ' && v[0] !== '#' && v[v.length - 1] !== ' ') return v;
  let out = v.replace(/[,+"\\<>;]/g, '\\$&').replace(/^[ #]/, '\\$&').replace(/ $/, '\\ ');
  // eslint-disable-next-line no-control-regex
  out = out.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return out;
}

/** Serial as lower-case hex of the INTEGER content, without the 0x00 pad that keeps it positive. */
export function formatSerial(content: Uint8Array): string {
  const skip = content.length > 1 && content[0] === 0 && content[1]! > 0x7f ? 1 : 0;
  return toHex(content, skip);
}

/** IP address SAN: dotted IPv4, compressed IPv6 (longest run of ≥2 zero groups as `::`), else `#hex`. */
export function formatIp(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length !== 16) return `#${toHex(b)}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** The Fulcio OtherName SAN (.1.7, a UTF8String username) and other OtherNames: `type: 'other'`. */
export const OID_OTHERNAME_USERNAME = `${FULCIO_OID_PREFIX}7`;
