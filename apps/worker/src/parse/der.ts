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

/** One cached OID: its content bytes and dotted text; `next` chains entries whose bytes hash alike. */
interface OidEntry {
  readonly bytes: Uint8Array;
  readonly text: string;
  readonly next: OidEntry | undefined;
}

const oidCache = new Map<number, OidEntry>();
let oidCacheSize = 0;
/** Bounded: certificates carry a few dozen distinct OIDs; attacker-invented ones beyond this are not cached. */
const OID_CACHE_MAX = 4096;

/**
 * `oidToString` through a cache keyed by the OID's content bytes. A Fulcio certificate carries ~25 OIDs,
 * all from a small fixed set; decoding each to text cost ~6% of parsing a Rekor v2 entry. A hit compares the
 * bytes exactly, so the result is always what `oidToString` returns for them (invalid OIDs throw and are
 * never cached). Cached strings are the same objects each time, so Map/Set lookups on them stay cheap.
 */
export function oidText(buf: Uint8Array, t: Tlv): string {
  const len = t.end - t.vstart;
  if (len === 0 || len > 64) return oidToString(buf, t);
  let h = len;
  for (let i = t.vstart; i < t.end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  const head = oidCache.get(h);
  for (let e = head; e !== undefined; e = e.next) {
    const b = e.bytes;
    if (b.length !== len) continue;
    let same = true;
    for (let i = 0; i < len; i++) {
      if (b[i] !== buf[t.vstart + i]) {
        same = false;
        break;
      }
    }
    if (same) return e.text;
  }
  const text = oidToString(buf, t);
  if (oidCacheSize < OID_CACHE_MAX) {
    oidCache.set(h, { bytes: buf.slice(t.vstart, t.end), text, next: head });
    oidCacheSize++;
  }
  return text;
}

/**
 * Lower-case hex of `buf[start, end)`. Node's native encoder gives one flat string; building it with `+=`
 * made a chain of cons strings that JSON.stringify then had to flatten when the event was queued
 * (together ~2.5× slower, and garbage for every byte).
 */
export function toHex(buf: Uint8Array, start = 0, end = buf.length): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('hex');
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
  // ASCII (every Fulcio extension value seen in practice) is valid UTF-8 and the same in latin1, which
  // Node decodes far faster than a fatal TextDecoder call per value.
  let ascii = true;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i]! > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return latin1Text(buf, 0, buf.length);
  try {
    return utf8Strict.decode(buf);
  } catch {
    return undefined;
  }
}
