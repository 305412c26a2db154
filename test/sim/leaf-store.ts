/**
 * One log tree on disk and in memory: an append-only data file of leaf records (`<name>.data`), an index file
 * of 48-byte rows (`<name>.idx`: leaf hash ‖ u64 data offset ‖ u64 time), the Merkle tree of all leaf hashes
 * in memory, and a leaf-hash → index map (Rekor v1 UUID lookups, CT get-proof-by-hash).
 *
 * Crash safety: data is written before its index rows; on open, data past the last indexed record is cut
 * off, so a torn append simply never happened. Record bytes are read back with positioned reads (the OS
 * page cache keeps recent ones hot); only hashes, offsets and times live in memory.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { MerkleTree } from './merkle-tree.js';

const ROW = 48;

export interface NewLeaf {
  /** The leaf bytes (what is hashed) plus any stored extras, as the log kind encodes its records. */
  readonly record: Uint8Array;
  /** The bytes whose RFC 6962 leaf hash goes into the tree. */
  readonly leaf: Uint8Array;
  /** Integrated time (s, Rekor v1) or timestamp (ms, CT); 0 for Rekor v2. */
  readonly time: number;
}

export function leafHashOf(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.from([0])).update(leaf).digest();
}

export class LeafStore {
  readonly tree = new MerkleTree();
  readonly #dataFd: number;
  readonly #idxFd: number;
  #offsets = new Float64Array(1024);
  #times = new Float64Array(1024);
  #dataEnd = 0;
  readonly #byHash = new Map<string, number>();

  private constructor(dataFd: number, idxFd: number) {
    this.#dataFd = dataFd;
    this.#idxFd = idxFd;
  }

  /** Opens (creating if needed) the tree stored as `<dir>/<name>.{data,idx}` and loads its index. */
  static open(dir: string, name: string): LeafStore {
    const dataPath = join(dir, `${name}.data`);
    const idxPath = join(dir, `${name}.idx`);
    const fresh = !existsSync(idxPath);
    const store = new LeafStore(openSync(dataPath, fresh ? 'w+' : 'r+'), openSync(idxPath, fresh ? 'w+' : 'r+'));
    if (!fresh) store.#load();
    return store;
  }

  #load(): void {
    const idxSize = fstatSync(this.#idxFd).size;
    const rows = Math.floor(idxSize / ROW);
    const buf = Buffer.alloc(rows * ROW);
    if (rows > 0) readSync(this.#idxFd, buf, 0, buf.length, 0);
    if (idxSize !== rows * ROW) ftruncateSync(this.#idxFd, rows * ROW);
    const dataSize = fstatSync(this.#dataFd).size;
    let end = 0;
    for (let i = 0; i < rows; i++) {
      const o = i * ROW;
      const hash = buf.subarray(o, o + 32);
      const offset = Number(buf.readBigUInt64BE(o + 32));
      const time = Number(buf.readBigUInt64BE(o + 40));
      this.#push(hash, offset, time);
      end = offset;
    }
    // The last record ends where the data file ends, unless a torn write left garbage: recover the end
    // from the record's length prefix.
    if (rows > 0) {
      const len = Buffer.alloc(4);
      readSync(this.#dataFd, len, 0, 4, end);
      end += 4 + len.readUInt32BE(0);
    }
    if (dataSize > end) ftruncateSync(this.#dataFd, end);
    this.#dataEnd = end;
  }

  #push(hash: Uint8Array, offset: number, time: number): void {
    const i = this.tree.size;
    if (i >= this.#offsets.length) {
      const o = new Float64Array(this.#offsets.length * 2);
      o.set(this.#offsets);
      this.#offsets = o;
      const t = new Float64Array(this.#times.length * 2);
      t.set(this.#times);
      this.#times = t;
    }
    this.#offsets[i] = offset;
    this.#times[i] = time;
    this.tree.append(hash);
    this.#byHash.set(Buffer.from(hash).toString('latin1'), i);
  }

  get size(): number {
    return this.tree.size;
  }

  /** Appends leaves durably (data, then index) and returns their indexes. */
  append(leaves: readonly NewLeaf[]): number[] {
    const first = this.size;
    const data: Buffer[] = [];
    const idx = Buffer.alloc(leaves.length * ROW);
    const hashes: Buffer[] = [];
    let off = this.#dataEnd;
    leaves.forEach((l, j) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(l.record.length);
      data.push(len, Buffer.from(l.record.buffer, l.record.byteOffset, l.record.byteLength));
      const h = leafHashOf(l.leaf);
      hashes.push(h);
      h.copy(idx, j * ROW);
      idx.writeBigUInt64BE(BigInt(off), j * ROW + 32);
      idx.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(l.time))), j * ROW + 40);
      off += 4 + l.record.length;
    });
    const dataBuf = Buffer.concat(data);
    writeSync(this.#dataFd, dataBuf, 0, dataBuf.length, this.#dataEnd);
    writeSync(this.#idxFd, idx, 0, idx.length, first * ROW);
    let o = this.#dataEnd;
    leaves.forEach((l, j) => {
      this.#push(hashes[j]!, o, l.time);
      o += 4 + l.record.length;
    });
    this.#dataEnd = o;
    return leaves.map((_, j) => first + j);
  }

  time(i: number): number {
    return this.#times[i] ?? 0;
  }

  /** Index of the leaf with this leaf hash, if present. */
  indexOf(leafHash: Uint8Array): number | undefined {
    return this.#byHash.get(Buffer.from(leafHash).toString('latin1'));
  }

  /** Records [start, end) as stored: each a u32 length ‖ bytes (one positioned read). Requires end ≤ size. */
  rawRecords(start: number, end: number): Buffer {
    if (end <= start) return Buffer.alloc(0);
    const from = this.#offsets[start]!;
    const to = end < this.size ? this.#offsets[end]! : this.#dataEnd;
    const buf = Buffer.allocUnsafe(to - from);
    readSync(this.#dataFd, buf, 0, buf.length, from);
    return buf;
  }

  /** The stored records of leaves [start, end). Requires end ≤ size. */
  records(start: number, end: number): Buffer[] {
    const buf = this.rawRecords(start, end);
    const out: Buffer[] = [];
    let p = 0;
    while (p < buf.length) {
      const len = buf.readUInt32BE(p);
      out.push(buf.subarray(p + 4, p + 4 + len));
      p += 4 + len;
    }
    return out;
  }

  record(i: number): Buffer {
    return this.records(i, i + 1)[0]!;
  }

  close(): void {
    closeSync(this.#dataFd);
    closeSync(this.#idxFd);
  }
}
