/**
 * Verifier material found in Rekor bodies → a certificate (via the fast DER walk) or a public key:
 * - PEM `CERTIFICATE` / DER certificate → CertificateFields;
 * - PEM `PUBLIC KEY` / DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) → SHA-256 of the SPKI DER + key type;
 * - OpenPGP armored public key (RFC 4880 §6.2, packets §4.2, User ID packets §5.11) → SHA-256 of the
 *   binary key block, User IDs as subjects;
 * - OpenSSH `authorized_keys` line (`<type> <base64 blob> [comment]`, RFC 4253 §6.6) → SHA-256 of the
 *   blob, comment as subject.
 * Anything else is EntryParseError('BAD_KEY'); the input is attacker-chosen.
 */
import { createHash } from 'node:crypto';
import type { PublicKeyInfo } from '@sigwatch/rules';
import { expectTlv, oidToString, readTlv } from './der.js';
import { EntryParseError } from './entry-parse-error.js';
import { parseCertificateFast, sha256Hex } from './certificate-fast.js';
import type { CertificateFields } from './certificate-fields.js';
import { base64Bytes } from './json-fields.js';

export type Signer = { readonly certificate: CertificateFields } | { readonly publicKey: PublicKeyInfo };


const KEY_TYPES: Readonly<Record<string, string>> = {
  '1.2.840.10045.2.1': 'ecdsa',
  '1.2.840.113549.1.1.1': 'rsa',
  '1.3.101.112': 'ed25519',
  '1.3.101.113': 'ed448',
};

/** A DER SubjectPublicKeyInfo → fingerprint and key type (ecdsa-P-256 etc. where the curve is named). */
export function spkiInfo(der: Uint8Array): PublicKeyInfo {
  const spki = expectTlv(der, 0, der.length, 0x30, 'SubjectPublicKeyInfo');
  if (spki.end !== der.length) throw new EntryParseError('BAD_KEY', 'trailing bytes after SubjectPublicKeyInfo');
  const alg = expectTlv(der, spki.vstart, spki.end, 0x30, 'AlgorithmIdentifier');
  const oid = oidToString(der, expectTlv(der, alg.vstart, alg.end, 0x06, 'algorithm'));
  expectTlv(der, alg.end, spki.end, 0x03, 'subjectPublicKey');
  let keyType = KEY_TYPES[oid] ?? oid;
  if (keyType === 'ecdsa') {
    const p = readTlv(der, expectTlv(der, alg.vstart, alg.end, 0x06, 'algorithm').end, alg.end);
    const curve = p.tag === 0x06 ? oidToString(der, p) : '';
    keyType = { '1.2.840.10045.3.1.7': 'ecdsa-p256', '1.3.132.0.34': 'ecdsa-p384', '1.3.132.0.35': 'ecdsa-p521' }[curve] ?? 'ecdsa';
  }
  return { fingerprintSha256: sha256Hex(der), subjects: [], keyType };
}

function pemBody(text: string, label: string): Uint8Array | undefined {
  const begin = `-----BEGIN ${label}-----`;
  const i = text.indexOf(begin);
  if (i < 0) return undefined;
  const j = text.indexOf(`-----END ${label}-----`, i);
  if (j < 0) throw new EntryParseError('BAD_ENCODING', `PEM ${label} without END line`);
  return base64Bytes(text.slice(i + begin.length, j).replace(/\s+/g, ''), `PEM ${label}`);
}

/** Verifier bytes (PEM text, armored PGP, SSH line, or DER) → certificate or public key. */
export function signerFromBytes(bytes: Uint8Array): Signer {
  if (bytes.length > 0 && bytes[0] === 0x30) return signerFromDer(bytes);
  const text = Buffer.from(bytes).toString('utf8');
  const cert = pemBody(text, 'CERTIFICATE');
  if (cert) return { certificate: parseCertificateFast(cert) };
  const spki = pemBody(text, 'PUBLIC KEY');
  if (spki) return { publicKey: spkiInfo(spki) };
  if (text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')) return { publicKey: pgpInfo(text) };
  const ssh = /^\s*((?:ssh|ecdsa-sha2|sk-ssh|sk-ecdsa)-[A-Za-z0-9@.-]+)\s+([A-Za-z0-9+/=]+)(?:[ \t]+([^\r\n]*))?/.exec(text);
  if (ssh) {
    const blob = base64Bytes(ssh[2]!, 'SSH key');
    const comment = ssh[3]?.trim();
    return { publicKey: { fingerprintSha256: sha256Hex(blob), subjects: comment ? [comment] : [], keyType: ssh[1]!, fingerprint: sshFingerprint(blob) } };
  }
  throw new EntryParseError('BAD_KEY', 'verifier is neither a certificate, a public key, PGP nor SSH');
}

/** OpenSSH's own fingerprint of a key blob, as `ssh-keygen -l` prints it: `SHA256:` + unpadded base64. */
export function sshFingerprint(blob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * OpenPGP fingerprint of a primary public-key packet body, as `gpg --fingerprint` shows it (lower-case hex):
 * v4 SHA-1 over 0x99 ‖ 2-byte length ‖ body (RFC 4880 §12.2); v6 SHA-256 over 0x9B ‖ 4-byte length ‖ body
 * (RFC 9580 §5.5.4); v5 (LibrePGP) SHA-256 over 0x9A ‖ 4-byte length ‖ body. Other versions: undefined.
 */
export function pgpFingerprint(body: Uint8Array): string | undefined {
  const version = body[0];
  if (version === 4) {
    if (body.length > 0xffff) return undefined;
    return createHash('sha1').update(Uint8Array.of(0x99, body.length >> 8, body.length & 0xff)).update(body).digest('hex');
  }
  if (version === 5 || version === 6) {
    const len = Uint8Array.of(version === 6 ? 0x9b : 0x9a, (body.length >>> 24) & 0xff, (body.length >>> 16) & 0xff, (body.length >>> 8) & 0xff, body.length & 0xff);
    return createHash('sha256').update(len).update(body).digest('hex');
  }
  return undefined;
}

/** DER certificate or SubjectPublicKeyInfo (a certificate's first child is itself a SEQUENCE). */
export function signerFromDer(der: Uint8Array): Signer {
  const outer = expectTlv(der, 0, der.length, 0x30, 'verifier');
  const first = readTlv(der, outer.vstart, outer.end);
  if (first.tag === 0x30) {
    const second = readTlv(der, first.end, outer.end);
    if (second.tag === 0x30 && readTlv(der, first.vstart, first.end).tag !== 0x06) {
      return { certificate: parseCertificateFast(der) };
    }
  }
  return { publicKey: spkiInfo(der) };
}

/**
 * OpenPGP armored key: User ID packets (tag 13) become subjects; `fingerprintSha256` = SHA-256 of the binary
 * block, `fingerprint` = the primary key's OpenPGP fingerprint (the first public-key packet, tag 6).
 */
function pgpInfo(text: string): PublicKeyInfo {
  const m = /-----BEGIN PGP PUBLIC KEY BLOCK-----\r?\n([\s\S]*?)-----END PGP PUBLIC KEY BLOCK-----/.exec(text);
  if (!m) throw new EntryParseError('BAD_ENCODING', 'PGP armor without END line');
  // Armor headers end at the first blank line; the CRC-24 checksum line starts with '='.
  const parts = m[1]!.split(/\r?\n\r?\n/);
  const body = (parts.length > 1 ? parts.slice(1).join('\n') : parts[0]!)
    .split(/\r?\n/)
    .filter((l) => !l.startsWith('='))
    .join('');
  const bin = base64Bytes(body, 'PGP armor');
  const subjects: string[] = [];
  let fingerprint: string | undefined;
  for (let p = 0; p < bin.length; ) {
    const h = bin[p]!;
    if (!(h & 0x80)) throw new EntryParseError('BAD_KEY', 'PGP packet without the high bit');
    let tag: number;
    let len: number;
    let q = p + 1;
    if (h & 0x40) {
      // New format (RFC 4880 §4.2.2); partial lengths do not occur in key packets.
      tag = h & 0x3f;
      const b0 = bin[q++];
      if (b0 === undefined) throw new EntryParseError('BAD_KEY', 'truncated PGP packet');
      if (b0 < 192) len = b0;
      else if (b0 < 224) len = ((b0 - 192) << 8) + (bin[q++] ?? 0) + 192;
      else if (b0 === 255) {
        if (q + 4 > bin.length) throw new EntryParseError('BAD_KEY', 'truncated PGP length');
        len = ((bin[q]! << 24) >>> 0) + (bin[q + 1]! << 16) + (bin[q + 2]! << 8) + bin[q + 3]!;
        q += 4;
      } else throw new EntryParseError('BAD_KEY', 'PGP partial length in a key block');
    } else {
      tag = (h >> 2) & 0x0f;
      const lt = h & 3;
      if (lt === 3) throw new EntryParseError('BAD_KEY', 'PGP indeterminate length');
      const n = 1 << lt;
      if (q + n > bin.length) throw new EntryParseError('BAD_KEY', 'truncated PGP length');
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + bin[q + i]!;
      q += n;
    }
    if (q + len > bin.length) throw new EntryParseError('BAD_KEY', 'PGP packet overruns the block');
    if (tag === 13) subjects.push(Buffer.from(bin.subarray(q, q + len)).toString('utf8'));
    if (tag === 6 && fingerprint === undefined) fingerprint = pgpFingerprint(bin.subarray(q, q + len));
    p = q + len;
  }
  return { fingerprintSha256: sha256Hex(bin), subjects, keyType: 'pgp', ...(fingerprint !== undefined ? { fingerprint } : {}) };
}
