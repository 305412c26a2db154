/**
 * Simulated Rekor v1 (Trillian-backed REST API, sigstore/rekor `openapi.yaml`) under `/rekor-v1`:
 *
 *   GET  /api/v1/log                       LogInfo {rootHash, treeSize, signedTreeHead, treeID, inactiveShards?}
 *   GET  /api/v1/log/proof?firstSize&lastSize[&treeID]   {rootHash, hashes[]} (hex)
 *   GET  /api/v1/log/entries?logIndex=N    {<uuid>: LogEntry}
 *   GET  /api/v1/log/entries/{uuid}        {<uuid>: LogEntry}   (64- or 80-hex UUID)
 *   POST /api/v1/log/entries/retrieve      [{<uuid>: LogEntry}…]  (entryUUIDs | logIndexes, 1–10 each)
 *   POST /api/v1/log/entries               upload a signed hashedrekord 0.0.1 → 201 {<uuid>: LogEntry}
 *
 * Checkpoints: origin `<hostname> - <treeID>`, key name `<hostname>`, ECDSA P-256 (key hint = SHA-256(SPKI)[:4]).
 * UUID = 16-hex tree ID ‖ 64-hex leaf hash. Global log index = shard index + Σ sizes of the earlier shards.
 * SET = ECDSA over canonical {body, integratedTime, logID (hex), logIndex (global)}.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ecdsaNoteSigner } from '@sigwatch/tlog';
import { LeafStore, type NewLeaf } from './leaf-store.js';
import { liveView, type TreeView } from './tree-view.js';
import { SimLog } from './sim-log.js';
import { CheckpointSigner, type CheckpointFlavor } from './checkpoint-signer.js';
import { signSet } from './signing.js';
import type { EntryFactory } from './entry-factory.js';
import type { SimKeyPair } from './ca.js';
import { saveMeta, deriveTreeId, type SimMeta } from './state.js';
import { verifyHashedRekordV001, UploadError } from './upload.js';

interface Shard {
  treeId: string;
  store: LeafStore;
}

export class RekorV1Log extends SimLog {
  readonly kind = 'rekor-v1' as const;
  readonly shards: Shard[];
  readonly hostname: string;
  readonly logIdHex: string;
  readonly #dir: string;
  readonly #meta: SimMeta;
  readonly #factory: EntryFactory;
  readonly #key: SimKeyPair;
  readonly #rogue: SimKeyPair;
  readonly #signer: CheckpointSigner;
  readonly #sets = new Map<string, string[]>();

  constructor(dir: string, meta: SimMeta, key: SimKeyPair, rogue: SimKeyPair, factory: EntryFactory, hostname: string) {
    super();
    this.#dir = dir;
    this.#meta = meta;
    this.#factory = factory;
    this.#key = key;
    this.#rogue = rogue;
    this.hostname = hostname;
    this.logIdHex = createHash('sha256').update(key.spki).digest('hex');
    this.shards = meta.rekorV1Shards.map((s) => ({ treeId: s.treeId, store: LeafStore.open(dir, `rekor-v1-${s.treeId}`) }));
    this.#signer = new CheckpointSigner(ecdsaNoteSigner(hostname, key.privateKey), ecdsaNoteSigner(hostname, rogue.privateKey));
  }

  get publicKeySpki(): Uint8Array {
    return this.#key.spki;
  }

  get active(): Shard {
    return this.shards[this.shards.length - 1]!;
  }

  origin(treeId = this.active.treeId): string {
    return `${this.hostname} - ${treeId}`;
  }

  activeStore(): LeafStore {
    return this.active.store;
  }

  fakeLeaf(): NewLeaf {
    return this.#factory.rekorV1({ identity: 'mallory@evil.example', issuer: 'https://github.com/login/oauth' });
  }

  garbageLeaf(): NewLeaf {
    return this.#factory.garbage('rekor-v1');
  }

  /** Σ sizes of the shards before `shard`. */
  offsetOf(shard: number): number {
    let o = 0;
    for (let i = 0; i < shard; i++) o += this.shards[i]!.store.size;
    return o;
  }

  #setsOf(treeId: string): string[] {
    let sets = this.#sets.get(treeId);
    if (sets === undefined) {
      sets = [];
      this.#sets.set(treeId, sets);
    }
    return sets;
  }

  appendLeaves(leaves: readonly NewLeaf[]): number[] {
    const offset = this.offsetOf(this.shards.length - 1);
    const locals = this.active.store.append(leaves);
    const sets = this.#setsOf(this.active.treeId);
    locals.forEach((local, j) => {
      const l = leaves[j]!;
      sets[local] = signSet(this.#key.privateKey, Buffer.from(l.record).toString('base64'), l.time, this.logIdHex, offset + local);
    });
    return locals.map((i) => i + offset);
  }

  /** Freezes the active shard and starts a new tree (new tree ID, same key), as Rekor's shard rollovers do. */
  rollover(): string {
    const treeId = deriveTreeId(this.#meta.seed, this.shards.length);
    this.#meta.rekorV1Shards.push({ treeId });
    saveMeta(this.#dir, this.#meta);
    this.shards.push({ treeId, store: LeafStore.open(this.#dir, `rekor-v1-${treeId}`) });
    return treeId;
  }

  #flavor(): CheckpointFlavor {
    return this.is('unknown-key') ? 'unknown-key' : this.is('bad-checkpoint-signature') ? 'bad-signature' : 'honest';
  }

  /** View of shard `i`: the active one honours misbehaviour, frozen shards are served honestly. */
  viewOf(i: number): TreeView {
    return i === this.shards.length - 1 ? this.view() : liveView(this.shards[i]!.store);
  }

  checkpoint(i: number, view = this.viewOf(i)): string {
    const shard = this.shards[i]!;
    return this.#signer.sign(this.origin(shard.treeId), view.size, view.tree.root(view.size), i === this.shards.length - 1 ? this.#flavor() : 'honest');
  }

  logInfo(i: number): Record<string, unknown> {
    const view = this.viewOf(i);
    return {
      rootHash: view.tree.root(view.size).toString('hex'),
      treeSize: view.size,
      signedTreeHead: this.checkpoint(i, view),
      treeID: this.shards[i]!.treeId,
    };
  }

  /** Locates a global index: [shard, local index], or undefined when past the end. */
  locate(global: number): [number, number] | undefined {
    let g = global;
    for (let i = 0; i < this.shards.length; i++) {
      const size = this.viewOf(i).size;
      if (g < size) return [i, g];
      g -= size;
    }
    return undefined;
  }

  /** The LogEntry map `{uuid: entry}` for leaf `local` of shard `i`. */
  entry(i: number, local: number): Record<string, unknown> {
    const view = this.viewOf(i);
    const shard = this.shards[i]!;
    const body = view.records(local, local + 1)[0]!;
    const leafHash = view.tree.leafHash(local).toString('hex');
    const uuid = `${BigInt(shard.treeId).toString(16).padStart(16, '0')}${leafHash}`;
    const integratedTime = view.time(local);
    const logIndex = this.offsetOf(i) + local;
    let b64 = body.toString('base64');
    const rogue = this.is('unknown-key') && i === this.shards.length - 1;
    const honestView = i < this.shards.length - 1 || this.misbehavior === null || !VIEW_MODES.has(this.misbehavior.mode);
    // SETs are made when an entry is integrated (as Rekor does) and kept: ECDSA signatures are randomised and
    // an entry's SET never changes. Lying views and the rogue key sign on demand.
    let set = rogue || !honestView ? undefined : this.#setsOf(shard.treeId)[local];
    if (set === undefined) {
      set = signSet((rogue ? this.#rogue : this.#key).privateKey, b64, integratedTime, this.logIdHex, logIndex);
      if (!rogue && honestView) this.#setsOf(shard.treeId)[local] = set;
    }
    if (this.is('corrupt-tile') && i === this.shards.length - 1) b64 = `${b64.slice(0, -3)}!`;
    return {
      [uuid]: {
        body: b64,
        integratedTime,
        logID: this.logIdHex,
        logIndex,
        verification: {
          inclusionProof: {
            checkpoint: this.checkpoint(i, view),
            hashes: view.tree.inclusionProof(local, view.size).map((h) => h.toString('hex')),
            logIndex: local,
            rootHash: view.tree.root(view.size).toString('hex'),
            treeSize: view.size,
          },
          signedEntryTimestamp: set,
        },
      },
    };
  }

  /** Entry by 64- or 80-hex UUID. */
  entryByUuid(uuid: string): Record<string, unknown> | undefined {
    const u = uuid.toLowerCase();
    const leafHex = u.slice(-64);
    const treeHex = u.length === 80 ? u.slice(0, 16) : undefined;
    for (let i = 0; i < this.shards.length; i++) {
      if (treeHex !== undefined && BigInt(this.shards[i]!.treeId).toString(16).padStart(16, '0') !== treeHex) continue;
      const local = this.viewOf(i).indexOf(Buffer.from(leafHex, 'hex'));
      if (local !== undefined && local < this.viewOf(i).size) return this.entry(i, local);
    }
    return undefined;
  }
}

const VIEW_MODES = new Set(['fork', 'rollback', 'same-size-other-root', 'leaf-mismatch']);

const uuidRe = /^([0-9a-fA-F]{64}|[0-9a-fA-F]{80})$/;
const retrieveSchema = z
  .object({
    entryUUIDs: z.array(z.string().regex(uuidRe)).min(1).max(10).optional(),
    logIndexes: z.array(z.number().int().min(0)).min(1).max(10).optional(),
    entries: z.array(z.unknown()).min(1).max(10).optional(),
  })
  .refine((q) => q.entryUUIDs !== undefined || q.logIndexes !== undefined || q.entries !== undefined, 'one of entryUUIDs, logIndexes, entries is required');

const intParam = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

function err(code: number, message: string): { code: number; message: string } {
  return { code, message };
}

/** Registers the Rekor v1 routes on an app scoped to the `/rekor-v1` prefix. */
export function registerRekorV1(app: FastifyInstance, log: RekorV1Log): void {
  app.get('/api/v1/log', async () => {
    const active = log.shards.length - 1;
    const info = log.logInfo(active);
    if (active > 0) info['inactiveShards'] = log.shards.slice(0, active).map((_, i) => log.logInfo(i));
    return info;
  });

  app.get('/api/v1/log/proof', async (req, reply) => {
    const q = z.object({ firstSize: intParam.default(1), lastSize: intParam, treeID: z.string().regex(/^[0-9]+$/).optional() }).safeParse(req.query);
    if (!q.success) return reply.code(400).send(err(400, 'firstSize and lastSize must be non-negative integers'));
    const shard = q.data.treeID === undefined ? log.shards.length - 1 : log.shards.findIndex((s) => s.treeId === q.data.treeID);
    if (shard < 0) return reply.code(404).send(err(404, `unknown treeID ${q.data.treeID}`));
    const view = log.viewOf(shard);
    const { firstSize, lastSize } = q.data;
    if (firstSize < 1 || firstSize > lastSize || lastSize > view.size) {
      return reply.code(400).send(err(400, `invalid sizes firstSize=${firstSize} lastSize=${lastSize} (tree size ${view.size})`));
    }
    return {
      rootHash: view.tree.root(lastSize).toString('hex'),
      hashes: view.tree.consistencyProof(firstSize, lastSize).map((h) => h.toString('hex')),
    };
  });

  app.get('/api/v1/log/entries', async (req, reply) => {
    const q = z.object({ logIndex: intParam }).safeParse(req.query);
    if (!q.success) return reply.code(400).send(err(400, 'logIndex must be a non-negative integer'));
    const at = log.locate(q.data.logIndex);
    if (at === undefined) return reply.code(404).send(err(404, `no entry at logIndex ${q.data.logIndex}`));
    return log.entry(at[0], at[1]);
  });

  app.get<{ Params: { uuid: string } }>('/api/v1/log/entries/:uuid', async (req, reply) => {
    if (!uuidRe.test(req.params.uuid)) return reply.code(400).send(err(400, 'entry UUID must be 64 or 80 hex characters'));
    const e = log.entryByUuid(req.params.uuid);
    if (e === undefined) return reply.code(404).send(err(404, `no entry ${req.params.uuid}`));
    return e;
  });

  app.post('/api/v1/log/entries/retrieve', async (req, reply) => {
    const q = retrieveSchema.safeParse(req.body);
    if (!q.success) return reply.code(422).send(err(422, q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
    const out: Record<string, unknown>[] = [];
    for (const u of q.data.entryUUIDs ?? []) {
      const e = log.entryByUuid(u);
      if (e !== undefined) out.push(e);
    }
    for (const idx of q.data.logIndexes ?? []) {
      const at = log.locate(idx);
      if (at !== undefined) out.push(log.entry(at[0], at[1]));
    }
    return out;
  });

  app.post('/api/v1/log/entries', async (req, reply) => {
    let canonical: Uint8Array;
    try {
      canonical = verifyHashedRekordV001(req.body);
    } catch (e) {
      if (e instanceof UploadError) return reply.code(400).send(err(400, e.message));
      throw e;
    }
    const leaf: NewLeaf = { leaf: canonical, record: canonical, time: Math.floor(Date.now() / 1000) };
    const existing = log.active.store.indexOf(createHash('sha256').update(Buffer.from([0])).update(canonical).digest());
    if (existing !== undefined) return reply.code(409).send(err(409, 'an equivalent entry already exists in the log'));
    const [index] = log.appendLeaves([leaf]);
    const at = log.locate(index!)!;
    return reply.code(201).header('location', `/api/v1/log/entries/${Object.keys(log.entry(at[0], at[1]))[0]}`).send(log.entry(at[0], at[1]));
  });
}
