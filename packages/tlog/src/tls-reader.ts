/**
 * Bounds-checked reader/writer for TLS presentation-language structures (RFC 8446 §3, as RFC 6962 uses
 * them): fixed-width big-endian integers and length-prefixed opaque vectors. Reading past the end or leaving
 * trailing bytes throws `TlogError` with the caller's code — CT data is attacker-controlled.
 */
import { TlogError, type TlogErrorCode } from './errors.js';
import { concatBytes } from './encoding.js';

export class TlsReader {
  #buf: Uint8Array;
  #off = 0;
  readonly #code: TlogErrorCode;
  readonly #what: string;

  constructor(buf: Uint8Array, code: TlogErrorCode, what: string) {
    // A plain Uint8Array view, so that sub-arrays are never Buffers (whose slice() aliases memory).
    this.#buf = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#code = code;
    this.#what = what;
  }

  get remaining(): number {
    return this.#buf.length - this.#off;
  }

  fail(msg: string): never {
    throw new TlogError(this.#code, `${this.#what}: ${msg}`);
  }

  bytes(n: number): Uint8Array {
    if (n < 0 || n > this.remaining) this.fail(`truncated (need ${n} bytes at offset ${this.#off}, have ${this.remaining})`);
    const out = this.#buf.subarray(this.#off, this.#off + n);
    this.#off += n;
    return out;
  }

  /** Unsigned big-endian integer of `width` bytes (≤ 8) as bigint. */
  uintBig(width: number): bigint {
    let v = 0n;
    for (const b of this.bytes(width)) v = (v << 8n) | BigInt(b);
    return v;
  }

  /** Unsigned big-endian integer of `width` bytes (≤ 6) as number. */
  uint(width: number): number {
    let v = 0;
    for (const b of this.bytes(width)) v = v * 256 + b;
    return v;
  }

  /** opaque<min..2^(8·lenWidth)-1>: a length prefix of `lenWidth` bytes then the bytes. */
  vector(lenWidth: number, min = 0): Uint8Array {
    const n = this.uint(lenWidth);
    if (n < min) this.fail(`vector shorter than ${min} bytes`);
    return this.bytes(n);
  }

  end(): void {
    if (this.remaining !== 0) this.fail(`${this.remaining} trailing bytes`);
  }
}

export class TlsWriter {
  #parts: Uint8Array[] = [];

  uint(width: number, v: number | bigint): this {
    const out = new Uint8Array(width);
    let x = BigInt(v);
    if (x < 0n || x >= 1n << BigInt(8 * width)) throw new TlogError('MALFORMED_CT', `value ${x} does not fit in ${width} bytes`);
    for (let i = width - 1; i >= 0; i--) {
      out[i] = Number(x & 0xffn);
      x >>= 8n;
    }
    this.#parts.push(out);
    return this;
  }

  bytes(b: Uint8Array): this {
    this.#parts.push(b);
    return this;
  }

  vector(lenWidth: number, b: Uint8Array): this {
    return this.uint(lenWidth, b.length).bytes(b);
  }

  finish(): Uint8Array {
    return concatBytes(...this.#parts);
  }
}
