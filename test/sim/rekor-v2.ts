/**
 * Simulated Rekor v2 (rekor-tiles; C2SP tlog-tiles read API) under `/rekor-v2`:
 *
 *   GET  /checkpoint (also /api/v2/checkpoint)    Ed25519 C2SP signed note, origin = key name = hostname
 *   GET  /tile/<L>/<N>[.p/<W>]                      hash tiles (height 8: 256 × 32-byte hashes when full)
 *   GET  /tile/entries/<N>[.p/<W>]                  entry bundles: uint16-length-prefixed hashedrekord 0.0.2 entries
 *   POST /api/v2/log/entries                        CreateEntryRequest{hashedRekordRequestV002} → TransparencyLogEntry
 *
 * Full tiles are immutable (cached, `Cache-Control: immutable`); a tile beyond the checkpoint is 404.
 * Log ID (trusted root `logId.keyId`) = SHA-256(origin ‖ 0x0A ‖ 0x01 ‖ raw Ed25519 key), as for log2025-1.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ed25519NoteSigner } from '@sigwatch/tlog';
import { LeafStore, leafHashOf, type NewLeaf } from './leaf-store.js';
import { SimLog } from './sim-log.js';
import { CheckpointSigner, type CheckpointFlavor } from './checkpoint-signer.js';
import type { EntryFactory } from './entry-factory.js';
import type { SimKeyPair } from './ca.js';
import { TILE_HEIGHT, TILE_WIDTH, entryBundle, parseTilePath } from './tiles.js';
import type { TreeView } from './tree-view.js';
import { verifyHashedRekordV002, UploadError } from './upload.js';

export class RekorV2Log extends SimLog {
  readonly kind = 'rekor-v2' as const;
  readonly store: LeafStore;
  readonly origin: string;
  /** 32-byte log ID; its first 4 bytes are the checkpoint key hint. */
  readonly logId: Buffer;
  readonly #factory: EntryFactory;
  readonly #key: SimKeyPair;
  readonly #signer: CheckpointSigner;
  readonly #bundleCache = new Map<number, Buffer>();

  constructor(dir: string, key: SimKeyPair, rogue: SimKeyPair, factory: EntryFactory, origin: string) {
    super();
    this.store = LeafStore.open(dir, 'rekor-v2');
    this.origin = origin;
    this.#key = key;
    this.#factory = factory;
    const raw = Buffer.from(key.spki).subarray(-32);
    this.logId = createHash('sha256').update(`${origin}\n`).update(Buffer.from([1])).update(raw).digest();
    this.#signer = new CheckpointSigner(ed25519NoteSigner(origin, key.privateKey), ed25519NoteSigner(origin, rogue.privateKey));
  }

  get publicKeySpki(): Uint8Array {
    return this.#key.spki;
  }

  activeStore(): LeafStore {
    return this.store;
  }

  fakeLeaf(): NewLeaf {
    return this.#factory.rekorV2({ identity: 'mallory@evil.example', issuer: 'https://github.com/login/oauth' });
  }

  garbageLeaf(): NewLeaf {
    return this.#factory.garbage('rekor-v2');
  }

  appendLeaves(leaves: readonly NewLeaf[]): number[] {
    return this.store.append(leaves);
  }

  #flavor(): CheckpointFlavor {
    return this.is('unknown-key') ? 'unknown-key' : this.is('bad-checkpoint-signature') ? 'bad-signature' : 'honest';
  }

  checkpoint(view: TreeView = this.view()): string {
    return this.#signer.sign(this.origin, view.size, view.tree.root(view.size), this.#flavor());
  }

  /** Hash tile bytes, or undefined if the tile (at that width) is not yet in the tree. */
  hashTile(level: number, index: number, width: number | undefined): Buffer | undefined {
    const view = this.view();
    const h = level * TILE_HEIGHT;
    if (h > 52) return undefined;
    const available = Math.floor(view.size / 2 ** h);
    const w = width ?? TILE_WIDTH;
    if (index * TILE_WIDTH + w > available) return undefined;
    return view.tree.nodes(h, index * TILE_WIDTH, w);
  }

  /** Entry bundle bytes, or undefined if not yet in the tree. */
  bundle(index: number, width: number | undefined): Buffer | undefined {
    const view = this.view();
    const w = width ?? TILE_WIDTH;
    const start = index * TILE_WIDTH;
    if (start + w > view.size) return undefined;
    const cacheable = width === undefined && this.misbehavior === null;
    if (cacheable) {
      const hit = this.#bundleCache.get(index);
      if (hit !== undefined) return hit;
    }
    // Honest serving converts the stored u32-prefixed records to u16-prefixed entries in one pass.
    const out = this.misbehavior === null ? bundleFromRaw(this.store.rawRecords(start, start + w)) : entryBundle(view.records(start, start + w));
    if (cacheable) {
      if (this.#bundleCache.size >= 64) this.#bundleCache.delete(this.#bundleCache.keys().next().value!);
      this.#bundleCache.set(index, out);
    }
    return out;
  }

  /** TransparencyLogEntry (rekor-tiles `POST /api/v2/log/entries` response) for leaf `index`. */
  transparencyLogEntry(index: number): Record<string, unknown> {
    const view = this.view();
    const body = view.records(index, index + 1)[0]!;
    let kind = 'hashedrekord';
    let version = '0.0.2';
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { kind?: string; apiVersion?: string };
      kind = parsed.kind ?? kind;
      version = parsed.apiVersion ?? version;
    } catch {
      /* garbage entries keep the defaults */
    }
    return {
      logIndex: String(index),
      logId: { keyId: this.logId.toString('base64') },
      kindVersion: { kind, version },
      integratedTime: '0',
      inclusionPromise: null,
      inclusionProof: {
        logIndex: String(index),
        rootHash: view.tree.root(view.size).toString('base64'),
        treeSize: String(view.size),
        hashes: view.tree.inclusionProof(index, view.size).map((h) => h.toString('base64')),
        checkpoint: { envelope: this.checkpoint(view) },
      },
      canonicalizedBody: body.toString('base64'),
    };
  }
}

function bundleFromRaw(raw: Buffer): Buffer {
  const out = Buffer.allocUnsafe(raw.length);
  let p = 0;
  let q = 0;
  while (p < raw.length) {
    const len = raw.readUInt32BE(p);
    out.writeUInt16BE(len, q);
    raw.copy(out, q + 2, p + 4, p + 4 + len);
    p += 4 + len;
    q += 2 + len;
  }
  return out.subarray(0, q);
}

function corrupt(buf: Buffer, cut: number): Buffer {
  return buf.subarray(0, Math.max(0, buf.length - cut));
}

function sendBytes(reply: FastifyReply, bytes: Buffer, immutable: boolean): FastifyReply {
  return reply
    .header('content-type', 'application/octet-stream')
    .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .send(bytes);
}

/** Registers the Rekor v2 routes on an app scoped to the `/rekor-v2` prefix. */
export function registerRekorV2(app: FastifyInstance, log: RekorV2Log): void {
  const checkpoint = async (_req: unknown, reply: FastifyReply) =>
    reply.header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-cache').send(log.checkpoint());
  app.get('/checkpoint', checkpoint);
  app.get('/api/v2/checkpoint', checkpoint);

  app.get<{ Params: { '*': string } }>('/tile/*', async (req, reply) => {
    const path = parseTilePath(req.params['*']);
    if (path === undefined) return reply.code(400).header('content-type', 'text/plain').send('malformed tile path\n');
    const bytes = path.level === 'entries' ? log.bundle(path.index, path.width) : log.hashTile(path.level, path.index, path.width);
    if (bytes === undefined) return reply.code(404).header('content-type', 'text/plain').send('tile not found\n');
    const out = log.is('corrupt-tile') ? corrupt(bytes, path.level === 'entries' ? 5 : 7) : bytes;
    return sendBytes(reply, out, path.width === undefined && log.misbehavior === null);
  });

  app.post('/api/v2/log/entries', async (req, reply) => {
    let entry: Uint8Array;
    try {
      entry = verifyHashedRekordV002(req.body);
    } catch (e) {
      if (e instanceof UploadError) return reply.code(400).send({ code: 3, message: e.message });
      throw e;
    }
    const existing = log.store.indexOf(leafHashOf(entry));
    const index = existing ?? log.appendLeaves([{ leaf: entry, record: entry, time: 0 }])[0]!;
    return reply.code(201).send(log.transparencyLogEntry(index));
  });
}
