/**
 * A minimal, defensive DER reader (ITU-T X.690 §8/§10) for the parts of X.509 the parser walks.
 *
 * Input is hostile: every length is checked against its enclosing element before use, only
 * single-byte tags and definite lengths of at most 4 bytes are accepted (X.509 needs nothing else), and
 * every failure is an EntryParseError('BAD_DER'), never an out-of-bounds read.
 */
import { EntryParseError } from './entry-parse-error.js';

/** One decoded TLV: `tag` byte, header start, value start and end (exclusive) within the buffer. */
export interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly vstart: number;
  readonly end: number;
}

export function derFail(message: string): never {
  throw new EntryParseError('BAD_DER', message);
}

/** Read the TLV at `pos`, which must end at or before `limit`. */
export function readTlv(buf: Uint8Array, pos: number, limit: number): Tlv {
  if (pos + 2 > limit) derFail(`truncated header at ${pos}`);
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) derFail(`multi-byte tag at ${pos}`);
  let len = buf[pos + 1]!;
  let vstart = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) derFail(`indefinite length at ${pos}`);
    if (n > 4) derFail(`length of ${n} bytes at ${pos}`);
    if (vstart + n > limit) derFail(`truncated length at ${pos}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[vstart + i]!;
    vstart += n;
  }
  const end = vstart + len;
  if (end > limit) derFail(`length ${len} at ${pos} overruns its container`);
  return { tag, start: pos, vstart, end };
}

/** Read a TLV at `pos` and require its tag. */
export function expectTlv(buf: Uint8Array, pos: number, limit: number, tag: number, what: string): Tlv {
  const t = readTlv(buf, pos, limit);
  if (t.tag !== tag) derFail(`${what}: tag 0x${t.tag.toString(16)} where 0x${tag.toString(16)} expected`);
  return t;
}

/** The children of a constructed element. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = parent.vstart; p < parent.end; ) {
    const t = readTlv(buf, p, parent.end);
    out.push(t);
    p = t.end;
  }
  return out;
}

/** Dotted form of an OBJECT IDENTIFIER's content bytes (X.690 §8.19). */
export function oidToString(buf: Uint8Array, t: Tlv): string {
  if (t.end === t.vstart) derFail('empty OID');
  const arcs: string[] = [];
  let v = 0;
  let big: bigint | undefined;
  let first = true;
  for (let i = t.vstart; i < t.end; i++) {
    const b = buf[i]!;
    if (big !== undefined) big = (big << 7n) | BigInt(b & 0x7f);
    else if (v >= 2 ** 45) big = (BigInt(v) << 7n) | BigInt(b & 0x7f);
    else v = v * 128 + (b & 0x7f);
    if (b & 0x80) {
      if (i === t.end - 1) derFail('truncated OID');
      continue;
    }
    const value: bigint | number = big ?? v;
    if (first) {
      // X.690 §8.19.4: the first subidentifier packs the first two arcs.
      if (typeof value === 'bigint') arcs.push('2', String(value - 80n));
      else if (value < 40) arcs.push('0', String(value));
      else if (value < 80) arcs.push('1', String(value - 40));
      else arcs.push('2', String(value - 80));
      first = false;
    } else arcs.push(String(value));
    v = 0;
    big = undefined;
  }
  return arcs.join('.');
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(buf: Uint8Array, start = 0, end = buf.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX[buf[i]!];
  return s;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes as ISO-8859-1 text, one char per byte (IA5String / TeletexString content). Not
 * TextDecoder('latin1'), which is really windows-1252.
 */
export function latin1Text(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
}

/** UTF-8 text, or undefined when the bytes are not valid UTF-8. */
export function strictUtf8(buf: Uint8Array): string | undefined {
  try {
    return utf8Strict.decode(buf);
  } catch {
    return undefined;
  }
}
