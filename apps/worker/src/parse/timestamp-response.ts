/**
 * The artifact digest of an RFC 3161 time-stamp response (Rekor v1 `rfc3161` entries): the `messageImprint`
 * the TSA signed, so that a digest rule matches an entry that time-stamps that artifact.
 *
 *   TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken ContentInfo OPTIONAL }   (RFC 3161 §2.4.2)
 *   ContentInfo   ::= SEQUENCE { contentType id-signedData, content [0] EXPLICIT SignedData } (RFC 5652 §3)
 *   SignedData    ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo, … }          (RFC 5652 §5.1)
 *   EncapsulatedContentInfo ::= SEQUENCE { eContentType id-ct-TSTInfo, eContent [0] EXPLICIT OCTET STRING }
 *   TSTInfo       ::= SEQUENCE { version, policy, messageImprint, serialNumber, genTime, … }   (RFC 3161 §2.4.2)
 *   MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }
 *
 * This reads; it does not verify the TSA's signature (the entry is in the verified tree either way, and a
 * digest rule is about which artifact was stamped). Hostile input: every length is checked (der.ts), and
 * anything else than the structure above is an EntryParseError.
 *
 * Not @sigstore/core's RFC3161Timestamp: tried on the same real response, it accepts trailing bytes after
 * the response and fails on a response without a token with a TypeError; this walk, on the DER reader the
 * certificate parser already uses, refuses both with a typed reason.
 */
import { expectTlv, oidToString, readTlv, toHex } from './der.js';
import { EntryParseError } from './entry-parse-error.js';
import type { Digest } from './rekor-body.js';

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
const HASHES: Readonly<Record<string, { name: string; bytes: number }>> = {
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', bytes: 32 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', bytes: 48 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', bytes: 64 },
  '1.3.14.3.2.26': { name: 'sha1', bytes: 20 },
};

/** The messageImprint of a DER TimeStampResp. Throws EntryParseError. */
export function timeStampDigest(der: Uint8Array): Digest {
  const resp = expectTlv(der, 0, der.length, 0x30, 'TimeStampResp');
  if (resp.end !== der.length) throw new EntryParseError('BAD_DER', 'trailing bytes after TimeStampResp');
  const status = expectTlv(der, resp.vstart, resp.end, 0x30, 'PKIStatusInfo');
  if (status.end === resp.end) throw new EntryParseError('BAD_DER', 'TimeStampResp without a timeStampToken (the request was not granted)');
  const token = expectTlv(der, status.end, resp.end, 0x30, 'timeStampToken');
  const contentType = expectTlv(der, token.vstart, token.end, 0x06, 'contentType');
  if (oidToString(der, contentType) !== OID_SIGNED_DATA) throw new EntryParseError('BAD_DER', 'timeStampToken is not SignedData');
  const explicit = expectTlv(der, contentType.end, token.end, 0xa0, 'content');
  const signedData = expectTlv(der, explicit.vstart, explicit.end, 0x30, 'SignedData');
  const version = expectTlv(der, signedData.vstart, signedData.end, 0x02, 'SignedData version');
  const algorithms = expectTlv(der, version.end, signedData.end, 0x31, 'digestAlgorithms');
  const encap = expectTlv(der, algorithms.end, signedData.end, 0x30, 'encapContentInfo');
  const eContentType = expectTlv(der, encap.vstart, encap.end, 0x06, 'eContentType');
  if (oidToString(der, eContentType) !== OID_TST_INFO) throw new EntryParseError('BAD_DER', 'timeStampToken does not carry a TSTInfo');
  const eExplicit = expectTlv(der, eContentType.end, encap.end, 0xa0, 'eContent');
  const octets = expectTlv(der, eExplicit.vstart, eExplicit.end, 0x04, 'eContent OCTET STRING');
  const tst = expectTlv(der, octets.vstart, octets.end, 0x30, 'TSTInfo');
  if (tst.end !== octets.end) throw new EntryParseError('BAD_DER', 'trailing bytes after TSTInfo');
  const tstVersion = expectTlv(der, tst.vstart, tst.end, 0x02, 'TSTInfo version');
  const policy = expectTlv(der, tstVersion.end, tst.end, 0x06, 'policy');
  const imprint = expectTlv(der, policy.end, tst.end, 0x30, 'messageImprint');
  const algorithm = expectTlv(der, imprint.vstart, imprint.end, 0x30, 'hashAlgorithm');
  const algorithmOid = expectTlv(der, algorithm.vstart, algorithm.end, 0x06, 'hashAlgorithm OID');
  const hashed = readTlv(der, algorithm.end, imprint.end);
  if (hashed.tag !== 0x04 || hashed.end !== imprint.end) throw new EntryParseError('BAD_DER', 'messageImprint: hashedMessage is not its one OCTET STRING');
  const oid = oidToString(der, algorithmOid);
  const hash = HASHES[oid];
  if (hash === undefined) throw new EntryParseError('BAD_DIGEST', `messageImprint: unknown hash algorithm ${oid}`);
  if (hashed.end - hashed.vstart !== hash.bytes) throw new EntryParseError('BAD_DIGEST', `messageImprint: ${hashed.end - hashed.vstart} bytes for ${hash.name}`);
  return { algorithm: hash.name, value: toHex(der, hashed.vstart, hashed.end) };
}
