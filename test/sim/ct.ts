/**
 * Simulated RFC 6962 CT log (like Fulcio's ctfe.sigstore.dev/2022) under `/ct`, so its base URL is
 * `<url>/ct` and its endpoints are `<url>/ct/ct/v1/…`:
 *
 *   get-sth                         {tree_size, timestamp, sha256_root_hash, tree_head_signature}
 *   get-sth-consistency?first&second {consistency[]}
 *   get-entries?start&end           {entries[{leaf_input, extra_data}]} — at most `maxGetEntries` (default 256)
 *   get-roots                       {certificates[]} (the Fulcio-like CA's root and intermediate)
 *   get-proof-by-hash?hash&tree_size {leaf_index, audit_path[]}
 *   get-entry-and-proof?leaf_index&tree_size {leaf_input, extra_data, audit_path[]}
 *
 * Each certificate is logged as a precert entry and an x509 entry (by default). Log ID = SHA-256(SPKI).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LeafStore, type NewLeaf } from './leaf-store.js';
import { SimLog } from './sim-log.js';
import type { EntryFactory } from './entry-factory.js';
import type { SimKeyPair } from './ca.js';
import { signSth } from './signing.js';
import { splitCtRecord } from './ct-leaf.js';

export class CtLog extends SimLog {
  readonly kind = 'ct' as const;
  readonly store: LeafStore;
  readonly logId: Buffer;
  readonly maxGetEntries: number;
  readonly #factory: EntryFactory;
  readonly #key: SimKeyPair;
  readonly #rogue: SimKeyPair;
  #sthCache: { key: string; sth: Record<string, unknown> } | undefined;

  constructor(dir: string, key: SimKeyPair, rogue: SimKeyPair, factory: EntryFactory, maxGetEntries: number) {
    super();
    this.store = LeafStore.open(dir, 'ct');
    this.#key = key;
    this.#rogue = rogue;
    this.#factory = factory;
    this.maxGetEntries = maxGetEntries;
    this.logId = createHash('sha256').update(key.spki).digest();
  }

  get publicKeySpki(): Uint8Array {
    return this.#key.spki;
  }

  activeStore(): LeafStore {
    return this.store;
  }

  fakeLeaf(): NewLeaf {
    return this.#factory.ct({ identity: 'mallory@evil.example', issuer: 'https://github.com/login/oauth' }, 'x509')[0]!;
  }

  garbageLeaf(): NewLeaf {
    return this.#factory.garbage('ct');
  }

  appendLeaves(leaves: readonly NewLeaf[]): number[] {
    return this.store.append(leaves);
  }

  sth(): Record<string, unknown> {
    const view = this.view();
    const root = view.tree.root(view.size);
    const flavor = this.is('unknown-key') ? 'rogue' : this.is('bad-checkpoint-signature') ? 'bad' : 'honest';
    const cacheKey = `${flavor}|${view.size}|${root.toString('hex')}`;
    if (this.#sthCache?.key === cacheKey) return this.#sthCache.sth;
    const timestamp = Math.max(Date.now(), view.size > 0 ? view.time(view.size - 1) : 0);
    const sig = signSth((flavor === 'rogue' ? this.#rogue : this.#key).privateKey, timestamp, view.size, root);
    if (flavor === 'bad') sig[sig.length - 1]! ^= 0x01;
    const sth = { tree_size: view.size, timestamp, sha256_root_hash: root.toString('base64'), tree_head_signature: sig.toString('base64') };
    this.#sthCache = { key: cacheKey, sth };
    return sth;
  }

  entries(start: number, end: number): { leaf_input: string; extra_data: string }[] {
    return this.view().records(start, end).map((r) => {
      const { leafInput, extraData } = splitCtRecord(r);
      const leaf = this.is('corrupt-tile') ? leafInput.subarray(0, Math.max(0, leafInput.length - 5)) : leafInput;
      return { leaf_input: leaf.toString('base64'), extra_data: extraData.toString('base64') };
    });
  }

  roots(): string[] {
    const ca = this.#factory.ca;
    return [Buffer.from(ca.root.der).toString('base64'), Buffer.from(ca.intermediate.der).toString('base64')];
  }
}

const u = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const bad = (message: string) => ({ error_message: message, success: false });

/** Registers the CT routes on an app scoped to the `/ct` prefix. */
export function registerCt(app: FastifyInstance, log: CtLog): void {
  app.get('/ct/v1/get-sth', async () => log.sth());

  app.get('/ct/v1/get-sth-consistency', async (req, reply) => {
    const q = z.object({ first: u, second: u }).safeParse(req.query);
    const size = log.view().size;
    if (!q.success || q.data.first > q.data.second || q.data.second > size) {
      return reply.code(400).send(bad(`need 0 <= first <= second <= ${size}`));
    }
    const { first, second } = q.data;
    const proof = first === 0 ? [] : log.view().tree.consistencyProof(first, second);
    return { consistency: proof.map((h) => h.toString('base64')) };
  });

  app.get('/ct/v1/get-entries', async (req, reply) => {
    const q = z.object({ start: u, end: u }).safeParse(req.query);
    const size = log.view().size;
    if (!q.success || q.data.start > q.data.end) return reply.code(400).send(bad('need 0 <= start <= end'));
    if (q.data.start >= size) return reply.code(400).send(bad(`start ${q.data.start} is beyond the tree size ${size}`));
    const end = Math.min(q.data.end, size - 1, q.data.start + log.maxGetEntries - 1);
    return { entries: log.entries(q.data.start, end + 1) };
  });

  app.get('/ct/v1/get-roots', async () => ({ certificates: log.roots() }));

  app.get('/ct/v1/get-proof-by-hash', async (req, reply) => {
    const q = z.object({ hash: z.string(), tree_size: u }).safeParse(req.query);
    const view = log.view();
    if (!q.success || q.data.tree_size > view.size || q.data.tree_size < 1) return reply.code(400).send(bad('bad hash or tree_size'));
    const index = view.indexOf(Buffer.from(q.data.hash, 'base64'));
    if (index === undefined || index >= q.data.tree_size) return reply.code(404).send(bad('hash not found'));
    return { leaf_index: index, audit_path: view.tree.inclusionProof(index, q.data.tree_size).map((h) => h.toString('base64')) };
  });

  app.get('/ct/v1/get-entry-and-proof', async (req, reply) => {
    const q = z.object({ leaf_index: u, tree_size: u }).safeParse(req.query);
    const view = log.view();
    if (!q.success || q.data.leaf_index >= q.data.tree_size || q.data.tree_size > view.size) return reply.code(400).send(bad('bad leaf_index or tree_size'));
    const [e] = log.entries(q.data.leaf_index, q.data.leaf_index + 1);
    return { ...e, audit_path: view.tree.inclusionProof(q.data.leaf_index, q.data.tree_size).map((h) => h.toString('base64')) };
  });
}
