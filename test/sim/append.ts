/**
 * `append`: makes `count` real entries for one log and appends them, in batches that yield to the event loop
 * so the server keeps answering during a 100,000-entry append. Returns the new indexes (Rekor v1: global
 * indexes; CT: one index per leaf, so 2 × count for `ctEntryType: 'both'`).
 */
import { z } from 'zod';
import type { EntryFactory, LogKind } from './entry-factory.js';
import { prng, randomIdentity, type IdentitySpec } from './identities.js';
import type { NewLeaf } from './leaf-store.js';
import type { SimLogs } from './trusted-root.js';
import type { SimLog } from './sim-log.js';

export const LOG_KINDS = ['rekor-v1', 'rekor-v2', 'ct'] as const;

export const appendOptionsSchema = z
  .object({
    log: z.enum(LOG_KINDS),
    count: z.number().int().min(1).max(1_000_000).default(1),
    /** SAN: a URI (GitHub workflow, …) or an e-mail. Absent: a random identity from the realistic mix. */
    identity: z.string().min(1).optional(),
    issuer: z.string().min(1).optional(),
    /** Fulcio extension values by OID (full, `.1.N` or `N`), merged over the identity's defaults. */
    extensions: z.record(z.string(), z.string()).optional(),
    kind: z.enum(['hashedrekord', 'dsse', 'intoto']).optional(),
    keyOnly: z.boolean().optional(),
    /** CT only: log each certificate as a precert entry, an x509 entry, or both (default). */
    ctEntryType: z.enum(['precert', 'x509', 'both']).optional(),
  })
  .strict();

export type AppendOptions = z.input<typeof appendOptionsSchema>;

const BATCH = 2000;

export function logOf(logs: SimLogs, kind: LogKind): SimLog {
  return kind === 'rekor-v1' ? logs.rekorV1 : kind === 'rekor-v2' ? logs.rekorV2 : logs.ct;
}

export class Appender {
  readonly #logs: SimLogs;
  readonly #factory: EntryFactory;
  readonly #random: () => number;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(logs: SimLogs, factory: EntryFactory, seed: number) {
    this.#logs = logs;
    this.#factory = factory;
    this.#random = prng(seed);
  }

  /** Validates and appends; appends run one at a time, in call order. */
  append(input: AppendOptions): Promise<number[]> {
    const opts = appendOptionsSchema.parse(input);
    if (opts.log === 'ct' && opts.keyOnly === true) throw new z.ZodError([{ code: 'custom', path: ['keyOnly'], message: 'CT entries always have a certificate', input: true }]);
    const run = this.#queue.then(() => this.#run(opts));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #run(opts: z.output<typeof appendOptionsSchema>): Promise<number[]> {
    const log = logOf(this.#logs, opts.log);
    const fixed: IdentitySpec | undefined =
      opts.identity !== undefined || opts.keyOnly === true
        ? {
            ...(opts.identity === undefined ? {} : { identity: opts.identity }),
            ...(opts.issuer === undefined ? {} : { issuer: opts.issuer }),
            ...(opts.extensions === undefined ? {} : { extensions: opts.extensions }),
            ...(opts.keyOnly === undefined ? {} : { keyOnly: opts.keyOnly }),
          }
        : undefined;
    const out: number[] = [];
    for (let done = 0; done < opts.count; ) {
      const n = Math.min(BATCH, opts.count - done);
      const leaves: NewLeaf[] = [];
      const now = Date.now();
      for (let i = 0; i < n; i++) {
        const spec: IdentitySpec = { ...(fixed ?? randomIdentity(this.#random, opts.log)) };
        if (opts.kind !== undefined) spec.kind = opts.kind;
        if (fixed === undefined && opts.extensions !== undefined) spec.extensions = opts.extensions;
        if (opts.log === 'rekor-v1') leaves.push(this.#factory.rekorV1(spec, now));
        else if (opts.log === 'rekor-v2') leaves.push(this.#factory.rekorV2(spec, now));
        else leaves.push(...this.#factory.ct(spec, opts.ctEntryType ?? 'both', now));
      }
      out.push(...log.appendLeaves(leaves));
      done += n;
      if (done < opts.count) await new Promise((r) => setImmediate(r));
    }
    return out;
  }
}
