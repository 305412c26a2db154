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

/** A Tlv a hot loop reads into again and again (readTlvInto) instead of allocating one per element. */
export interface TlvSlot {
  tag: number;
  start: number;
  vstart: number;
  end: number;
}

export const tlvSlot = (): TlvSlot => ({ tag: 0, start: 0, vstart: 0, end: 0 });

/** Read the TLV at `pos`, which must end at or before `limit`. */
export function readTlv(buf: Uint8Array, pos: number, limit: number): Tlv {
  return readTlvInto(buf, pos, limit, tlvSlot());
}

/** `readTlv` into `out` (returned); `out` is overwritten only once the element has been checked. */
export function readTlvInto(buf: Uint8Array, pos: number, limit: number, out: TlvSlot): TlvSlot {
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
  out.tag = tag;
  out.start = pos;
  out.vstart = vstart;
  out.end = end;
  return out;
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

/** One memoised text: the bytes it was made from; `next` chains entries whose bytes hash alike. */
interface MemoEntry {
  readonly bytes: Uint8Array;
  readonly text: string;
  readonly next: MemoEntry | undefined;
}

/**
 * Text made from a byte range, memoised by those exact bytes: for DER values that repeat from one
 * certificate to the next (OIDs, the issuer's name). A hit compares the bytes in full, so the result is
 * always what `make` returns for them; a `make` that throws caches nothing. Bounded in entries and in the
 * length of a key, so attacker-invented values beyond the bound are simply not cached.
 */
export class BytesMemo {
  private readonly table = new Map<number, MemoEntry>();
  private size = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxKeyBytes: number,
  ) {}

  /** `make(buf, start, end)`, memoised (a plain function, not a closure: no allocation on a hit). */
  text(buf: Uint8Array, start: number, end: number, make: (buf: Uint8Array, start: number, end: number) => string): string {
    const len = end - start;
    if (len === 0 || len > this.maxKeyBytes) return make(buf, start, end);
    let h = len;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const head = this.table.get(h);
    for (let e = head; e !== undefined; e = e.next) {
      const b = e.bytes;
      if (b.length !== len) continue;
      let same = true;
      for (let i = 0; i < len; i++) {
        if (b[i] !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return e.text;
    }
    const text = make(buf, start, end);
    if (this.size < this.maxEntries) {
      this.table.set(h, { bytes: buf.slice(start, end), text, next: head });
      this.size++;
    }
    return text;
  }
}

/** Certificates carry a few dozen distinct OIDs, all from a small fixed set. */
const oidMemo = new BytesMemo(4096, 64);

/**
 * `oidToString` through a memo keyed by the OID's content bytes. A Fulcio certificate carries ~25 OIDs;
 * decoding each to text cost ~6% of parsing a Rekor v2 entry. Memoised strings are the same objects each
 * time, so Map/Set lookups on them stay cheap. Invalid OIDs throw and are never cached.
 */
export function oidText(buf: Uint8Array, t: Tlv): string {
  return oidMemo.text(buf, t.vstart, t.end, oidContentText);
}

const oidContentText = (buf: Uint8Array, vstart: number, end: number): string => oidToString(buf, { tag: 0x06, start: vstart, vstart, end });

/**
 * `buf` as a Buffer over the same bytes: itself when it is one, else a view (no copy). The walkers make it
 * once per certificate so that each text read below is `Buffer#toString(encoding, start, end)` on it, not a
 * new view object per value (~60 per Fulcio certificate, a tenth of what parsing a Rekor v2 entry
 * allocated).
 */
export function asBuffer(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Lower-case hex of `buf[start, end)`. Node's native encoder gives one flat string; building it with `+=`
 * made a chain of cons strings that JSON.stringify then had to flatten when the event was queued
 * (together ~2.5× slower, and garbage for every byte).
 */
export function toHex(buf: Uint8Array, start = 0, end = buf.length): string {
  return asBuffer(buf).toString('hex', start, end);
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes as ISO-8859-1 text, one char per byte (IA5String / TeletexString content). Not
 * TextDecoder('latin1'), which is really windows-1252.
 */
export function latin1Text(buf: Uint8Array, start: number, end: number): string {
  return asBuffer(buf).toString('latin1', start, end);
}

/** UTF-8 text of `buf[start, end)`, or undefined when the bytes are not valid UTF-8. */
export function strictUtf8(buf: Uint8Array, start = 0, end = buf.length): string | undefined {
  // ASCII (every Fulcio extension value seen in practice) is valid UTF-8 and the same in latin1, which
  // Node decodes far faster than a fatal TextDecoder call per value.
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (buf[i]! > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return latin1Text(buf, start, end);
  try {
    return utf8Strict.decode(buf.subarray(start, end));
  } catch {
    return undefined;
  }
}
