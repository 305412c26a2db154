/**
 * Minimal DER (X.690) walking, just enough to derive an RFC 6962 precertificate TBSCertificate from a Fulcio
 * leaf: find the TBSCertificate, drop the embedded-SCT extension, re-encode the lengths. Malformed input throws
 * `MALFORMED_CT`.
 */
import { TlogError } from './errors.js';
import { concatBytes } from './encoding.js';

export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset after the last content byte. */
  end: number;
}

function fail(msg: string): never {
  throw new TlogError('MALFORMED_CT', `DER: ${msg}`);
}

/** Reads one TLV at `off` within `buf[..limit)` (single-byte tags only, definite lengths only). */
export function readTlv(buf: Uint8Array, off: number, limit = buf.length): Tlv {
  if (off + 2 > limit) fail('truncated header');
  const tag = buf[off] as number;
  if ((tag & 0x1f) === 0x1f) fail('multi-byte tags are not supported');
  let len = buf[off + 1] as number;
  let p = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) fail('unsupported length encoding');
    if (p + n > limit) fail('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[p + i] as number);
    p += n;
  }
  if (p + len > limit) fail('content runs past its container');
  return { tag, start: off, contentStart: p, end: p + len };
}

/** The TLVs directly inside a constructed TLV. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let off = parent.contentStart; off < parent.end; ) {
    const t = readTlv(buf, off, parent.end);
    out.push(t);
    off = t.end;
  }
  return out;
}

export function encodeTlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  let head: number[];
  if (n < 0x80) head = [tag, n];
  else {
    const lenBytes: number[] = [];
    for (let x = n; x > 0; x = Math.floor(x / 256)) lenBytes.unshift(x & 0xff);
    head = [tag, 0x80 | lenBytes.length, ...lenBytes];
  }
  return concatBytes(Uint8Array.from(head), content);
}

export const slice = (buf: Uint8Array, t: Tlv): Uint8Array => buf.subarray(t.start, t.end);
export const content = (buf: Uint8Array, t: Tlv): Uint8Array => buf.subarray(t.contentStart, t.end);
